package dev.trench.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CommandBusTest {

    record Greet(String name) implements Command<String> {
        Greet {
            InvalidCommandException.requireText("name", name);
        }
    }

    record Unregistered() implements Command<Void> {
    }

    static final class BusinessRuleBroken extends RuntimeException {
        BusinessRuleBroken(String message) {
            super(message);
        }
    }

    @Test
    void handlersRunInDeclaredOrderAndTheLastResultSetWins() {
        List<String> calls = new CopyOnWriteArrayList<>();
        CommandSpec<Greet> spec = CommandSpec.of(Greet.class, "test.greet")
                .handler((Greet c, HandlerContext<String> ctx) -> {
                    calls.add("first");
                    ctx.result("hello " + c.name());
                })
                .handler((Greet c, HandlerContext<String> ctx) -> calls.add("second: saw " + ctx.currentResult()))
                .handler((Greet c, HandlerContext<String> ctx) -> {
                    calls.add("third");
                    ctx.result(ctx.currentResult() + "!");
                })
                .build();
        CommandBus bus = CommandBus.builder().register(spec).build();

        String result = bus.dispatchAndWait(new Greet("ada"));

        assertThat(result).isEqualTo("hello ada!");
        assertThat(calls).containsExactly("first", "second: saw hello ada", "third");
    }

    @Test
    void aHandlerThatThrowsStopsTheListAndTheCallerGetsItsOwnException() {
        List<String> calls = new CopyOnWriteArrayList<>();
        BusinessRuleBroken boom = new BusinessRuleBroken("too low");
        CommandSpec<Greet> spec = CommandSpec.of(Greet.class, "test.greet")
                .handler((Greet c, HandlerContext<String> ctx) -> calls.add("first"))
                .handler((Greet c, HandlerContext<String> ctx) -> {
                    throw boom;
                })
                .handler((Greet c, HandlerContext<String> ctx) -> calls.add("third"))
                .build();
        CommandBus bus = CommandBus.builder().register(spec).build();

        assertThatThrownBy(() -> bus.dispatchAndWait(new Greet("ada"))).isSameAs(boom);
        CompletableFuture<String> async = bus.dispatch(new Greet("bob")).toCompletableFuture();
        assertThat(async).isCompletedExceptionally();
        assertThatThrownBy(async::get).isInstanceOf(ExecutionException.class).cause().isSameAs(boom);
        async.whenComplete((r, e) -> assertThat(e).isSameAs(boom));
        assertThat(calls).containsExactly("first", "first");
    }

    @Test
    void theCallerGetsTheHandlersOwnExceptionThroughAsynchronousMiddleware() throws Exception {
        BusinessRuleBroken boom = new BusinessRuleBroken("no");
        CommandSpec<Greet> spec = CommandSpec.of(Greet.class, "test.greet")
                .handler((Greet c, HandlerContext<String> ctx) -> {
                    throw boom;
                })
                .build();
        Middleware hopThread = chain -> CompletableFuture.supplyAsync(() -> chain)
                .thenCompose(c -> c.proceed(c.envelope()));
        CommandBus bus = CommandBus.builder().register(spec).append(hopThread).build();

        CompletableFuture<String> f = bus.dispatch(new Greet("x")).toCompletableFuture();
        Throwable seen = f.handle((r, e) -> e).get(5, TimeUnit.SECONDS);

        assertThat(seen).isSameAs(boom);
        assertThatThrownBy(() -> bus.dispatchAndWait(new Greet("y"))).isSameAs(boom);
    }

    @Test
    void anUnregisteredCommandFailsWithATypedException() {
        CommandBus bus = CommandBus.builder().register(greetSpec()).build();

        assertThatThrownBy(() -> bus.dispatchAndWait(new Unregistered()))
                .isInstanceOf(UnknownCommandException.class)
                .hasMessageContaining(Unregistered.class.getName());
    }

    @Test
    void aCommandValidatesItselfNamingTheField() {
        assertThatThrownBy(() -> new Greet(" "))
                .isInstanceOfSatisfying(InvalidCommandException.class, e -> {
                    assertThat(e.field()).isEqualTo("name");
                    assertThat(e.reason()).isEqualTo("must not be blank");
                });
    }

    @Test
    void theSpecKeepsHandlersInOrderAndExposesCapabilities() {
        CommandSpec<Greet> spec = CommandSpec.of(Greet.class, "test.greet")
                .handler(FirstGreeter.class)
                .handler(SecondGreeter.class)
                .capability(RetryOnFail.upTo(2).withDelay(RetryDelay.none()))
                .build();

        assertThat(spec.handlers()).extracting(CommandSpec.HandlerRef::type)
                .containsExactly(FirstGreeter.class, SecondGreeter.class);
        assertThat(spec.capability(RetryOnFail.class)).get().extracting(RetryOnFail::maxRetries).isEqualTo(2);
        assertThat(spec.capability(HandledAsynchronously.class)).isEmpty();
    }

    @Test
    void handlerClassesAreCreatedByTheHandlerFactoryWhenTheBusIsBuilt() {
        List<Class<?>> created = new ArrayList<>();
        HandlerFactory factory = new HandlerFactory() {
            @Override
            public <H> H create(Class<H> type) {
                created.add(type);
                return HandlerFactory.reflective().create(type);
            }
        };
        CommandSpec<Greet> spec = CommandSpec.of(Greet.class, "test.greet")
                .handler(FirstGreeter.class).handler(SecondGreeter.class).build();

        CommandBus bus = CommandBus.builder().register(spec).handlerFactory(factory).build();

        assertThat(created).containsExactly(FirstGreeter.class, SecondGreeter.class);
        assertThat(bus.dispatchAndWait(new Greet("ada"))).isEqualTo("Hello, ada.");
    }

    @Test
    void describeReportsChainHandlersAndCapabilities() {
        Middleware noop = chain -> chain.proceed(chain.envelope());
        CommandBus bus = CommandBus.builder().name("api").register(greetSpec()).append(noop).build();

        assertThat(bus.describe())
                .contains("Command bus 'api': 1 command, 1 middleware")
                .contains("test.greet (Greet) handlers: FirstGreeter, SecondGreeter");
    }

    static CommandSpec<Greet> greetSpec() {
        return CommandSpec.of(Greet.class, "test.greet").handler(FirstGreeter.class).handler(SecondGreeter.class)
                .build();
    }

    public static final class FirstGreeter implements CommandHandler<Greet, String> {
        @Override
        public void handle(Greet command, HandlerContext<String> context) {
            context.result("Hello, " + command.name());
        }
    }

    public static final class SecondGreeter implements CommandHandler<Greet, String> {
        @Override
        public void handle(Greet command, HandlerContext<String> context) {
            context.result(context.currentResult() + ".");
        }
    }
}
