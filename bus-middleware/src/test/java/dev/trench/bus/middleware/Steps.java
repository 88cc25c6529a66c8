package dev.trench.bus.middleware;

import dev.trench.bus.Capability;
import dev.trench.bus.Command;
import dev.trench.bus.CommandSpec;
import dev.trench.bus.Envelope;
import dev.trench.bus.HandlerContext;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A command with three handlers that record each run ({@code h2#1}: handler 2 on attempt 1), each recording one domain
 * event ({@code event-h2}) when it succeeds; handler 3 sets the result {@code done:<name>}. A handler can be told to
 * fail its next runs with given exceptions, or always.
 */
final class Steps {

    /** The command; its {@code toString} shows the (made up) personal data it carries. */
    record Work(String name, String email) implements Command<String> {
        Work(String name) {
            this(name, "alice@example.com");
        }
    }

    private final AtomicInteger[] runs = {new AtomicInteger(), new AtomicInteger(), new AtomicInteger()};
    private final List<String> trace = Collections.synchronizedList(new ArrayList<>());
    private final List<Envelope<?>> envelopes = Collections.synchronizedList(new ArrayList<>());
    private final List<Deque<RuntimeException>> failNext = List.of(new ArrayDeque<>(), new ArrayDeque<>(),
            new ArrayDeque<>());
    private final List<Function<Work, RuntimeException>> failAlways = Collections.synchronizedList(
            new ArrayList<>(Collections.nCopies(3, null)));
    private volatile Runnable duringHandler2 = () -> { };

    /** Handler {@code handler} (1 to 3) fails its next runs with these exceptions, one per run. */
    Steps failNext(int handler, RuntimeException... errors) {
        Deque<RuntimeException> queue = failNext.get(handler - 1);
        synchronized (queue) {
            Collections.addAll(queue, errors);
        }
        return this;
    }

    /** Handler {@code handler} fails every run with the exception {@code error} makes for the command. */
    Steps failAlways(int handler, Function<Work, RuntimeException> error) {
        failAlways.set(handler - 1, error);
        return this;
    }

    /** Runs {@code action} inside handler 2, before it decides to fail or not. */
    Steps duringHandler2(Runnable action) {
        this.duringHandler2 = action;
        return this;
    }

    CommandSpec<Work> spec(String name, Capability... capabilities) {
        CommandSpec.Builder<Work> b = CommandSpec.of(Work.class, name)
                .handler((Work c, HandlerContext<String> ctx) -> run(0, c, ctx))
                .handler((Work c, HandlerContext<String> ctx) -> run(1, c, ctx))
                .handler((Work c, HandlerContext<String> ctx) -> run(2, c, ctx));
        for (Capability c : capabilities) {
            b.capability(c);
        }
        return b.build();
    }

    private void run(int index, Work command, HandlerContext<String> ctx) {
        runs[index].incrementAndGet();
        trace.add("h" + (index + 1) + "#" + ctx.envelope().attempt());
        envelopes.add(ctx.envelope());
        if (index == 1) {
            duringHandler2.run();
        }
        Function<Work, RuntimeException> always = failAlways.get(index);
        if (always != null) {
            throw always.apply(command);
        }
        Deque<RuntimeException> queue = failNext.get(index);
        RuntimeException next;
        synchronized (queue) {
            next = queue.poll();
        }
        if (next != null) {
            throw next;
        }
        ctx.record("event-h" + (index + 1));
        if (index == 2) {
            ctx.result("done:" + command.name());
        }
    }

    /** How many times handler {@code handler} (1 to 3) ran. */
    int runs(int handler) {
        return runs[handler - 1].get();
    }

    List<String> trace() {
        synchronized (trace) {
            return List.copyOf(trace);
        }
    }

    List<Envelope<?>> envelopes() {
        synchronized (envelopes) {
            return List.copyOf(envelopes);
        }
    }
}
