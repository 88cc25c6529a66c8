package dev.trench.bus.internal;

import dev.trench.bus.Accepted;
import dev.trench.bus.BootCheck;
import dev.trench.bus.BusConfigurationException;
import dev.trench.bus.Capability;
import dev.trench.bus.Command;
import dev.trench.bus.CommandBus;
import dev.trench.bus.CommandHandler;
import dev.trench.bus.CommandSpec;
import dev.trench.bus.Envelope;
import dev.trench.bus.HandledAsynchronously;
import dev.trench.bus.HandlerFactory;
import dev.trench.bus.MessageId;
import dev.trench.bus.Middleware;
import dev.trench.bus.MiddlewareContractException;
import dev.trench.bus.Outcome;
import dev.trench.bus.UnknownCommandException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The bus: a map from command class to route, and the middleware array, both fixed at build time. */
public final class DefaultCommandBus implements CommandBus {
    private static final Logger LOG = LoggerFactory.getLogger(CommandBus.class);

    private final String name;
    private final Map<Class<?>, Route> routes;
    private final List<CommandSpec<?>> specs;
    private final Middleware[] middleware;
    private final Clock clock;
    private final MessageIdGenerator ids;
    private final String report;

    private DefaultCommandBus(String name, Map<Class<?>, Route> routes, List<CommandSpec<?>> specs,
            Middleware[] middleware, Clock clock, String report) {
        this.name = name;
        this.routes = routes;
        this.specs = specs;
        this.middleware = middleware;
        this.clock = clock;
        this.ids = new MessageIdGenerator(clock);
        this.report = report;
    }

    /** Validates every registration and middleware, collects all problems, and builds the bus. */
    public static CommandBus build(String name, List<CommandSpec<?>> specs, List<Middleware> middleware,
            HandlerFactory factory, Clock clock) {
        List<String> problems = new ArrayList<>();

        // 1. duplicates
        Map<Class<?>, CommandSpec<?>> byType = new LinkedHashMap<>();
        Map<String, CommandSpec<?>> byName = new HashMap<>();
        List<CommandSpec<?>> unique = new ArrayList<>();
        for (CommandSpec<?> spec : specs) {
            CommandSpec<?> sameType = byType.putIfAbsent(spec.commandType(), spec);
            CommandSpec<?> sameName = byName.putIfAbsent(spec.name(), spec);
            if (sameType != null) {
                problems.add("Command " + spec.commandType().getName() + " is registered more than once ('"
                        + sameType.name() + "' and '" + spec.name() + "'); register each command type once");
            } else if (sameName != null) {
                problems.add("Command name '" + spec.name() + "' is used by both " + sameName.commandType().getName()
                        + " and " + spec.commandType().getName() + "; names must be unique");
                byType.remove(spec.commandType());
            } else {
                unique.add(spec);
            }
        }
        Set<Middleware> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Middleware m : middleware) {
            if (!seen.add(m)) {
                problems.add("Middleware " + m.name() + " is appended more than once (the same instance)");
            }
        }

        // 2. middleware checks and handled-elsewhere declarations
        Set<Class<?>> elsewhere = new HashSet<>();
        List<CommandSpec<?>> view = Collections.unmodifiableList(unique);
        for (Middleware m : middleware) {
            try {
                m.check(new BootCheck() {
                    @Override
                    public List<CommandSpec<?>> commands() {
                        return view;
                    }

                    @Override
                    public void problem(String message) {
                        problems.add(message);
                    }

                    @Override
                    public void handledElsewhere(CommandSpec<?> spec) {
                        elsewhere.add(spec.commandType());
                    }
                });
            } catch (RuntimeException e) {
                problems.add("Middleware " + m.name() + " failed its boot check: " + e);
            }
        }

        // 3. capabilities someone honours
        Map<Class<? extends Capability>, List<String>> honouredBy = new HashMap<>();
        for (Middleware m : middleware) {
            for (Class<? extends Capability> c : m.honours()) {
                honouredBy.computeIfAbsent(c, k -> new ArrayList<>()).add(m.name());
            }
        }

