package dev.trench.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the README's quick start true: every region of this package's sources between {@code // README:<name>} and
 * {@code // README:end} must appear, verbatim (indentation removed), in a java code block of the README.
 */
class ReadmeCodeTest {
    private static final Pattern REGION = Pattern.compile("// README:(\\w+)\\n(.*?)\\n\\s*// README:end",
            Pattern.DOTALL);

    @Test
    void everyQuickStartRegionAppearsInTheReadme() throws IOException {
        String readme = normalise(Files.readString(findReadme()));
        Path sources = Path.of("src/test/java/dev/trench/quickstart");
        List<String> regions = new ArrayList<>();
        try (Stream<Path> files = Files.list(sources)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                Matcher m = REGION.matcher(Files.readString(f));
                while (m.find()) {
                    regions.add(m.group(1));
                    assertThat(readme).as("README region '%s' of %s", m.group(1), f.getFileName())
                            .contains(normalise(m.group(2)));
                }
            }
        }
        assertThat(regions).contains("command", "handler", "bus", "fixture");
    }

    private static Path findReadme() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("README.md"))) {
            dir = dir.getParent();
        }
        assertThat(dir).as("README.md above the module").isNotNull();
        return dir.resolve("README.md");
    }

    /** Strips each line's indentation and trailing blanks, so a region indented in a method still matches. */
    private static String normalise(String text) {
        StringBuilder sb = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            sb.append(line.strip()).append('\n');
        }
        return sb.toString();
    }
}
