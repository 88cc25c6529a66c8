package dev.trench.bus.middleware;

import static dev.trench.bus.middleware.Futures.failure;
import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trench.bus.BusConfigurationException;
import dev.trench.bus.CommandBus;
import dev.trench.bus.CommandRejectedException;
import dev.trench.bus.CommandSpec;
import dev.trench.bus.Envelope;
import dev.trench.bus.InvalidCommandException;
import dev.trench.bus.OverloadedException;
import dev.trench.bus.RetryDelay;
import dev.trench.bus.RetryOnFail;
import dev.trench.bus.middleware.Steps.Work;
import dev.trench.bus.spi.AttemptFailure;
import dev.trench.bus.spi.CommandListener;
import dev.trench.bus.spi.DeadLetter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class RetryMiddlewareTest {
    private final ManualScheduler scheduler = new ManualScheduler();
    private final RecordingListener listener = new RecordingListener();
    private final InMemoryDeadLetterStore deadLetters = new InMemoryDeadLetterStore();
    private final Steps steps = new Steps();

    @AfterEach
    void clearMdc() {
        MDC.clear();
    }

    private RetryMiddleware.Builder retry() {
        return RetryMiddleware.builder().scheduler(scheduler).deadLetterSink(deadLetters).listener(listener);
    }

    private static CommandBus bus(RetryMiddleware retry, CommandSpec<?> spec) {
        return CommandBus.builder().register(spec).append(retry).build();
    }

    private static RetryOnFail upTo(int retries, Duration delay) {
        return RetryOnFail.upTo(retries).withDelay(RetryDelay.fixed(delay));
    }

    @Test
    void retryResumesAtTheHandlerThatFailed() {
        steps.failNext(2, new IllegalStateException("store unavailable"));
        CommandBus bus = bus(retry().build(), steps.spec("test.work", upTo(3, ofMillis(100))));

        CompletableFuture<String> result = bus.dispatch(new Work("w1")).toCompletableFuture();

        assertThat(result).isNotDone();
        assertThat(steps.trace()).containsExactly("h1#1", "h2#1");
        scheduler.advance(ofMillis(100));

        assertThat(result).isCompletedWithValue("done:w1");
        assertThat(steps.trace()).containsExactly("h1#1", "h2#1", "h2#2", "h3#2");
        assertThat(steps.runs(1)).isEqualTo(1);
        assertThat(steps.runs(2)).isEqualTo(2);
        assertThat(steps.runs(3)).isEqualTo(1);
        List<Envelope<?>> seenByHandler2 = steps.envelopes().subList(1, 3);
        assertThat(seenByHandler2).extracting(Envelope::attempt).containsExactly(1, 2);
        assertThat(seenByHandler2).extracting(Envelope::resumeAt).containsExactly(0, 1);
        assertThat(seenByHandler2).extracting(Envelope::commandId).containsOnly(steps.envelopes().get(0).commandId());
        assertThat(deadLetters.list()).isEmpty();
    }

    @Test
    void waitingForARetryBlocksNoThreadAndTakesThePolicysDelay() {
        steps.failNext(1, new IllegalStateException("down"));
        CommandBus bus = bus(retry().build(), steps.spec("test.work", upTo(1, ofMillis(250))));

        CompletableFuture<String> result = bus.dispatch(new Work("w")).toCompletableFuture();

        assertThat(scheduler.pendingDelays()).containsExactly(ofMillis(250));
        scheduler.advance(ofMillis(249));
        assertThat(result).isNotDone();
        assertThat(steps.runs(1)).isEqualTo(1);
        scheduler.advance(ofMillis(1));
        assertThat(result).isCompletedWithValue("done:w");
        assertThat(steps.runs(1)).isEqualTo(2);
    }

    @Test
    void delaysFollowThePolicyAndAreCappedByMaxDelay() {
        steps.failNext(2, new IllegalStateException("1"), new IllegalStateException("2"),
                new IllegalStateException("3"));
        RetryOnFail policy = RetryOnFail.upTo(3).withDelay(RetryDelay.exponential(ofMillis(100), 10, ofSeconds(60)));
        CommandBus bus = bus(retry().maxDelay(ofSeconds(5)).build(), steps.spec("test.work", policy));

        CompletableFuture<String> result = bus.dispatch(new Work("w")).toCompletableFuture();
        assertThat(scheduler.pendingDelays()).containsExactly(ofMillis(100));
        scheduler.advance(ofMillis(100));
        assertThat(scheduler.pendingDelays()).containsExactly(ofSeconds(1));
        scheduler.advance(ofSeconds(1));
        assertThat(scheduler.pendingDelays()).containsExactly(ofSeconds(5));
        scheduler.advance(ofSeconds(5));

        assertThat(result).isCompletedWithValue("done:w");
        assertThat(listener.retryDelays).containsExactly(ofMillis(100), ofSeconds(1), ofSeconds(5));
        assertThat(listener.calls()).containsExactly("retried test.work attempt 2 resumeAt 1",
                "retried test.work attempt 3 resumeAt 1", "retried test.work attempt 4 resumeAt 1");
    }

    @Test
    void afterTheLastAttemptTheCommandIsDeadLetteredAndFailsWithTheLastAttemptsOwnException() {
        IllegalStateException first = new IllegalStateException("first");
        IllegalStateException second = new IllegalStateException("second");
        IllegalStateException third = new IllegalStateException("third");
        steps.failNext(2, first, second, third);
        CommandBus bus = bus(retry().build(), steps.spec("test.work", upTo(2, ofMillis(10))));

        CompletableFuture<String> result = bus.dispatch(new Work("w")).toCompletableFuture();
        scheduler.advance(ofMillis(10));
        scheduler.advance(ofMillis(10));

        assertThat(failure(result)).isSameAs(third);
        assertThat(steps.runs(1)).isEqualTo(1);
        assertThat(steps.runs(2)).isEqualTo(3);
        assertThat(steps.runs(3)).isZero();
        assertThat(deadLetters.list()).hasSize(1);
        DeadLetter letter = deadLetters.list().get(0);
        assertThat(letter.commandName()).isEqualTo("test.work");
        assertThat(letter.envelope().commandId()).isEqualTo(steps.envelopes().get(0).commandId());
        assertThat(letter.envelope().attempt()).isEqualTo(3);
        assertThat(letter.envelope().resumeAt()).isEqualTo(1);
        assertThat(letter.failures()).extracting(AttemptFailure::attempt).containsExactly(1, 2, 3);
        assertThat(letter.failures()).extracting(AttemptFailure::error).containsExactly(first, second, third);
        assertThat(letter.lastError()).isSameAs(third);
        assertThat(listener.calls()).containsExactly("retried test.work attempt 2 resumeAt 1",
                "retried test.work attempt 3 resumeAt 1", "deadLettered test.work");
        assertThat(listener.deadLetters).containsExactly(letter);
    }

    @Test
    void theDeadLettersResumeAtNamesTheHandlerThatFailedLastEvenWhenTheLastAttemptGotFurther() {
        steps.failNext(2, new IllegalStateException("handler 2 down"));
        steps.failAlways(3, w -> new IllegalStateException("handler 3 down"));
        CommandBus bus = bus(retry().build(), steps.spec("test.work", upTo(1, ofMillis(10))));

        CompletableFuture<String> result = bus.dispatch(new Work("w")).toCompletableFuture();
        scheduler.advance(ofMillis(10));

        assertThat(failure(result)).hasMessage("handler 3 down");
        assertThat(steps.trace()).containsExactly("h1#1", "h2#1", "h2#2", "h3#2");
        DeadLetter letter = deadLetters.list().get(0);
        assertThat(letter.envelope().attempt()).isEqualTo(2);
        assertThat(letter.envelope().resumeAt()).isEqualTo(2);
    }

    @Test
    void aRejectedCommandFailsAtOnceAndIsNotDeadLettered() {
        CommandRejectedException rejected = new CommandRejectedException("bid-too-low", "12.00 is below 13.00");
        steps.failNext(2, rejected);
        CommandBus bus = bus(retry().build(), steps.spec("test.work", upTo(3, ofMillis(10))));

        CompletionStage<String> result = bus.dispatch(new Work("w"));

        assertThat(failure(result)).isSameAs(rejected);
        assertThat(scheduler.pending()).isZero();
        assertThat(steps.runs(2)).isEqualTo(1);
        assertThat(deadLetters.list()).isEmpty();
        assertThat(listener.calls()).isEmpty();
    }

    @Test
    void aValidationFailureIsNeverRetriedEvenWhenThePredicateSaysEverythingIs() {
        InvalidCommandException invalid = new InvalidCommandException("amount", "must be positive, was -1");
        steps.failNext(1, invalid);
        CommandBus bus = bus(retry().retryable(t -> true).build(), steps.spec("test.work", upTo(3, ofMillis(10))));

        CompletionStage<String> result = bus.dispatch(new Work("w"));

        assertThat(failure(result)).isSameAs(invalid);
        assertThat(scheduler.pending()).isZero();
        assertThat(deadLetters.list()).isEmpty();
    }

    @Test
    void theDefaultPredicateRetriesFaultsButNotAnswers() {
        var retryable = RetryMiddleware.defaultRetryable();

        assertThat(retryable.test(new IllegalStateException("connection reset"))).isTrue();
        assertThat(retryable.test(new OverloadedException("queue full"))).isTrue();
        assertThat(retryable.test(new CommandRejectedException("closed", "auction closed"))).isFalse();
        assertThat(retryable.test(new InvalidCommandException("id", "is required"))).isFalse();
        assertThat(retryable.test(new dev.trench.bus.UnknownCommandException(Work.class))).isFalse();
        assertThat(retryable.test(new dev.trench.bus.MiddlewareContractException("proceed twice"))).isFalse();
    }

    @Test
    void onlyFailuresTheConfiguredPredicateAcceptsAreRetried() {
        class Transient extends RuntimeException {
            private static final long serialVersionUID = 1L;

            Transient() {
                super("transient");
            }
        }
        IllegalStateException permanent = new IllegalStateException("permanent");
        steps.failNext(2, new Transient(), permanent);
        CommandBus bus = bus(retry().retryable(t -> t instanceof Transient).build(),
                steps.spec("test.work", upTo(5, ofMillis(10))));

        CompletionStage<String> result = bus.dispatch(new Work("w"));
        scheduler.advance(ofMillis(10));

        assertThat(failure(result)).isSameAs(permanent);
        assertThat(steps.runs(2)).isEqualTo(2);
        assertThat(scheduler.pending()).isZero();
        assertThat(deadLetters.list()).isEmpty();
    }

    @Test
    void anErrorIsNeverRetried() {
        AssertionError error = new AssertionError("broken invariant");
        steps.failAlways(2, c -> {
            throw error;
        });
        CommandBus bus = bus(retry().retryable(t -> true).build(), steps.spec("test.work", upTo(3, ofMillis(10))));

        CompletionStage<String> result = bus.dispatch(new Work("w"));

        assertThat(failure(result)).isSameAs(error);
        assertThat(steps.runs(2)).isEqualTo(1);
        assertThat(scheduler.pending()).isZero();
    }

    @Test
    void anOverrideFromConfigurationReplacesTheDeclaredPolicy() {
        steps.failAlways(2, c -> new IllegalStateException("down"));
        CommandSpec<Work> spec = steps.spec("test.work", upTo(5, ofSeconds(30)));
        RetryOnFail override = upTo(1, ofMillis(20));
        RetryMiddleware retry = retry().override("test.work", override).build();
        CommandBus bus = bus(retry, spec);

        CompletionStage<String> result = bus.dispatch(new Work("w"));
        assertThat(scheduler.pendingDelays()).containsExactly(ofMillis(20));
        scheduler.advance(ofMillis(20));

        assertThat(failure(result)).hasMessage("down");
        assertThat(steps.runs(2)).isEqualTo(2);
        assertThat(deadLetters.list()).hasSize(1);
        assertThat(retry.policyFor(spec)).containsSame(override);
    }

    @Test
    void anOverrideGivesRetriesToACommandThatDeclaresNone() {
        steps.failNext(3, new IllegalStateException("once"));
        RetryMiddleware retry = retry().overrides(java.util.Map.of("test.work", upTo(1, ofMillis(5)))).build();
        CommandBus bus = bus(retry, steps.spec("test.work"));

        CompletableFuture<String> result = bus.dispatch(new Work("w")).toCompletableFuture();
        scheduler.advance(ofMillis(5));

        assertThat(result).isCompletedWithValue("done:w");
        assertThat(steps.trace()).containsExactly("h1#1", "h2#1", "h3#1", "h3#2");
    }

    @Test
    void anOverrideNamingNoRegisteredCommandFailsTheBoot() {
        RetryMiddleware retry = retry().override("no.such-command", upTo(1, ofMillis(5))).build();

        assertThatThrownBy(() -> bus(retry, steps.spec("test.work")))
                .isInstanceOf(BusConfigurationException.class)
                .hasMessageContaining("has a retry override for command 'no.such-command', but no registered command"
                        + " has that name; registered: [test.work]");
    }

    @Test
    void aCommandWithoutAPolicyProceedsOnceUntouched() {
        IllegalStateException down = new IllegalStateException("down");
        steps.failNext(2, down);
        CommandBus bus = bus(retry().build(), steps.spec("test.work"));

        CompletionStage<String> result = bus.dispatch(new Work("w"));

        assertThat(failure(result)).isSameAs(down);
        assertThat(steps.envelopes()).extracting(Envelope::attempt).containsExactly(1, 1);
        assertThat(steps.envelopes()).extracting(Envelope::resumeAt).containsExactly(0, 0);
        assertThat(scheduler.pending()).isZero();
        assertThat(deadLetters.list()).isEmpty();
        assertThat(listener.calls()).isEmpty();
    }

    @Test
    void aListenerThatThrowsIsIgnoredAndTheOthersAreStillCalled() {
        CommandListener throwing = new CommandListener() {
            @Override
            public void retried(CommandSpec<?> spec, Envelope<?> next, Throwable error, Duration delay) {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void deadLettered(CommandSpec<?> spec, DeadLetter deadLetter) {
                throw new IllegalStateException("listener bug");
            }
        };
        steps.failAlways(2, c -> new IllegalStateException("down"));
        RetryMiddleware retry = RetryMiddleware.builder().scheduler(scheduler).deadLetterSink(deadLetters)
                .listener(throwing).listener(listener).build();
        CommandBus bus = bus(retry, steps.spec("test.work", upTo(1, ofMillis(5))));

        try (LogCapture log = LogCapture.of("dev.trench.bus.middleware.internal.SafeListeners")) {
            CompletionStage<String> result = bus.dispatch(new Work("w"));
            scheduler.advance(ofMillis(5));

            assertThat(failure(result)).hasMessage("down");
            assertThat(listener.calls()).containsExactly("retried test.work attempt 2 resumeAt 1",
                    "deadLettered test.work");
            assertThat(deadLetters.list()).hasSize(1);
            assertThat(log.messages()).hasSize(2).allSatisfy(m -> assertThat(m).contains("threw from")
                    .contains("test.work"));
        }
    }

    @Test
    void aRetryRunsWithTheMdcTheDispatchHad() {
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        steps.duringHandler2(() -> seen.add(String.valueOf(MDC.get("requestId"))));
        steps.failNext(2, new IllegalStateException("down"));
        CommandBus bus = bus(retry().build(), steps.spec("test.work", upTo(1, ofMillis(5))));

        MDC.put("requestId", "r-42");
        CompletableFuture<String> result = bus.dispatch(new Work("w")).toCompletableFuture();
        MDC.clear();
        MDC.put("other", "kept");
        scheduler.advance(ofMillis(5));

        assertThat(result).isCompletedWithValue("done:w");
        assertThat(seen).containsExactly("r-42", "r-42");
        assertThat(MDC.get("requestId")).isNull();
        assertThat(MDC.get("other")).isEqualTo("kept");
    }

    @Test
    void aRetryThatCannotBeScheduledDeadLettersTheCommandWithTheFailuresSoFar() {
        IllegalStateException down = new IllegalStateException("down");
        steps.failNext(2, down);
        CommandBus bus = bus(retry().build(), steps.spec("test.work", upTo(3, ofMillis(5))));
        scheduler.shutdown();

        try (LogCapture log = LogCapture.of(RetryMiddleware.class)) {
            CompletionStage<String> result = bus.dispatch(new Work("w"));

            assertThat(failure(result)).isSameAs(down);
            assertThat(deadLetters.list()).singleElement().satisfies(letter -> {
                assertThat(letter.failures()).extracting(AttemptFailure::error).containsExactly(down);
                assertThat(letter.envelope().attempt()).isEqualTo(1);
            });
            assertThat(log.messages()).anySatisfy(m -> assertThat(m).contains("could not be retried after attempt 1"));
        }
    }

    @Test
    void theHighestPossibleRetryCountNeitherOverflowsNorWaitsLongerThanTheCap() {
        steps.failNext(2, new IllegalStateException("1"), new IllegalStateException("2"));
        RetryOnFail forever = new RetryOnFail(Integer.MAX_VALUE,
                RetryDelay.exponential(ofMillis(1), 1000, Duration.ofSeconds(Long.MAX_VALUE / 2)));
        CommandBus bus = bus(retry().maxDelay(ofSeconds(2)).build(), steps.spec("test.work", forever));

        CompletableFuture<String> result = bus.dispatch(new Work("w")).toCompletableFuture();
        scheduler.advance(ofMillis(1));
        assertThat(scheduler.pendingDelays()).containsExactly(ofSeconds(1));
        scheduler.advance(ofSeconds(1));

        assertThat(result).isCompletedWithValue("done:w");
        assertThat(listener.retryDelays).containsExactly(ofMillis(1), ofSeconds(1));
    }

    @Test
    void theBuilderRefusesBadValuesNamingTheField() {
        assertThatThrownBy(() -> RetryMiddleware.builder().build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("scheduler: is required (the retries wait on it without blocking a thread), was null");
        assertThatThrownBy(() -> RetryMiddleware.builder().maxDelay(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxDelay: must be between PT0S and PT24H, was PT-1S");
        assertThatThrownBy(() -> RetryMiddleware.builder().maxDelay(Duration.ofDays(2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxDelay: must be between PT0S and PT24H, was PT48H");
        assertThatThrownBy(() -> RetryMiddleware.builder().override(" ", upTo(1, ofMillis(1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("override: the command name must not be blank, was ' '");
    }

    @Test
    void itHonoursRetryOnFailAndMayProceedMoreThanOnce() {
        RetryMiddleware retry = retry().build();

        assertThat(retry.honours()).containsExactly(RetryOnFail.class);
        assertThat(retry.mayProceedMoreThanOnce()).isTrue();
    }
}
