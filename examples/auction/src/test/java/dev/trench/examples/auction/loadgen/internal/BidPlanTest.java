package dev.trench.examples.auction.loadgen.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trench.examples.auction.loadgen.internal.BidPlan.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** Which auction, bidder and kind each bid of a run has. */
class BidPlanTest {

    @Test
    void exactlyTheShareOfBidsIsInvalidAlternatingTooLowAndMalformed() {
        BidPlan plan = new BidPlan(2, 4, 0.2);

        List<Kind> kinds = LongStream.range(0, 50).mapToObj(plan::kind).toList();

        assertThat(kinds).filteredOn(k -> k != Kind.VALID).hasSize(10);
        assertThat(kinds).filteredOn(k -> k == Kind.TOO_LOW).hasSize(5);
        assertThat(kinds).filteredOn(k -> k == Kind.MALFORMED).hasSize(5);
        assertThat(plan.invalidAmong(50)).isEqualTo(10);
        // evenly spread: one in every five
        assertThat(kinds.subList(0, 5)).containsExactly(Kind.VALID, Kind.VALID, Kind.VALID, Kind.VALID, Kind.TOO_LOW);
        assertThat(kinds.get(9)).isEqualTo(Kind.MALFORMED);
    }

    @Test
    void noShareMeansEveryBidIsValidAndAllMeansNone() {
        assertThat(LongStream.range(0, 100).mapToObj(new BidPlan(1, 1, 0)::kind)).containsOnly(Kind.VALID);
        assertThat(LongStream.range(0, 100).mapToObj(new BidPlan(1, 1, 1)::kind)).doesNotContain(Kind.VALID);
    }

    @Test
    void bidsGoRoundRobinOverAuctionsAndBiddersTakeTurnsOnEach() {
        BidPlan plan = new BidPlan(2, 3, 0);
        List<String> pairs = new ArrayList<>();
        for (long n = 0; n < 8; n++) {
            pairs.add(plan.auction(n) + ":" + plan.bidder(n));
        }
        assertThat(pairs).containsExactly("0:0", "1:0", "0:1", "1:1", "0:2", "1:2", "0:0", "1:0");
    }

    @Test
    void malformedBodiesCycleThroughTheList() {
        BidPlan plan = new BidPlan(1, 1, 1);
        List<String> bodies = LongStream.range(0, 16).filter(n -> plan.kind(n) == Kind.MALFORMED)
                .mapToObj(plan::malformedBody).toList();
        assertThat(bodies).containsExactly(BidPlan.MALFORMED_BODIES[0], BidPlan.MALFORMED_BODIES[1],
                BidPlan.MALFORMED_BODIES[2], BidPlan.MALFORMED_BODIES[3], BidPlan.MALFORMED_BODIES[0],
                BidPlan.MALFORMED_BODIES[1], BidPlan.MALFORMED_BODIES[2], BidPlan.MALFORMED_BODIES[3]);
    }

    @Test
    void refusesNonsense() {
        assertThatThrownBy(() -> new BidPlan(0, 1, 0.1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BidPlan(1, 1, 1.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BidPlan(1, 1, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }
}
