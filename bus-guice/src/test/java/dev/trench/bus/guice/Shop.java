package dev.trench.bus.guice;

import dev.trench.bus.Command;
import dev.trench.bus.CommandHandler;
import dev.trench.bus.CommandRejectedException;
import dev.trench.bus.CommandSpec;
import dev.trench.bus.HandlerContext;
import dev.trench.bus.InvalidCommandException;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A small shop domain for the Guice tests: commands, handlers with injected dependencies, a repository. */
final class Shop {
    private Shop() {
    }

    /** Places an order; its result is the order reference. */
    record PlaceOrder(String sku, int quantity) implements Command<String> {
        PlaceOrder {
            InvalidCommandException.requireText("sku", sku);
            if (quantity <= 0) {
                throw new InvalidCommandException("quantity", "must be positive, was " + quantity);
            }
        }
    }

    /** Cancels an order; no result. */
    record CancelOrder(String reference) implements Command<Void> {
    }

    /** The repository the handlers depend on. */
    interface Stock {
        int available(String sku);

        void take(String sku, int quantity);
    }

    /** A client nobody binds, to show what happens when a handler's dependency is missing. */
    interface PaymentClient {
        void charge(String reference);
    }

    @Singleton
    static final class InMemoryStock implements Stock {
        private final Map<String, Integer> levels = new ConcurrentHashMap<>();

        void put(String sku, int quantity) {
            levels.put(sku, quantity);
        }

        @Override
        public int available(String sku) {
            return levels.getOrDefault(sku, 0);
        }

        @Override
        public void take(String sku, int quantity) {
            levels.merge(sku, -quantity, Integer::sum);
        }
    }

    /** Where handlers and middleware write what they did, in order. */
    @Singleton
    static final class CallLog {
        private final List<String> entries = new CopyOnWriteArrayList<>();

        void add(String entry) {
            entries.add(entry);
        }

        List<String> entries() {
            return List.copyOf(entries);
        }
    }

    static final class CheckStock implements CommandHandler<PlaceOrder, String> {
        private final Stock stock;
        private final CallLog log;

        @Inject
        CheckStock(Stock stock, CallLog log) {
            this.stock = stock;
            this.log = log;
        }

        @Override
        public void handle(PlaceOrder command, HandlerContext<String> context) {
            log.add("CheckStock");
            if (stock.available(command.sku()) < command.quantity()) {
                throw new CommandRejectedException("out-of-stock", "only " + stock.available(command.sku())
                        + " of " + command.sku() + " left");
            }
        }
    }

    static final class TakeStock implements CommandHandler<PlaceOrder, String> {
        private final Stock stock;
        private final CallLog log;

        @Inject
        TakeStock(Stock stock, CallLog log) {
            this.stock = stock;
            this.log = log;
        }

        @Override
        public void handle(PlaceOrder command, HandlerContext<String> context) {
            log.add("TakeStock");
            stock.take(command.sku(), command.quantity());
            context.result("order-" + command.sku() + "-" + command.quantity());
        }
    }

    static final class ConfirmOrder implements CommandHandler<PlaceOrder, String> {
        private final CallLog log;

        @Inject
        ConfirmOrder(CallLog log) {
            this.log = log;
        }

        @Override
        public void handle(PlaceOrder command, HandlerContext<String> context) {
            log.add("ConfirmOrder");
            context.result(context.currentResult() + " confirmed");
        }
    }

    /** Needs a client no module binds. */
    static final class ChargeCard implements CommandHandler<PlaceOrder, String> {
        @Inject
        ChargeCard(PaymentClient payments) {
        }

        @Override
        public void handle(PlaceOrder command, HandlerContext<String> context) {
        }
    }

    static final class ForgetOrder implements CommandHandler<CancelOrder, Void> {
        @Override
        public void handle(CancelOrder command, HandlerContext<Void> context) {
        }
    }

    static final CommandSpec<PlaceOrder> PLACE_ORDER = CommandSpec.of(PlaceOrder.class, "shop.place-order")
            .handler(CheckStock.class)
            .handler(TakeStock.class)
            .handler(ConfirmOrder.class)
            .build();
}
