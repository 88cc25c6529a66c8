package dev.trench.bus.guice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.AbstractModule;
import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import dev.trench.bus.BusConfigurationException;
import dev.trench.bus.CommandBus;
import dev.trench.bus.CommandRejectedException;
import dev.trench.bus.CommandSpec;
import dev.trench.bus.Middleware;
import dev.trench.bus.Outcome;
import dev.trench.bus.guice.Shop.CallLog;
import dev.trench.bus.guice.Shop.CancelOrder;
import dev.trench.bus.guice.Shop.ChargeCard;
import dev.trench.bus.guice.Shop.CheckStock;
import dev.trench.bus.guice.Shop.ConfirmOrder;
import dev.trench.bus.guice.Shop.ForgetOrder;
import dev.trench.bus.guice.Shop.InMemoryStock;
import dev.trench.bus.guice.Shop.PlaceOrder;
import dev.trench.bus.guice.Shop.Stock;
import dev.trench.bus.guice.Shop.TakeStock;
import dev.trench.bus.CommandHandler;
import dev.trench.bus.HandlerContext;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

class TrenchModuleTest {

    /** Binds the repository, with 5 units of "apple" in stock. */
    static final class StockModule extends AbstractModule {
        final InMemoryStock stock = new InMemoryStock();

        @Override
        protected void configure() {
            stock.put("apple", 5);
            bind(Stock.class).toInstance(stock);
        }
    }

    static TrenchModule module(Runnable body) {
        return new TrenchModule() {
            @Override
            protected void configureBus() {
                body.run();
            }
        };
    }

    /** The shop's bus module, as a service author writes it. */
    static final class ShopModule extends TrenchModule {
        @Override
        protected void configureBus() {
            command(Shop.PLACE_ORDER);
        }
    }

    @Test
    void handlersAreBuiltByGuiceWithTheirDependenciesInjected() {
        StockModule stock = new StockModule();
        Injector injector = Guice.createInjector(stock, new ShopModule());

        String reference = injector.getInstance(CommandBus.class).dispatchAndWait(new PlaceOrder("apple", 2));

        assertThat(reference).isEqualTo("order-apple-2 confirmed");
        assertThat(stock.stock.available("apple")).isEqualTo(3);
        assertThatThrownBy(() -> injector.getInstance(CommandBus.class).dispatchAndWait(new PlaceOrder("apple", 4)))
                .isInstanceOf(CommandRejectedException.class)
                .hasMessage("only 3 of apple left");
    }

    @Test
    void theBusIsOneEagerSingletonAndHandlersRunInTheDeclaredOrder() {
        Injector injector = Guice.createInjector(new StockModule(), new ShopModule());
        CallLog log = injector.getInstance(CallLog.class);
        assertThat(log.entries()).as("nothing dispatched while the injector was built").isEmpty();

        injector.getInstance(CommandBus.class).dispatchAndWait(new PlaceOrder("apple", 1));

        assertThat(injector.getInstance(CommandBus.class)).isSameAs(injector.getInstance(CommandBus.class));
        assertThat(log.entries()).containsExactly("CheckStock", "TakeStock", "ConfirmOrder");
        assertThat(injector.getInstance(CommandBus.class).spec(PlaceOrder.class).orElseThrow().handlers())
                .extracting(CommandSpec.HandlerRef::type)
                .containsExactly(CheckStock.class, TakeStock.class, ConfirmOrder.class);
    }

    /** Writes "enter name" to the call log before the rest of the chain; built by Guice when given as a class. */
    static class Tagging implements Middleware {
        private final String tag;
        private final CallLog log;

        Tagging(String tag, CallLog log) {
            this.tag = tag;
            this.log = log;
        }

        @Override
        public CompletionStage<Outcome> handle(Chain chain) {
            log.add("enter " + tag);
            return chain.proceed(chain.envelope());
        }
    }

    static final class TracingMiddleware extends Tagging {
        @Inject
        TracingMiddleware(CallLog log) {
            super("tracing", log);
        }
    }

    static final class AuditMiddleware extends Tagging {
        @Inject
        AuditMiddleware(CallLog log) {
            super("audit", log);
        }
    }

