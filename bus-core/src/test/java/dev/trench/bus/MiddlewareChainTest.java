package dev.trench.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MiddlewareChainTest {

    record Echo(String text) implements Command<String> {
    }

    private final List<String> trace = new CopyOnWriteArrayList<>();

    private CommandSpec<Echo> echo() {
        return CommandSpec.of(Echo.class, "test.echo").handler((Echo c, HandlerContext<String> ctx) -> {
            trace.add("handler " + c.text() + " attempt " + ctx.envelope().attempt());
            ctx.result(c.text());
        }).build();
    }

    private Middleware named(String name) {
        return chain -> {
            trace.add(name + " before");
            return chain.proceed(chain.envelope()).whenComplete((o, e) -> trace.add(name + " after"));
        };
    }

    @Test
    void middlewareRunsInAppendOrderAndTheHandlerIsTheLastLink() {
        CommandBus bus = CommandBus.builder().register(echo()).append(named("outer")).append(named("inner")).build();

        assertThat(bus.dispatchAndWait(new Echo("hi"))).isEqualTo("hi");
        assertThat(trace).containsExactly("outer before", "inner before", "handler hi attempt 1", "inner after",
                "outer after");
    }

    @Test
    void middlewareCanReplaceTheEnvelope() {
        Middleware upper = chain -> {
            @SuppressWarnings("unchecked")
            Envelope<Echo> e = (Envelope<Echo>) chain.envelope();
            return chain.proceed(e.withCommand(new Echo(e.command().text().toUpperCase())).withHeader("seen", "y"));
        };
        CommandBus bus = CommandBus.builder().register(echo()).append(upper).build();

        assertThat(bus.dispatchAndWait(new Echo("hi"))).isEqualTo("HI");
    }

    @Test
    void middlewareCanShortCircuit() {
        Middleware cache = chain -> CompletableFuture.completedFuture(new Outcome() {
            @Override
            public Envelope<?> envelope() {
                return chain.envelope();
            }

            @Override
            public Object result() {
                return "cached";
            }

            @Override
            public List<Object> events() {
                return List.of();
            }
        });
        CommandBus bus = CommandBus.builder().register(echo()).append(cache).build();

        assertThat(bus.dispatchAndWait(new Echo("hi"))).isEqualTo("cached");
        assertThat(trace).isEmpty();
    }

    @Test
    void middlewareObservesTheOutcomeIncludingRecordedEvents() {
        List<Object> observed = new CopyOnWriteArrayList<>();
        CommandSpec<Echo> spec = CommandSpec.of(Echo.class, "test.echo").handler((Echo c, HandlerContext<String> ctx) -> {
            ctx.record("event-1");
            ctx.record("event-2");
            ctx.result("done");
        }).build();
        Middleware observer = chain -> chain.proceed(chain.envelope()).thenApply(o -> {
            observed.add(o.result());
            observed.addAll(o.events());
            return o;
        });
        CommandBus bus = CommandBus.builder().register(spec).append(observer).build();

        bus.dispatchAndWait(new Echo("x"));

        assertThat(observed).containsExactly("done", "event-1", "event-2");
    }

    @Test
    void callingProceedTwiceFailsLoudlyNamingTheMiddleware() {
        CommandBus bus = CommandBus.builder().register(echo()).append(new ProceedsTwice()).build();

        assertThatThrownBy(() -> bus.dispatchAndWait(new Echo("hi")))
                .isInstanceOf(MiddlewareContractException.class)
                .hasMessageContaining(ProceedsTwice.class.getName())
                .hasMessageContaining("called proceed() more than once");
        assertThat(trace).containsExactly("handler hi attempt 1");
    }

    @Test
    void aRetryingMiddlewareMayProceedAgainAndTheHandlersCompletedCountTellsWhereToResume() {
        AtomicInteger failures = new AtomicInteger(1);
        List<String> calls = new CopyOnWriteArrayList<>();
        CommandSpec<Echo> spec = CommandSpec.of(Echo.class, "test.echo")
                .handler((Echo c, HandlerContext<String> ctx) -> calls.add("first"))
                .handler((Echo c, HandlerContext<String> ctx) -> {
                    calls.add("second attempt " + ctx.envelope().attempt());
                    if (failures.getAndDecrement() > 0) {
                        throw new IllegalStateException("flaky");
                    }
                    ctx.result("ok");
                })
                .build();
        Middleware retryOnce = new Middleware() {
            @Override
            public java.util.concurrent.CompletionStage<Outcome> handle(Chain chain) {
                return chain.proceed(chain.envelope()).exceptionallyCompose(e -> chain.proceed(
                        chain.envelope().withAttempt(2).withResumeAt(chain.handlersCompleted())));
            }

            @Override
            public boolean mayProceedMoreThanOnce() {
                return true;
            }
        };
        CommandBus bus = CommandBus.builder().register(spec).append(retryOnce).build();

        assertThat(bus.dispatchAndWait(new Echo("x"))).isEqualTo("ok");
        assertThat(calls).containsExactly("first", "second attempt 1", "second attempt 2");
    }

    @Test
    void returningNothingFailsLoudlyNamingTheMiddleware() {
        CommandBus bus = CommandBus.builder().register(echo()).append(new ReturnsNull()).build();

        assertThatThrownBy(() -> bus.dispatchAndWait(new Echo("hi")))
                .isInstanceOf(MiddlewareContractException.class)
                .hasMessageContaining(ReturnsNull.class.getName())
                .hasMessageContaining("returned null");
    }

    @Test
    void aMiddlewareThatThrowsFailsTheDispatchWithItsException() {
        IllegalStateException boom = new IllegalStateException("boom");
        CommandBus bus = CommandBus.builder().register(echo()).append(chain -> {
            throw boom;
        }).build();

        assertThatThrownBy(() -> bus.dispatchAndWait(new Echo("hi"))).isSameAs(boom);
    }

    @Test
    void proceedingWithAnotherCommandTypeIsRefused() {
        record Other() implements Command<String> {
        }
        Middleware swap = chain -> chain.proceed(Envelope.builder(new Other()).commandId(chain.envelope().commandId())
                .createdAt(Instant.EPOCH).build());
        CommandBus bus = CommandBus.builder().register(echo()).append(swap).build();

        assertThatThrownBy(() -> bus.dispatchAndWait(new Echo("hi")))
                .isInstanceOf(MiddlewareContractException.class)
                .hasMessageContaining("passed a");
    }

    @Test
    void aFailedHandlerLeavesNoEventsOrResultBehindForItsRetry() {
        AtomicInteger failures = new AtomicInteger(1);
        CommandSpec<Echo> spec = CommandSpec.of(Echo.class, "test.echo")
                .handler((Echo c, HandlerContext<String> ctx) -> {
                    ctx.record("from first");
                    ctx.result("first");
                })
                .handler((Echo c, HandlerContext<String> ctx) -> {
                    ctx.record("from second, attempt " + ctx.envelope().attempt());
                    ctx.result("second");
                    if (failures.getAndDecrement() > 0) {
                        throw new IllegalStateException("flaky");
                    }
                })
                .build();
        List<Object> seenOnFailure = new CopyOnWriteArrayList<>();
        Middleware retryOnce = new Middleware() {
            @Override
            public java.util.concurrent.CompletionStage<Outcome> handle(Chain chain) {
                return chain.proceed(chain.envelope()).exceptionallyCompose(e -> chain.proceed(
                        chain.envelope().withAttempt(2).withResumeAt(chain.handlersCompleted())));
            }

            @Override
            public boolean mayProceedMoreThanOnce() {
                return true;
            }
        };
        Middleware observer = chain -> chain.proceed(chain.envelope()).thenApply(o -> {
            seenOnFailure.addAll(o.events());
            seenOnFailure.add(o.result());
            return o;
        });
        CommandBus bus = CommandBus.builder().register(spec).append(observer).append(retryOnce).build();

        assertThat(bus.dispatchAndWait(new Echo("x"))).isEqualTo("second");
        assertThat(seenOnFailure).containsExactly("from first", "from second, attempt 2", "second");
    }

    static final class ProceedsTwice implements Middleware {
        @Override
        public java.util.concurrent.CompletionStage<Outcome> handle(Chain chain) {
            return chain.proceed(chain.envelope()).thenCompose(o -> chain.proceed(chain.envelope()));
        }
    }

    static final class ReturnsNull implements Middleware {
        @Override
        public java.util.concurrent.CompletionStage<Outcome> handle(Chain chain) {
            return null;
        }
    }
}
