package dev.trench.examples.auction.ws;

import static dev.trench.examples.auction.ws.TestEvents.raised;
import static dev.trench.examples.auction.ws.TestEvents.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Per-auction sequence order: stale and duplicate events, reordering, gaps, and snapshots racing events. */
@Timeout(60)
class WebSocketNodeOrderingTest {

    private static String describe(JsonNode m) {
        return m.path("type").asText() + "#" + m.path("seq").asLong();
    }

    @Test
    void staleAndDuplicateEventsAreDroppedAndTheRestArriveInOrder() throws Exception {
        try (NodeFixture f = new NodeFixture(); WsTestClient client = WsTestClient.connect(f.port)) {
            f.snapshots.current.put("A1", snapshot("A1", 0));
            client.subscribe("A1");

            for (long seq : new long[] {1, 2, 2, 1, 3, 3, 2, 4}) {
                f.node.accept(raised("A1", seq));
            }

            assertThat(client.until("A1", 4)).extracting(WebSocketNodeOrderingTest::describe)
                    .containsExactly("AuctionRaised#1", "AuctionRaised#2", "AuctionRaised#3", "AuctionRaised#4");
            assertThat(f.counter(WebSocketMeters.EVENTS_DROPPED, "reason", "duplicate")).isEqualTo(2);
            assertThat(f.counter(WebSocketMeters.EVENTS_DROPPED, "reason", "stale")).isEqualTo(2);
            assertThat(f.counter(WebSocketMeters.GAPS)).isZero();
        }
    }

    @Test
    void eventsThatOvertakeEachOtherWithinTheReorderWindowAreDeliveredInOrderWithoutASnapshot() throws Exception {
        try (NodeFixture f = new NodeFixture(b -> b.reorderWindow(Duration.ofSeconds(30)));
                WsTestClient client = WsTestClient.connect(f.port)) {
            f.snapshots.current.put("A1", snapshot("A1", 0));
            client.subscribe("A1");

            f.node.accept(raised("A1", 1));
            f.node.accept(raised("A1", 4));
            f.node.accept(raised("A1", 3));
            f.node.accept(raised("A1", 4));
            f.node.accept(raised("A1", 2));
            f.node.accept(raised("A1", 5));

            assertThat(client.until("A1", 5)).extracting(WebSocketNodeOrderingTest::describe).containsExactly(
                    "AuctionRaised#1", "AuctionRaised#2", "AuctionRaised#3", "AuctionRaised#4", "AuctionRaised#5");
            assertThat(f.snapshots.fetchCount("A1")).as("only the subscribe fetched a snapshot").isEqualTo(1);
            assertThat(f.counter(WebSocketMeters.EVENTS_REORDERED)).isEqualTo(2);
            assertThat(f.counter(WebSocketMeters.EVENTS_DROPPED, "reason", "duplicate")).isEqualTo(1);
            assertThat(f.counter(WebSocketMeters.GAPS)).isZero();
        }
    }

    @Test
    void aGapThatOutlivesTheReorderWindowBringsASnapshotAndLaterEventsContinue() throws Exception {
        try (NodeFixture f = new NodeFixture(b -> b.reorderWindow(Duration.ofMillis(20)));
                WsTestClient client = WsTestClient.connect(f.port)) {
            f.snapshots.current.put("A1", snapshot("A1", 0));
            client.subscribe("A1");
            f.node.accept(raised("A1", 1));
            assertThat(describe(client.next())).isEqualTo("AuctionRaised#1");

            // events 2 and 3 never come to this node; the store is at 4
            f.snapshots.current.put("A1", snapshot("A1", 4));
            f.node.accept(raised("A1", 4));

            JsonNode resync = client.next();
            assertThat(resync.path("type").asText()).isEqualTo("Snapshot");
            assertThat(resync.path("seq").asLong()).isEqualTo(4);
            assertThat(resync.path("highest").asText()).isEqualTo("14.00");
            assertThat(resync.path("leader").asText()).isEqualTo("u4");

            f.node.accept(raised("A1", 3));
            f.node.accept(raised("A1", 5));
            assertThat(describe(client.next())).isEqualTo("AuctionRaised#5");
            assertThat(f.counter(WebSocketMeters.GAPS)).isEqualTo(1);
            assertThat(f.counter(WebSocketMeters.EVENTS_DROPPED, "reason", "stale")).as("4 (covered), 3")
                    .isEqualTo(2);
        }
    }