    @Test
    void middlewareFromSeveralModulesKeepsTheInstallationOrderAndTheOrderWithinEachModule() {
        CallLog log = new CallLog();
        TrenchModule observability = new TrenchModule() {
            @Override
            protected void configureBus() {
                middleware(new Tagging("logging", log));
                middleware(TracingMiddleware.class);
            }
        };
        TrenchModule audit = new TrenchModule() {
            @Override
            protected void configureBus() {
                bind(CallLog.class).toInstance(log);
                command(Shop.PLACE_ORDER);
                middleware(AuditMiddleware.class);
            }
        };

        Guice.createInjector(new StockModule(), observability, audit).getInstance(CommandBus.class)
                .dispatchAndWait(new PlaceOrder("apple", 1));
        assertThat(log.entries()).containsExactly("enter logging", "enter tracing", "enter audit", "CheckStock",
                "TakeStock", "ConfirmOrder");

        CallLog reversed = new CallLog();
        TrenchModule logging = new TrenchModule() {
            @Override
            protected void configureBus() {
                bind(CallLog.class).toInstance(reversed);
                middleware(new Tagging("logging", reversed));
            }
        };
        TrenchModule first = new TrenchModule() {
            @Override
            protected void configureBus() {
                command(Shop.PLACE_ORDER);
                middleware(AuditMiddleware.class);
            }
        };
        Guice.createInjector(new StockModule(), first, logging).getInstance(CommandBus.class)
                .dispatchAndWait(new PlaceOrder("apple", 1));
        assertThat(reversed.entries()).startsWith("enter audit", "enter logging");
    }

    /** Needs a client nobody binds. */
    static final class ChargingMiddleware extends Tagging {
        @Inject
        ChargingMiddleware(Shop.PaymentClient payments, CallLog log) {
            super("charging", log);
        }
    }

    @Test
    void aMiddlewareClassGuiceCannotBuildIsReportedByGuiceWhenTheInjectorIsCreated() {
        assertThatThrownBy(() -> Guice.createInjector(new StockModule(), new TrenchModule() {
            @Override
            protected void configureBus() {
                command(Shop.PLACE_ORDER);
                middleware(ChargingMiddleware.class);
            }
        })).isInstanceOf(CreationException.class)
                .hasMessageContaining("No implementation for Shop$PaymentClient was bound")
                .hasMessageContaining("TrenchModuleTest$ChargingMiddleware");
    }

    /** A gateway as a service author declares it. */
    interface Orders {
        CompletionStage<String> place(PlaceOrder command);

        String placeAndWait(PlaceOrder command);

        void cancel(CancelOrder command);
    }

    /** A class that depends on the gateway, not on the bus. */
    static final class Checkout {
        final Orders orders;

        @Inject
        Checkout(Orders orders) {
            this.orders = orders;
        }
    }

    @Test
    void aDeclaredGatewayIsInjectableAndDispatchesAsynchronouslyOrBlocking() throws Exception {
        StockModule stock = new StockModule();
        Injector injector = Guice.createInjector(stock, new TrenchModule() {
            @Override
            protected void configureBus() {
                command(Shop.PLACE_ORDER);
                command(CommandSpec.of(CancelOrder.class, "shop.cancel-order").handler(ForgetOrder.class).build());
                gateway(Orders.class);
            }
        });
        Orders orders = injector.getInstance(Checkout.class).orders;

        CompletableFuture<String> async = orders.place(new PlaceOrder("apple", 1)).toCompletableFuture();
        assertThat(async.get()).isEqualTo("order-apple-1 confirmed");
        assertThat(orders.placeAndWait(new PlaceOrder("apple", 2))).isEqualTo("order-apple-2 confirmed");
        orders.cancel(new CancelOrder("order-apple-2"));
        assertThat(stock.stock.available("apple")).isEqualTo(2);
        assertThatThrownBy(() -> orders.placeAndWait(new PlaceOrder("apple", 9)))
                .isInstanceOf(CommandRejectedException.class);
        CompletableFuture<String> rejected = orders.place(new PlaceOrder("apple", 9)).toCompletableFuture();
        assertThat(rejected).isCompletedExceptionally();
        assertThat(injector.getInstance(Orders.class)).isSameAs(orders);
    }

    /** A gateway whose method promises the wrong result type. */
    interface WrongOrders {
        Integer place(PlaceOrder command);

        CompletionStage<Integer> placeLater(PlaceOrder command);
    }

    @Test
    void aGatewayMethodWithTheWrongTypesFailsWhenTheInjectorIsCreated() {
        assertThatThrownBy(() -> Guice.createInjector(new StockModule(), new TrenchModule() {
            @Override
            protected void configureBus() {
                command(Shop.PLACE_ORDER);
                gateway(WrongOrders.class);
            }
        })).isInstanceOf(CreationException.class)
                .hasMessageContaining("Command bus configuration errors:")
                .hasMessageContaining("1) Gateway method WrongOrders.place returns Integer but PlaceOrder produces String")
                .hasMessageContaining("2) Gateway method WrongOrders.placeLater returns CompletionStage<Integer> but"
                        + " PlaceOrder produces String")
                .hasMessageContaining("2 errors");
    }