        Map<Class<?>, Route> routes = new HashMap<>();
        for (CommandSpec<?> spec : unique) {
            String cmd = spec.commandType().getName();
            boolean local = !elsewhere.contains(spec.commandType());
            for (Capability c : spec.capabilities()) {
                // a command handled elsewhere has its other capabilities honoured where it is handled
                if (local && !honoured(c.getClass(), honouredBy)) {
                    problems.add("Command " + cmd + " declares capability " + c.getClass().getSimpleName()
                            + " but no installed middleware honours it; append the middleware for it, or remove"
                            + " the capability");
                }
            }
            if (spec.capability(HandledAsynchronously.class).isPresent()) {
                Class<?> resultType = GenericTypes.typeArgument(spec.commandType(), Command.class, 0);
                if (resultType != null && resultType != Accepted.class) {
                    problems.add("Command " + cmd + " declares HandledAsynchronously, so its dispatch completes on the"
                            + " worker's ack: it must implement Command<Accepted>, not Command<"
                            + resultType.getSimpleName() + ">");
                }
            }
            for (CommandSpec.HandlerRef ref : spec.handlers()) {
                checkHandlerType(spec, ref, problems);
            }
            CommandHandler<?, ?>[] handlers = null;
            if (local) {
                if (spec.handlers().isEmpty()) {
                    problems.add("Command " + cmd + " ('" + spec.name() + "') has no handler; declare at least one"
                            + " in its CommandSpec");
                }
                handlers = new CommandHandler<?, ?>[spec.handlers().size()];
                for (int i = 0; i < handlers.length; i++) {
                    CommandSpec.HandlerRef ref = spec.handlers().get(i);
                    handlers[i] = create(spec, ref, factory, problems);
                }
            }
            routes.put(spec.commandType(), new Route(spec, handlers));
        }
        if (!problems.isEmpty()) {
            throw new BusConfigurationException(problems);
        }
        String report = report(name, unique, middleware, elsewhere, honouredBy);
        LOG.info("{}", report);
        return new DefaultCommandBus(name, Map.copyOf(routes), List.copyOf(unique),
                middleware.toArray(new Middleware[0]), clock, report);
    }

    private static boolean honoured(Class<?> capability, Map<Class<? extends Capability>, List<String>> honouredBy) {
        for (Class<? extends Capability> c : honouredBy.keySet()) {
            if (c.isAssignableFrom(capability)) {
                return true;
            }
        }
        return false;
    }

    private static void checkHandlerType(CommandSpec<?> spec, CommandSpec.HandlerRef ref, List<String> problems) {
        Class<?> type = ref.type();
        if (!CommandHandler.class.isAssignableFrom(type)) {
            problems.add("Handler " + type.getName() + " of command " + spec.commandType().getName()
                    + " does not implement CommandHandler");
            return;
        }
        Class<?> handled = GenericTypes.typeArgument(type, CommandHandler.class, 0);
        if (handled != null && !handled.isAssignableFrom(spec.commandType())) {
            problems.add("Handler " + type.getName() + " handles " + handled.getName() + ", but is declared for "
                    + spec.commandType().getName() + " ('" + spec.name() + "')");
        }
    }

    private static CommandHandler<?, ?> create(CommandSpec<?> spec, CommandSpec.HandlerRef ref,
            HandlerFactory factory, List<String> problems) {
        if (ref.instance() != null) {
            return ref.instance();
        }
        try {
            Object created = factory.create(ref.type());
            if (created instanceof CommandHandler<?, ?> h) {
                return h;
            }
            problems.add("Handler " + ref.type().getName() + " of command " + spec.commandType().getName()
                    + ": the factory returned " + (created == null ? "null" : created.getClass().getName()));
        } catch (RuntimeException e) {
            problems.add("Handler " + ref.type().getName() + " of command " + spec.commandType().getName() + " "
                    + firstLine(e.getMessage()));
        }
        return NOT_CREATED;
    }

    /** Placeholder for a handler that could not be created; the build fails before it could ever run. */
    private static final CommandHandler<Command<Object>, Object> NOT_CREATED = (command, context) -> {
        throw new IllegalStateException("unreachable: the bus failed to build");
    };

    private static String firstLine(@Nullable String message) {
        if (message == null) {
            return "could not be created";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl) + " ...";
    }

    private static String report(String name, List<CommandSpec<?>> specs, List<Middleware> middleware,
            Set<Class<?>> elsewhere, Map<Class<? extends Capability>, List<String>> honouredBy) {
        StringBuilder sb = new StringBuilder("Command bus '").append(name).append("': ").append(specs.size())
                .append(specs.size() == 1 ? " command, " : " commands, ").append(middleware.size())
                .append(" middleware");
        sb.append("\n  chain: ");
        for (Middleware m : middleware) {
            sb.append(simple(m.name())).append(" -> ");
        }
        sb.append("handlers");
        for (CommandSpec<?> spec : specs) {
            sb.append("\n  ").append(spec.name()).append(" (").append(spec.commandType().getSimpleName()).append(')');
            if (elsewhere.contains(spec.commandType())) {
                sb.append(" handled elsewhere");
            } else {
                sb.append(" handlers: ");
                List<String> names = new ArrayList<>();
                for (CommandSpec.HandlerRef ref : spec.handlers()) {
                    names.add(ref.type().getSimpleName().isEmpty() ? "lambda" : ref.type().getSimpleName());
                }
                sb.append(String.join(", ", names));
            }
            for (Capability c : spec.capabilities()) {
                List<String> by = new ArrayList<>();
                honouredBy.forEach((type, mws) -> {
                    if (type.isAssignableFrom(c.getClass())) {
                        mws.forEach(m -> by.add(simple(m)));
                    }
                });
                sb.append("; ").append(c).append(" honoured by ")
                        .append(!by.isEmpty() ? by : elsewhere.contains(spec.commandType()) ? "its worker" : "NOBODY");
            }
        }
        return sb.toString();
    }

    private static String simple(String className) {
        int dot = className.lastIndexOf('.');
        return dot < 0 ? className : className.substring(dot + 1);
    }

    // dispatch

    @Override
    public <R> CompletionStage<R> dispatch(Command<R> command) {
        return dispatchChild(command, currentEnvelope());
    }

    private static @Nullable Envelope<?> currentEnvelope() {
        Dispatch current = Dispatch.CURRENT.get();
        return current == null ? null : current.envelope();
    }

    @SuppressWarnings("unchecked")
    <R> CompletionStage<R> dispatchChild(Command<R> command, @Nullable Envelope<?> parent) {
        if (command == null) {
            return CompletableFuture.failedFuture(new NullPointerException("command"));
        }
        Route route = routes.get(command.getClass());
        if (route == null) {
            return CompletableFuture.failedFuture(new UnknownCommandException(command.getClass()));
        }
        MessageId id = ids.next();
        Envelope<?> envelope = parent == null
                ? Envelope.of(command, id, id, null, clock.millis())
                : Envelope.of(command, id, parent.correlationId(), parent.commandId(), clock.millis());
        return (CompletionStage<R>) start(route, envelope);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <R> CompletionStage<R> dispatch(Envelope<? extends Command<? extends R>> envelope) {
        if (envelope == null) {
            return CompletableFuture.failedFuture(new NullPointerException("envelope"));
        }
        Route route = routes.get(envelope.command().getClass());
        if (route == null) {
            return CompletableFuture.failedFuture(new UnknownCommandException(envelope.command().getClass()));
        }
        return (CompletionStage<R>) start(route, envelope);
    }

    private CompletionStage<Object> start(Route route, Envelope<?> envelope) {
        Dispatch dispatch = new Dispatch(this, route, envelope);
        if (middleware.length == 0) {
            Throwable failure = dispatch.runHandlers(envelope);
            if (failure == null) {
                dispatch.complete(dispatch.result());
            } else {
                dispatch.completeExceptionally(failure);
            }
            return dispatch;
        }
        CompletionStage<Outcome> outcome;
        try {
            outcome = invoke(dispatch, 0, envelope);
        } catch (Throwable t) {
            outcome = CompletableFuture.failedFuture(t);
        }
        if (outcome instanceof CompletableFuture<Outcome> f && f.isDone() && !f.isCompletedExceptionally()) {
            Outcome o = f.join();
            dispatch.accept(o, null);
        } else {
            outcome.whenComplete(dispatch);
        }
        return dispatch;
    }

    /** Runs middleware {@code index} (or the handlers past the last one) with a new link. */
    CompletionStage<Outcome> invoke(Dispatch dispatch, int index, Envelope<?> envelope) {
        if (index == middleware.length) {
            return dispatch.terminal(envelope);
        }
        Middleware m = middleware[index];
        CompletionStage<Outcome> result;
        try {
            result = m.handle(new Link(dispatch, index, envelope));
        } catch (Throwable t) {
            return CompletableFuture.failedFuture(t);
        }
        if (result == null) {
            return contractBroken(m.name() + " returned null from handle(chain) for command "
                    + dispatch.route.spec.name() + "; return the stage of chain.proceed(...) or one of your own");
        }
        return result;
    }

    <T> CompletionStage<T> contractBroken(String message) {
        MiddlewareContractException e = new MiddlewareContractException(message);
        LOG.error("Middleware contract broken on bus '{}': {}", name, message);
        return CompletableFuture.failedFuture(e);
    }

    Middleware middleware(int index) {
        return middleware[index];
    }

    String name() {
        return name;
    }

    @Override
    public <R> R dispatchAndWait(Command<R> command) {
        CompletableFuture<R> future = dispatch(command).toCompletableFuture();
        try {
            Instant deadline = null;
            if (future instanceof Dispatch d) {
                deadline = d.envelope().deadline();
            }
            if (deadline == null) {
                return future.get();
            }
            long nanos = Duration.between(clock.instant(), deadline).toNanos();
            return future.get(Math.max(0, nanos), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw sneaky(Dispatch.unwrap(e.getCause() == null ? e : e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            CancellationException c = new CancellationException("interrupted while waiting for " + command);
            c.initCause(e);
            throw c;
        } catch (TimeoutException e) {
            throw new IllegalStateException("deadline passed while waiting for " + command, e);
        }
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> RuntimeException sneaky(Throwable t) throws E {
        throw (E) t;
    }

    @Override
    public Optional<CommandSpec<?>> spec(Class<?> commandType) {
        Route route = routes.get(commandType);
        return route == null ? Optional.empty() : Optional.of(route.spec);
    }

    @Override
    public List<CommandSpec<?>> specs() {
        return specs;
    }

    @Override
    public String describe() {
        return report;
    }

    @Override
    public MessageId newId() {
        return ids.next();
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public String toString() {
        return "CommandBus{" + name + ", " + specs.size() + " commands, " + middleware.length + " middleware}";
    }
}
