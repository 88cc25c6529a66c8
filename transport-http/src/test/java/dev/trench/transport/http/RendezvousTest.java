package dev.trench.transport.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trench.transport.http.internal.Rendezvous;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Rendezvous hashing moves only the keys of the endpoint that left or joined, and spreads keys evenly. */
class RendezvousTest {
    private static final int KEYS = 20_000;

    private static Map<String, String> owners(List<String> endpoints) {
        Map<String, String> owners = new HashMap<>();
        for (int i = 0; i < KEYS; i++) {
            String key = "auction-" + i;
            owners.put(key, Rendezvous.pick(key, endpoints, Rendezvous::hash));
        }
        return owners;
    }

    private static List<String> endpoints(int n) {
        List<String> list = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            list.add("10.0.3." + i + ":8090");
        }
        return list;
    }

    @Test
    void keysAreSpreadEvenly() {
        Map<String, Integer> counts = new HashMap<>();
        owners(endpoints(5)).values().forEach(e -> counts.merge(e, 1, Integer::sum));

        assertThat(counts).hasSize(5);
        assertThat(counts.values()).allSatisfy(n -> assertThat(n).isBetween(KEYS / 5 * 85 / 100, KEYS / 5 * 115 / 100));
    }

    @Test
    void whenAnEndpointLeavesOnlyItsKeysMove() {
        List<String> before = endpoints(5);
        Map<String, String> owners = owners(before);
        List<String> after = new ArrayList<>(before);
        String leaving = after.remove(2);

        Map<String, String> next = owners(after);

        long owned = owners.values().stream().filter(leaving::equals).count();
        long moved = owners.keySet().stream().filter(k -> !owners.get(k).equals(next.get(k))).count();
        assertThat(moved).isEqualTo(owned);
        assertThat(owners.keySet()).filteredOn(k -> !owners.get(k).equals(leaving))
                .allSatisfy(k -> assertThat(next.get(k)).isEqualTo(owners.get(k)));
    }

    @Test
    void whenAnEndpointJoinsOnlyTheKeysItWinsMoveAllToIt() {
        List<String> before = endpoints(5);
        Map<String, String> owners = owners(before);
        List<String> after = new ArrayList<>(before);
        after.add("10.0.3.99:8090");

        Map<String, String> next = owners(after);

        List<String> moved = owners.keySet().stream().filter(k -> !owners.get(k).equals(next.get(k))).toList();
        assertThat(moved).allSatisfy(k -> assertThat(next.get(k)).isEqualTo("10.0.3.99:8090"));
        assertThat(moved.size()).as("about a sixth of the keys").isBetween(KEYS / 6 * 85 / 100, KEYS / 6 * 115 / 100);
    }

    @Test
    void theOrderOfTheEndpointListDoesNotMatter() {
        List<String> forward = endpoints(4);
        List<String> backward = new ArrayList<>(forward);
        java.util.Collections.reverse(backward);

        assertThat(owners(backward)).isEqualTo(owners(forward));
    }
}
