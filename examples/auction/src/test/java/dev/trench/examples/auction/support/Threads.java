package dev.trench.examples.auction.support;

import java.util.Set;
import java.util.stream.Collectors;

/** Which threads keep a JVM alive. */
public final class Threads {
    private Threads() {
    }

    /** The live non-daemon threads. */
    public static Set<Thread> nonDaemon() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && !t.isDaemon())
                .collect(Collectors.toSet());
    }

    /** The names of the live non-daemon threads that are not in {@code before}. */
    public static Set<String> nonDaemonStartedSince(Set<Thread> before) {
        return nonDaemon().stream().filter(t -> !before.contains(t)).map(Thread::getName)
                .collect(Collectors.toSet());
    }
}
