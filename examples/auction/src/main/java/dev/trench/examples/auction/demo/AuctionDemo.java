package dev.trench.examples.auction.demo;

import dev.trench.bus.CommandBus;
import dev.trench.examples.auction.openauction.OpenAuction;
import dev.trench.examples.auction.raisebid.RaiseBid;
import dev.trench.examples.auction.store.Auction;
import dev.trench.examples.auction.store.AuctionStore;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the page alive: opens a few auctions and lets a few bidding bots bid on them at a gentle pace, through the
 * API's bus like any other client (so every bid goes over HTTP to a worker and its event over ZeroMQ to the
 * websocket nodes). Most bids are valid and rising; a configurable share is too low on purpose and is refused by the
 * worker. When an auction closes, a new one is opened, so there are always {@link DemoSettings#auctions()} open.
 *
 * <p>Runs on one daemon thread of its own; {@link #close()} stops it and waits for it.
 */
public final class AuctionDemo implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuctionDemo.class);
    private static final String[] TITLES = {"Brass desk lamp", "Vintage typewriter", "Oak bookshelf",
        "Signed vinyl record", "Mechanical wristwatch", "Copper kettle", "Leather armchair", "Film camera",
        "Porcelain teapot", "Road bicycle"};
    private static final String[] BOTS = {"anna", "ben", "chloe", "dev", "emil", "fatou", "gus", "hana"};
    private static final BigDecimal[] STARTING_PRICES = {new BigDecimal("10.00"), new BigDecimal("25.00"),
        new BigDecimal("40.00"), new BigDecimal("5.50")};

    private final CommandBus bus;
    private final AuctionStore store;
    private final DemoSettings settings;
    private final Clock clock;
    private final ScheduledExecutorService thread;
    private final List<String> bots = new ArrayList<>();
    private final List<String> demoAuctions = new ArrayList<>();
    private final AtomicLong bidsSent = new AtomicLong();
    private final AtomicLong bidsAccepted = new AtomicLong();
    private long nextAuction = 1;

    private AuctionDemo(CommandBus bus, AuctionStore store, DemoSettings settings, Clock clock) {
        this.bus = bus;
        this.store = store;
        this.settings = settings;
        this.clock = clock;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "auction-demo");
            t.setDaemon(true);
            return t;
        });
        for (int i = 0; i < settings.bots(); i++) {
            bots.add("bot-" + BOTS[i % BOTS.length] + (i < BOTS.length ? "" : "-" + (i / BOTS.length + 1)));
        }
    }

    /**
     * Starts the demo: opens its auctions at once, then bids every {@link DemoSettings#bidInterval()}.
     *
     * @param bus   the API's bus (commands go to the workers)
     * @param store where the bots read the current highest bid
     */
    public static AuctionDemo start(CommandBus bus, AuctionStore store, DemoSettings settings, Clock clock) {
        AuctionDemo demo = new AuctionDemo(Objects.requireNonNull(bus, "bus"), Objects.requireNonNull(store, "store"),
                Objects.requireNonNull(settings, "settings"), Objects.requireNonNull(clock, "clock"));
        long every = settings.bidInterval().toMillis();
        demo.thread.execute(demo::keepAuctionsOpen);
        demo.thread.scheduleWithFixedDelay(demo::tick, every, every, TimeUnit.MILLISECONDS);
        return demo;
    }

    /** The bots' user ids. */
    public List<String> bots() {
        return List.copyOf(bots);
    }

    /** Bids the bots sent so far. */
    public long bidsSent() {
        return bidsSent.get();
    }

    /** Bids a worker acknowledged (accepted for handling; a too-low one is refused afterwards). */
    public long bidsAcknowledged() {
        return bidsAccepted.get();
    }

    private void tick() {
        try {
            keepAuctionsOpen();
            bidOnce();
        } catch (RuntimeException e) {
            LOG.warn("demo tick failed; the demo goes on", e);
        }
    }

    private void keepAuctionsOpen() {
        Instant now = clock.instant();
        int open = 0;
        List<String> stillOpen = new ArrayList<>();
        for (String id : demoAuctions) {
            Auction a = store.find(id).orElse(null);
            if (a == null || a.isOpenAt(now)) {
                stillOpen.add(id); // not handled yet, or open
                open++;
            }
        }
        demoAuctions.retainAll(stillOpen);
        while (open < settings.auctions()) {
            openAuction(now);
            open++;
        }
    }

    private void openAuction(Instant now) {
        long n = nextAuction++;
        String id = "demo-" + n;
        String title = TITLES[(int) ((n - 1) % TITLES.length)];
        BigDecimal start = STARTING_PRICES[(int) ((n - 1) % STARTING_PRICES.length)];
        OpenAuction command = new OpenAuction(id, title, start, new BigDecimal("0.50"),
                now.plus(settings.auctionDuration()));
        demoAuctions.add(id);
        bus.dispatch(command).whenComplete((accepted, error) -> {
            if (error != null) {
                LOG.warn("demo could not open auction {}: {}", id, error.toString());
            } else {
                LOG.info("demo opened auction {} ({}), command {}", id, title, accepted.commandId());
            }
        });
    }

    private void bidOnce() {
        Instant now = clock.instant();
        List<Auction> open = store.listOpen(now);
        if (open.isEmpty()) {
            return;
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        Auction auction = open.get(random.nextInt(open.size()));
        String bot = bots.get(random.nextInt(bots.size()));
        BigDecimal amount;
        if (random.nextInt(100) < settings.tooLowShare() && auction.highest() != null) {
            amount = auction.highest(); // not above the highest: refused with bid-too-low
        } else {
            amount = auction.minimumNextBid().add(auction.minIncrement().multiply(BigDecimal.valueOf(
                    random.nextInt(4))));
        }
        bidsSent.incrementAndGet();
        bus.dispatch(new RaiseBid(auction.id(), bot, amount)).whenComplete((accepted, error) -> {
            if (error != null) {
                LOG.warn("demo bid of {} on {} was not accepted by a worker: {}", bot, auction.id(), error.toString());
            } else {
                bidsAccepted.incrementAndGet();
            }
        });
    }

    /** Stops the bots (bids in flight complete on their own). */
    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("demo stopped after {} bids ({} acknowledged)", bidsSent.get(), bidsAccepted.get());
    }
}
