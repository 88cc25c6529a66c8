package dev.trench.bus;

import java.util.List;

/**
 * Building the bus found configuration problems. Every problem found is listed, numbered, each naming the classes
 * involved, so that one start-up shows them all.
 */
public class BusConfigurationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public BusConfigurationException(List<String> problems) {
        super(format(problems));
        this.problems = List.copyOf(problems);
    }

    /** The problems, in the order found, without numbers. */
    public List<String> problems() {
        return problems;
    }

    private static String format(List<String> problems) {
        StringBuilder sb = new StringBuilder("Command bus configuration errors:\n");
        for (int i = 0; i < problems.size(); i++) {
            sb.append('\n').append(i + 1).append(") ").append(problems.get(i));
        }
        sb.append("\n\n").append(problems.size()).append(problems.size() == 1 ? " error" : " errors");
        return sb.toString();
    }
}
