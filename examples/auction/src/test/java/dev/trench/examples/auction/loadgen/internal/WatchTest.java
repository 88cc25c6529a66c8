package dev.trench.examples.auction.loadgen.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trench.examples.auction.loadgen.internal.Watch.Outcome;
import org.junit.jupiter.api.Test;

/** The counting rules of one client's view of one auction. */
class WatchTest {

    @Test
    void theFirstFrameConfirmsAndSetsTheBaseWithoutCountingAsReceived() {
        Watch w = new Watch(0);
        assertThat(w.confirmed()).isFalse();

        assertThat(w.snapshot(7)).isEqualTo(Outcome.CONFIRMED);

        assertThat(w.confirmed()).isTrue();
        assertThat(w.base()).isEqualTo(7);
        assertThat(w.received()).isZero();
        assertThat(w.expected(10)).isEqualTo(3);
        assertThat(w.expected(5)).isZero();
    }

    @Test
    void inOrderFramesAreReceivedAndNothingIsLost() {
        Watch w = new Watch(0);
        w.snapshot(0);

        assertThat(w.raised(1)).isEqualTo(Outcome.RECEIVED);
        assertThat(w.raised(2)).isEqualTo(Outcome.RECEIVED);
        assertThat(w.raised(3)).isEqualTo(Outcome.RECEIVED);

        assertThat(w.received()).isEqualTo(3);
        assertThat(w.lost(3)).isZero();
        assertThat(w.duplicates()).isZero();
        assertThat(w.reordered()).isZero();
    }

    @Test
    void aMissingSeqIsLostAndSoAreTheOnesAfterTheLastReceived() {
        Watch w = new Watch(0);
        w.snapshot(0);
        w.raised(1);
        w.raised(3);

        assertThat(w.lost(3)).isEqualTo(1);
        assertThat(w.lost(5)).isEqualTo(3);
        assertThat(w.reordered()).isZero();
    }

    @Test
    void aRepeatedSeqIsADuplicateOnly() {
        Watch w = new Watch(0);
        w.snapshot(0);
        w.raised(1);
        w.raised(2);

        assertThat(w.raised(1)).isEqualTo(Outcome.DUPLICATE);
        assertThat(w.raised(2)).isEqualTo(Outcome.DUPLICATE);

        assertThat(w.duplicates()).isEqualTo(2);
        assertThat(w.reordered()).isZero();
        assertThat(w.received()).isEqualTo(2);
    }

    @Test
    void aLateSeqIsReorderedAndStillReceived() {
        Watch w = new Watch(0);
        w.snapshot(0);
        w.raised(1);
        w.raised(3);

        assertThat(w.raised(2)).isEqualTo(Outcome.RECEIVED_LATE);

        assertThat(w.reordered()).isEqualTo(1);
        assertThat(w.lost(3)).isZero();
    }

    @Test
    void aSnapshotMovesTheClientForwardButFillsNoGap() {
        Watch w = new Watch(0);
        w.snapshot(0);
        w.raised(1);

        assertThat(w.snapshot(4)).isEqualTo(Outcome.RESYNCED);
        assertThat(w.raised(5)).isEqualTo(Outcome.RECEIVED);

        assertThat(w.highestShown()).isEqualTo(5);
        assertThat(w.lost(5)).as("2, 3 and 4 only came as a snapshot").isEqualTo(3);
        assertThat(w.resyncs()).isEqualTo(1);
        // an event the snapshot covered, arriving after it, is reordered (and received)
        assertThat(w.raised(3)).isEqualTo(Outcome.RECEIVED_LATE);
        assertThat(w.lost(5)).isEqualTo(2);
    }

    @Test
    void aSeqAtOrBelowTheBaseIsADuplicateWhenEqualAndStaleWhenLower() {
        Watch w = new Watch(0);
        w.snapshot(5);

        assertThat(w.raised(5)).isEqualTo(Outcome.DUPLICATE);
        assertThat(w.raised(4)).isEqualTo(Outcome.STALE);

        assertThat(w.duplicates()).isEqualTo(1);
        assertThat(w.reordered()).isEqualTo(1);
        assertThat(w.received()).isZero();
    }

    @Test
    void anAuctionRaisedBeforeAnySnapshotConfirms() {
        Watch w = new Watch(2);

        assertThat(w.raised(9)).isEqualTo(Outcome.CONFIRMED);

        assertThat(w.base()).isEqualTo(9);
        assertThat(w.auction()).isEqualTo(2);
        assertThat(w.raised(10)).isEqualTo(Outcome.RECEIVED);
    }

    @Test
    void anAbsurdSeqIsNotRecorded() {
        Watch w = new Watch(0);
        w.snapshot(0);

        assertThat(w.raised(Watch.MAX_SPAN + 1)).isEqualTo(Outcome.OUT_OF_RANGE);

        assertThat(w.outOfRange()).isEqualTo(1);
        assertThat(w.received()).isZero();
    }
}