    @Test
    void everyBusProblemIsListedNumberedWhenTheInjectorIsCreated() {
        @SuppressWarnings({"unchecked", "rawtypes"})
        CommandSpec<CancelOrder> cancelWithAnOrderHandler = CommandSpec.of(CancelOrder.class, "shop.cancel-order")
                .handler((Class) TakeStock.class)
                .build();
        TrenchModule orders = new TrenchModule() {
            @Override
            protected void configureBus() {
                command(CommandSpec.of(PlaceOrder.class, "shop.place-order").handler(ChargeCard.class).build());
                command(cancelWithAnOrderHandler);
            }
        };
        TrenchModule legacy = new TrenchModule() {
            @Override
            protected void configureBus() {
                command(CommandSpec.of(PlaceOrder.class, "shop.legacy-place-order").build());
            }
        };

        Throwable thrown = catchCreation(new StockModule(), orders, legacy);

        // Guice abbreviates class names in its message (with a legend at the end); the list stays numbered
        assertThat(thrown.getMessage()).contains("Command bus configuration errors:",
                "1) Command Shop$PlaceOrder is registered more than once ('shop.place-order'"
                        + " and 'shop.legacy-place-order'); register each command type once",
                "2) Handler Shop$ChargeCard of command Shop$PlaceOrder cannot be built by Guice: No implementation"
                        + " for Shop$PaymentClient was bound.",
                "3) Handler Shop$TakeStock handles Shop$PlaceOrder, but is declared for Shop$CancelOrder",
                "3 errors");
        assertThat(busProblems(thrown).problems()).containsExactly(
                "Command dev.trench.bus.guice.Shop$PlaceOrder is registered more than once ('shop.place-order'"
                        + " and 'shop.legacy-place-order'); register each command type once",
                "Handler dev.trench.bus.guice.Shop$ChargeCard of command dev.trench.bus.guice.Shop$PlaceOrder"
                        + " cannot be built by Guice: No implementation for"
                        + " dev.trench.bus.guice.Shop$PaymentClient was bound.",
                "Handler dev.trench.bus.guice.Shop$TakeStock handles dev.trench.bus.guice.Shop$PlaceOrder, but is"
                        + " declared for dev.trench.bus.guice.Shop$CancelOrder ('shop.cancel-order')");
    }

    @Test
    void aCommandWithoutHandlerFailsTheInjector() {
        Throwable thrown = catchCreation(module(() -> { }), new TrenchModule() {
            @Override
            protected void configureBus() {
                command(CommandSpec.of(CancelOrder.class, "shop.cancel-order").build());
            }
        });

        assertThat(busProblems(thrown).problems()).containsExactly("Command dev.trench.bus.guice.Shop$CancelOrder"
                + " ('shop.cancel-order') has no handler; declare at least one in its CommandSpec");
        assertThat(thrown).hasMessageContaining("1) Command Shop$CancelOrder ('shop.cancel-order') has no handler");
    }

    @Test
    void aHandlerWithAnUnboundDependencyIsReportedNamingTheHandlerAndTheMissingBinding() {
        Throwable thrown = catchCreation(new StockModule(), new TrenchModule() {
            @Override
            protected void configureBus() {
                command(CommandSpec.of(PlaceOrder.class, "shop.place-order")
                        .handler(CheckStock.class)
                        .handler(ChargeCard.class)
                        .build());
            }
        });

        assertThat(busProblems(thrown).problems()).singleElement().asString()
                .startsWith("Handler dev.trench.bus.guice.Shop$ChargeCard of command"
                        + " dev.trench.bus.guice.Shop$PlaceOrder cannot be built by Guice: ")
                .contains("No implementation for dev.trench.bus.guice.Shop$PaymentClient was bound")
                .doesNotContain("\n");
    }

    @Test
    void theSameSpecRegisteredByTwoModulesIsADuplicateNotSilentlyMerged() {
        TrenchModule a = new ShopModule();
        TrenchModule b = new TrenchModule() {
            @Override
            protected void configureBus() {
                command(Shop.PLACE_ORDER);
            }
        };

        assertThat(busProblems(catchCreation(new StockModule(), a, b)).problems()).singleElement().asString()
                .startsWith("Command dev.trench.bus.guice.Shop$PlaceOrder is registered more than once");
    }

