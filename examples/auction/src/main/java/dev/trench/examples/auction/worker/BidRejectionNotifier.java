package dev.trench.examples.auction.worker;

import dev.trench.bus.CommandRejectedException;
import dev.trench.bus.Envelope;
import dev.trench.bus.MessageId;
import dev.trench.bus.Middleware;
import dev.trench.bus.Outcome;
import dev.trench.examples.auction.raisebid.BidRejected;
import dev.trench.examples.auction.raisebid.RaiseBid;
import dev.trench.bus.spi.EventEnvelope;
import dev.trench.bus.spi.EventPublisher;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker-side middleware that tells a bidder why a bid was refused: when a {@link RaiseBid} fails with a
 * {@link CommandRejectedException} ({@code bid-too-low}, {@code auction-closed}, {@code unknown-auction}), it publishes
 * a {@link BidRejected} event, which the websocket nodes pass only to the bidder's own sessions.
 *
 * <p>The events middleware publishes only after success, so a refusal needs this link. It sits just inside the events
 * middleware (outside async and retry): it sees the dispatch's final outcome once, after any retries. The dispatch
 * still fails with the rejection (the worker logs it and counts it), and completes only once the event was handed to
 * the publisher. Other commands and other failures pass untouched. Publication failures are logged, never thrown into the bus.
 *
 * <p>The event envelope carries the command's correlation id, the command id as causation id, and its headers, like
 * the events the events middleware publishes.
 */
public final class BidRejectionNotifier implements Middleware {
    private static final Logger LOG = LoggerFactory.getLogger(BidRejectionNotifier.class);

    private final EventPublisher publisher;
    private final Clock clock;
    private final Supplier<MessageId> eventIds;

    /**
     * A notifier publishing to {@code publisher}.
     *
     * @param clock for the event's time and id
     */
    public BidRejectionNotifier(EventPublisher publisher, Clock clock) {
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.eventIds = MessageId.generator(clock);
    }

    @Override
    public CompletionStage<Outcome> handle(Chain chain) {
        Envelope<?> envelope = chain.envelope();
        CompletionStage<Outcome> stage = chain.proceed(envelope);
        if (!(envelope.command() instanceof RaiseBid bid)) {
            return stage;
        }
        String commandName = chain.spec().name();
        CompletableFuture<Outcome> result = new CompletableFuture<>();
        stage.whenComplete((outcome, error) -> {
            if (error == null) {
                result.complete(outcome);
                return;
            }
            Throwable failure = unwrap(error);
            if (failure instanceof CommandRejectedException rejected) {
                notifyBidder(envelope, commandName, bid, rejected); // handed over before the dispatch completes
            }
            result.completeExceptionally(failure);
        });
        return result;
    }

    private void notifyBidder(Envelope<?> envelope, String commandName, RaiseBid bid,
            CommandRejectedException rejected) {
        BidRejected event = new BidRejected(bid.auctionId(), bid.userId(), bid.amount(), rejected.reason(),
                rejected.getMessage(), envelope.commandId().toString(), clock.instant());
        EventEnvelope<BidRejected> wrapped = new EventEnvelope<>(eventIds.get(), envelope.correlationId(),
                envelope.commandId(), commandName, clock.instant(), envelope.headers(), event);
        try {
            publisher.publish(wrapped).whenComplete((ignored, error) -> {
                if (error != null) {
                    LOG.warn("Could not publish BidRejected for command {} (auction {}, user {}): {}",
                            envelope.commandId(), bid.auctionId(), bid.userId(), unwrap(error).toString());
                }
            });
        } catch (RuntimeException e) {
            LOG.warn("Could not publish BidRejected for command {} (auction {}, user {})", envelope.commandId(),
                    bid.auctionId(), bid.userId(), e);
        }
    }

    private static Throwable unwrap(Throwable t) {
        Throwable e = t;
        while (e instanceof CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    @Override
    public String toString() {
        return "BidRejectionNotifier{" + publisher.getClass().getSimpleName() + "}";
    }
}
