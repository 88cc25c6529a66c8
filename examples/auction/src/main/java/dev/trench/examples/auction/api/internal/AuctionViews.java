package dev.trench.examples.auction.api.internal;

import dev.trench.examples.auction.store.Auction;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** The JSON form of an auction in the API's answers; amounts as decimal strings, instants ISO-8601. */
public final class AuctionViews {
    private AuctionViews() {
    }

    /**
     * {@code {"id","title","highest","leader","seq","status","endsAt","startingPrice","minIncrement","minimumNextBid"}}.
     */
    public static Map<String, Object> of(Auction a, Instant now) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", a.id());
        view.put("title", a.title());
        view.put("highest", amount(a.highest()));
        view.put("leader", a.leader());
        view.put("seq", a.seq());
        view.put("status", a.statusAt(now));
        view.put("endsAt", a.endsAt().toString());
        view.put("startingPrice", amount(a.startingPrice()));
        view.put("minIncrement", amount(a.minIncrement()));
        view.put("minimumNextBid", amount(a.minimumNextBid()));
        return view;
    }

    private static @Nullable String amount(@Nullable BigDecimal value) {
        return value == null ? null : value.toPlainString();
    }
}