    @Test
    void clockAndNameAreTakenFromTheModulesAndMaySetOnlyOnce() {
        Clock fixed = Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC);
        CommandBus bus = Guice.createInjector(new StockModule(), new ShopModule(), new TrenchModule() {
            @Override
            protected void configureBus() {
                clock(fixed);
                name("shop-worker");
            }
        }).getInstance(CommandBus.class);
        assertThat(bus.clock()).isSameAs(fixed);
        assertThat(bus.describe()).startsWith("Command bus 'shop-worker'");

        Throwable thrown = catchCreation(new StockModule(), new ShopModule(), module(() -> { }), new TrenchModule() {
            @Override
            protected void configureBus() {
                name("one");
                name("two");
            }
        });
        assertThat(busProblems(thrown).problems()).singleElement().asString()
                .startsWith("The bus name is set more than once: one by ")
                .contains(" and two by ");
    }

    /** Something of the application's that is built eagerly and needs the bus. */
    static final class EagerClient {
        @Inject
        EagerClient(Orders orders, CommandBus bus) {
        }
    }

    @Test
    void aBrokenBusIsReportedOnceEvenWhenEagerSingletonsDependOnIt() {
        Throwable thrown = catchCreation(new StockModule(), new TrenchModule() {
            @Override
            protected void configureBus() {
                command(CommandSpec.of(PlaceOrder.class, "shop.place-order").handler(ChargeCard.class).build());
                gateway(Orders.class);
                bind(EagerClient.class).asEagerSingleton();
            }
        });

        assertThat(busProblems(thrown).problems()).singleElement().asString().contains("Shop$ChargeCard");
        assertThat(thrown).hasMessageContaining("1 error\n").hasMessageNotContaining("2)");
    }

    /** Wrongly asks for the bus it is part of. */
    static final class DispatchesThroughInjectedBus implements CommandHandler<CancelOrder, Void> {
        @Inject
        DispatchesThroughInjectedBus(CommandBus bus) {
        }

        @Override
        public void handle(CancelOrder command, HandlerContext<Void> context) {
        }
    }

    /** Asks for a provider of the bus, which works. */
    static final class DispatchesThroughBusProvider implements CommandHandler<CancelOrder, Void> {
        private final Provider<CommandBus> bus;

        @Inject
        DispatchesThroughBusProvider(Provider<CommandBus> bus) {
            this.bus = bus;
        }

        @Override
        public void handle(CancelOrder command, HandlerContext<Void> context) {
            bus.get().dispatchAndWait(new PlaceOrder("apple", 1));
        }
    }

    @Test
    void aHandlerCannotHaveItsOwnBusInjectedButMayHaveAProviderOfIt() {
        Throwable thrown = catchCreation(new StockModule(), new ShopModule(), new TrenchModule() {
            @Override
            protected void configureBus() {
                command(CommandSpec.of(CancelOrder.class, "shop.cancel-order")
                        .handler(DispatchesThroughInjectedBus.class).build());
            }
        });
        assertThat(busProblems(thrown).problems()).singleElement().asString()
                .startsWith("Handler dev.trench.bus.guice.TrenchModuleTest$DispatchesThroughInjectedBus of command"
                        + " dev.trench.bus.guice.Shop$CancelOrder failed while Guice built it: ")
                .contains("The CommandBus is not built yet");

        StockModule stock = new StockModule();
        Guice.createInjector(stock, new ShopModule(), new TrenchModule() {
            @Override
            protected void configureBus() {
                command(CommandSpec.of(CancelOrder.class, "shop.cancel-order")
                        .handler(DispatchesThroughBusProvider.class).build());
            }
        }).getInstance(CommandBus.class).dispatchAndWait(new CancelOrder("r1"));
        assertThat(stock.stock.available("apple")).isEqualTo(4);
    }

    @Test
    void contributionsOutsideConfigureBusAreRefused() {
        TrenchModule module = new ShopModule();
        assertThatThrownBy(() -> module.command(Shop.PLACE_ORDER))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("can only be made while Guice calls configureBus()");
    }

    private static Throwable catchCreation(com.google.inject.Module... modules) {
        Throwable[] caught = new Throwable[1];
        assertThatThrownBy(() -> Guice.createInjector(modules))
                .isInstanceOf(CreationException.class)
                .satisfies(t -> caught[0] = t);
        return caught[0];
    }

    private static BusConfigurationException busProblems(Throwable creation) {
        assertThat(((CreationException) creation).getErrorMessages()).hasSize(1);
        Throwable cause = creation.getCause();
        assertThat(cause).isInstanceOf(BusConfigurationException.class);
        return (BusConfigurationException) cause;
    }
}
