package dev.trench.transport.http.internal;

import java.util.List;
import java.util.function.ToLongFunction;
import org.jspecify.annotations.Nullable;

/**
 * Rendezvous (highest random weight) hashing: a key goes to the endpoint with the highest score
 * {@code mix(hash(key) ^ hash(endpoint))}. Every endpoint is scored independently, so when one joins only the keys
 * it now wins move (to it), and when one leaves only its own keys move (each to its second choice); no ring to
 * rebuild, no static instance count.
 */
public final class Rendezvous {
    private Rendezvous() {
    }

    /** A well-mixed 64-bit hash of a string (FNV-1a over its UTF-16 units, then a MurmurHash3 finaliser). */
    public static long hash(String s) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        return mix(h);
    }

    /** The score of an endpoint for a key; both hashes from {@link #hash(String)}. */
    public static long score(long keyHash, long endpointHash) {
        return mix(keyHash ^ endpointHash);
    }

    /**
     * The candidate with the highest score for the key; ties (vanishingly rare) go to the lower endpoint hash.
     *
     * @return {@code null} when there is no candidate
     */
    public static <T> @Nullable T pick(String key, List<T> candidates, ToLongFunction<T> endpointHash) {
        long k = hash(key);
        T best = null;
        long bestScore = 0;
        long bestHash = 0;
        for (T c : candidates) {
            long h = endpointHash.applyAsLong(c);
            long s = score(k, h);
            if (best == null || s > bestScore || (s == bestScore && h < bestHash)) {
                best = c;
                bestScore = s;
                bestHash = h;
            }
        }
        return best;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }
}