    @Test
    void eventsArrivingWhileAGapSnapshotIsFetchedAreHeldThenThoseItCoversAreDropped() throws Exception {
        try (NodeFixture f = new NodeFixture(); WsTestClient client = WsTestClient.connect(f.port)) {
            f.snapshots.current.put("A1", snapshot("A1", 0));
            client.subscribe("A1");
            f.node.accept(raised("A1", 1));
            assertThat(describe(client.next())).isEqualTo("AuctionRaised#1");

            f.snapshots.hold();
            f.node.accept(raised("A1", 3)); // gap: 2 is missing
            ScriptedSnapshots.Pending fetch = f.snapshots.nextHeld();
            f.node.accept(raised("A1", 4));
            f.node.accept(raised("A1", 5));
            f.node.accept(raised("A1", 6));
            // the store was at 5 when the API answered
            fetch.answer().complete(Optional.of(snapshot("A1", 5)));

            List<JsonNode> after = client.until("A1", 6);
            assertThat(after).extracting(WebSocketNodeOrderingTest::describe)
                    .containsExactly("Snapshot#5", "AuctionRaised#6");
            assertThat(after.get(0).path("leader").asText()).isEqualTo("u5");
            assertThat(f.counter(WebSocketMeters.EVENTS_DROPPED, "reason", "stale")).as("3, 4, 5").isEqualTo(3);
        }
    }

    @Test
    void aSnapshotOlderThanTheHeldEventsStillEndsTheGapWithTheNewerEventsInOrder() throws Exception {
        try (NodeFixture f = new NodeFixture(); WsTestClient client = WsTestClient.connect(f.port)) {
            f.snapshots.current.put("A1", snapshot("A1", 0));
            client.subscribe("A1");
            f.node.accept(raised("A1", 1));
            assertThat(describe(client.next())).isEqualTo("AuctionRaised#1");

            f.snapshots.hold();
            f.node.accept(raised("A1", 4)); // 2 and 3 missing
            ScriptedSnapshots.Pending fetch = f.snapshots.nextHeld();
            f.node.accept(raised("A1", 5));
            fetch.answer().complete(Optional.of(snapshot("A1", 2))); // a lagging replica: 3 is lost for good

            assertThat(client.until("A1", 5)).extracting(WebSocketNodeOrderingTest::describe)
                    .containsExactly("Snapshot#2", "AuctionRaised#4", "AuctionRaised#5");
            f.snapshots.release();
            f.node.accept(raised("A1", 6));
            assertThat(describe(client.next())).isEqualTo("AuctionRaised#6");
            assertThat(f.snapshots.fetchCount("A1")).as("no second resync for the same gap").isEqualTo(2);
        }
    }

    @Test
    void aSubscriberWaitingForItsSnapshotGetsTheStateAtTheLastEventAndThenOnlyNewerEvents() throws Exception {
        try (NodeFixture f = new NodeFixture(); WsTestClient watcher = WsTestClient.connect(f.port);
                WsTestClient late = WsTestClient.connect(f.port)) {
            f.snapshots.hold();
            watcher.send("{\"subscribe\": \"A1\"}");
            ScriptedSnapshots.Pending fetch = f.snapshots.nextHeld();
            // events arrive before the API answered; the first one the node sees sets its baseline
            f.node.accept(raised("A1", 7));
            f.node.accept(raised("A1", 8));
            fetch.answer().complete(Optional.of(snapshot("A1", 7))); // read before 8 was placed

            List<JsonNode> seen = watcher.next(1);
            assertThat(seen).extracting(WebSocketNodeOrderingTest::describe).containsExactly("Snapshot#8");
            assertThat(seen.get(0).path("highest").asText()).as("merged with event 8").isEqualTo("18.00");
            assertThat(seen.get(0).path("leader").asText()).isEqualTo("u8");
            assertThat(seen.get(0).path("title").asText()).isEqualTo("Lamp A1");

            // a later subscriber gets the node's current state at once, without another fetch
            JsonNode lateSnapshot = late.subscribe("A1");
            assertThat(lateSnapshot.path("seq").asLong()).isEqualTo(8);
            assertThat(f.snapshots.fetchCount("A1")).isEqualTo(1);

            f.node.accept(raised("A1", 9));
            assertThat(describe(watcher.next())).isEqualTo("AuctionRaised#9");
            assertThat(describe(late.next())).isEqualTo("AuctionRaised#9");
        }
    }

