package dev.trench.transport.zmq.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class StreamsTest {
    private final Streams streams = new Streams(2);
    private final UUID p1 = UUID.randomUUID();

    @Test
    void theFirstEventOfAPublisherIsItsBaseline() {
        assertThat(streams.observe(p1, 41, false)).isZero();
        assertThat(streams.observe(p1, 42, false)).isZero();
    }

    @Test
    void aJumpCountsTheEventsInBetween() {
        streams.observe(p1, 1, false);

        assertThat(streams.observe(p1, 5, false)).isEqualTo(3);
        assertThat(streams.observe(p1, 6, false)).isZero();
    }

    @Test
    void aHeartbeatRevealsEventsLostAtTheTail() {
        streams.observe(p1, 1, false);

        assertThat(streams.observe(p1, 1, true)).isZero();
        assertThat(streams.observe(p1, 4, true)).isEqualTo(3);
        assertThat(streams.observe(p1, 5, false)).isZero();
    }

    @Test
    void anEventAtOrBelowTheLastOneIsStale() {
        streams.observe(p1, 7, false);

        assertThat(streams.observe(p1, 7, false)).isEqualTo(Streams.STALE);
        assertThat(streams.observe(p1, 3, false)).isEqualTo(Streams.STALE);
    }

    @Test
    void onlyTheMostRecentPublishersAreTracked() {
        UUID p2 = UUID.randomUUID();
        UUID p3 = UUID.randomUUID();
        streams.observe(p1, 1, false);
        streams.observe(p2, 1, false);
        streams.observe(p3, 1, false);

        assertThat(streams.size()).isEqualTo(2);
        assertThat(streams.observe(p1, 9, false)).as("p1 was forgotten: a new baseline").isZero();
    }

    @Test
    void streamFramesRoundTrip() {
        byte[] frame = Frames.stream(p1, 123_456_789_012L);

        assertThat(Frames.isStream(frame)).isTrue();
        assertThat(Frames.publisher(frame)).isEqualTo(p1);
        assertThat(Frames.seq(frame)).isEqualTo(123_456_789_012L);
        assertThat(Frames.isStream(new byte[25])).as("version 0").isFalse();
    }
}