    @Test
    void aSnapshotNewerThanTheNodeBringsEverySubscriberUpToItAndSkipsTheEventsItCovers() throws Exception {
        try (NodeFixture f = new NodeFixture(); WsTestClient early = WsTestClient.connect(f.port);
                WsTestClient fresh = WsTestClient.connect(f.port)) {
            f.snapshots.hold();
            early.send("{\"subscribe\": \"A1\"}");
            f.snapshots.nextHeld().answer().complete(Optional.empty()); // unknown yet: no snapshot
            // the answer may reach the auction's thread before or after this event: either way early gets it once
            f.node.accept(raised("A1", 1));
            assertThat(describe(early.next())).isEqualTo("AuctionRaised#1");

            fresh.send("{\"subscribe\": \"A1\"}");
            f.snapshots.nextHeld().answer().complete(Optional.of(snapshot("A1", 3))); // 2 and 3 still on their way

            assertThat(describe(fresh.next())).isEqualTo("Snapshot#3");
            assertThat(describe(early.next())).isEqualTo("Snapshot#3");
            f.node.accept(raised("A1", 2));
            f.node.accept(raised("A1", 3));
            f.node.accept(raised("A1", 4));
            assertThat(describe(fresh.next())).isEqualTo("AuctionRaised#4");
            assertThat(describe(early.next())).isEqualTo("AuctionRaised#4");
        }
    }

    @Test
    void whenTheSnapshotCannotBeFetchedTheSubscriberStillGetsTheEvents() throws Exception {
        try (NodeFixture f = new NodeFixture(b -> b.snapshotTimeout(Duration.ofMillis(200)));
                WsTestClient client = WsTestClient.connect(f.port)) {
            f.snapshots.hold();
            client.send("{\"subscribe\": \"A1\"}");
            f.snapshots.nextHeld(); // never answered: times out
            f.snapshots.release();

            org.awaitility.Awaitility.await().until(() -> f.counter(WebSocketMeters.SNAPSHOT_FAILURES) == 1);
            f.node.accept(raised("A1", 1));
            f.node.accept(raised("A1", 2));
            assertThat(client.next(2)).extracting(WebSocketNodeOrderingTest::describe)
                    .containsExactly("AuctionRaised#1", "AuctionRaised#2");
        }
    }

    @Test
    void withoutASnapshotAWaitingSubscriberGetsTheNewestEventItMissedThenTheNextOnes() throws Exception {
        try (NodeFixture f = new NodeFixture(); WsTestClient client = WsTestClient.connect(f.port)) {
            f.snapshots.hold();
            client.send("{\"subscribe\": \"A1\"}");
            ScriptedSnapshots.Pending fetch = f.snapshots.nextHeld();
            f.node.accept(raised("A1", 1));
            f.node.accept(raised("A1", 2));
            fetch.answer().complete(Optional.empty()); // the source does not know the auction (yet)

            JsonNode newest = client.next();
            assertThat(describe(newest)).isEqualTo("AuctionRaised#2");
            assertThat(newest.path("amount").asText()).isEqualTo("12.00");
            f.node.accept(raised("A1", 3));
            assertThat(describe(client.next())).isEqualTo("AuctionRaised#3");
        }
    }

    @Test
    void aGapWithNoSubscriberIsSkippedWithoutFetching() throws Exception {
        try (NodeFixture f = new NodeFixture(); WsTestClient client = WsTestClient.connect(f.port)) {
            f.node.accept(raised("A1", 1));
            f.node.accept(raised("A1", 5));
            f.node.accept(raised("A1", 3));
            f.snapshots.current.put("A1", snapshot("A1", 5));

            client.subscribe("A1");
            f.node.accept(raised("A1", 6));
            assertThat(describe(client.next())).isEqualTo("AuctionRaised#6");
            assertThat(f.snapshots.fetchCount("A1")).as("only for the subscriber").isEqualTo(1);
            assertThat(f.counter(WebSocketMeters.GAPS)).isEqualTo(1);
            assertThat(f.counter(WebSocketMeters.EVENTS_DROPPED, "reason", "stale")).isEqualTo(1);
        }
    }
}
