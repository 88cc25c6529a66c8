package dev.trench.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** Building the bus collects every configuration problem into one numbered exception. */
class BootValidationTest {

    record Open(String id) implements Command<Void> {
    }

    record Close(String id) implements Command<Void> {
    }

    record Ship(String id) implements Command<Accepted> {
    }

    record Report(String id) implements Command<String> {
    }

    public static final class OpenHandler implements CommandHandler<Open, Void> {
        @Override
        public void handle(Open command, HandlerContext<Void> context) {
        }
    }

    public static final class CloseHandler implements CommandHandler<Close, Void> {
        @Override
        public void handle(Close command, HandlerContext<Void> context) {
        }
    }

    public static final class NeedsArguments implements CommandHandler<Open, Void> {
        public NeedsArguments(String repository) {
        }

        @Override
        public void handle(Open command, HandlerContext<Void> context) {
        }
    }

    /** Honours HandledAsynchronously; knows the worker "shipping" only. */
    static final class FakeAsyncRouting implements Middleware {
        @Override
        public java.util.concurrent.CompletionStage<Outcome> handle(Chain chain) {
            return chain.proceed(chain.envelope());
        }

        @Override
        public Set<Class<? extends Capability>> honours() {
            return Set.of(HandledAsynchronously.class);
        }

        @Override
        public void check(BootCheck boot) {
            for (CommandSpec<?> spec : boot.commands()) {
                spec.capability(HandledAsynchronously.class).ifPresent(c -> {
                    if (c.worker().equals("shipping")) {
                        boot.handledElsewhere(spec);
                    } else {
                        boot.problem("Command " + spec.commandType().getName() + " is handled asynchronously by worker '"
                                + c.worker() + "', but no sender is configured for it");
                    }
                });
            }
        }
    }

    @Test
    void aCommandWithNoHandlerFailsTheBoot() {
        assertThatThrownBy(() -> CommandBus.builder().register(CommandSpec.of(Open.class, "t.open").build()).build())
                .isInstanceOfSatisfying(BusConfigurationException.class, e -> assertThat(e.problems())
                        .containsExactly("Command " + Open.class.getName() + " ('t.open') has no handler; declare at"
                                + " least one in its CommandSpec"));
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void aHandlerForAnotherCommandTypeFailsTheBoot() {
        CommandSpec.Builder raw = CommandSpec.of(Open.class, "t.open");
        raw.handler((Class) CloseHandler.class);

        assertThatThrownBy(() -> CommandBus.builder().register(raw.build()).build())
                .isInstanceOfSatisfying(BusConfigurationException.class, e -> assertThat(e.problems())
                        .containsExactly("Handler " + CloseHandler.class.getName() + " handles " + Close.class.getName()
                                + ", but is declared for " + Open.class.getName() + " ('t.open')"));
    }

    @Test
    void aDuplicateRegistrationFailsTheBoot() {
        CommandSpec<Open> spec = CommandSpec.of(Open.class, "t.open").handler(OpenHandler.class).build();
        CommandSpec<Close> sameName = CommandSpec.of(Close.class, "t.open").handler(CloseHandler.class).build();

        assertThatThrownBy(() -> CommandBus.builder().register(spec).register(spec).register(sameName).build())
                .isInstanceOfSatisfying(BusConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
                        "Command " + Open.class.getName() + " is registered more than once ('t.open' and 't.open');"
                                + " register each command type once",
                        "Command name 't.open' is used by both " + Open.class.getName() + " and "
                                + Close.class.getName() + "; names must be unique"));
    }

    @Test
    void aCommandHandledByAWorkerNobodyConfiguredFailsTheBoot() {
        CommandSpec<Ship> spec = CommandSpec.of(Ship.class, "t.ship").handler((Ship c, HandlerContext<Accepted> x) -> {
        }).capability(HandledAsynchronously.by("warehouse")).build();

        assertThatThrownBy(() -> CommandBus.builder().register(spec).append(new FakeAsyncRouting()).build())
                .isInstanceOfSatisfying(BusConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
                        "Command " + Ship.class.getName() + " is handled asynchronously by worker 'warehouse', but no"
                                + " sender is configured for it"));
    }

    @Test
    void aCapabilityNoMiddlewareHonoursFailsTheBoot() {
        CommandSpec<Open> spec = CommandSpec.of(Open.class, "t.open").handler(OpenHandler.class)
                .capability(RetryOnFail.upTo(3).withDelay(RetryDelay.none())).build();

        assertThatThrownBy(() -> CommandBus.builder().register(spec).build())
                .isInstanceOfSatisfying(BusConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
                        "Command " + Open.class.getName() + " declares capability RetryOnFail but no installed"
                                + " middleware honours it; append the middleware for it, or remove the capability"));
    }

    @Test
    void aCommandHandledAsynchronouslyMustHaveAcceptedAsItsResult() {
        CommandSpec<Report> spec = CommandSpec.of(Report.class, "t.report")
                .handler((Report c, HandlerContext<String> x) -> { })
                .capability(HandledAsynchronously.by("shipping")).build();

        assertThatThrownBy(() -> CommandBus.builder().register(spec).append(new FakeAsyncRouting()).build())
                .isInstanceOfSatisfying(BusConfigurationException.class, e -> assertThat(e.problems()).singleElement()
                        .asString().contains("must implement Command<Accepted>, not Command<String>"));
    }

    @Test
    void aHandlerThatCannotBeCreatedFailsTheBootNamingIt() {
        CommandSpec<Open> spec = CommandSpec.of(Open.class, "t.open").handler(NeedsArguments.class).build();

        assertThatThrownBy(() -> CommandBus.builder().register(spec).build())
                .isInstanceOfSatisfying(BusConfigurationException.class, e -> assertThat(e.problems()).singleElement()
                        .asString().startsWith("Handler " + NeedsArguments.class.getName() + " of command "
                                + Open.class.getName() + " has no no-argument constructor"));
    }

    @Test
    void aCommandHandledElsewhereNeedsNoLocalHandlerAndItsHandlersAreNotCreated() {
        CommandSpec<Ship> spec = CommandSpec.of(Ship.class, "t.ship")
                .capability(HandledAsynchronously.by("shipping")).build();

        CommandBus bus = CommandBus.builder().register(spec).append(new FakeAsyncRouting()).build();

        assertThat(bus.describe()).contains("t.ship (Ship) handled elsewhere");
    }

    @Test
    void aCommandHandledElsewhereHasItsOtherCapabilitiesHonouredWhereItIsHandled() {
        CommandSpec<Ship> spec = CommandSpec.of(Ship.class, "t.ship")
                .capability(HandledAsynchronously.by("shipping"))
                .capability(RetryOnFail.upTo(3).withDelay(RetryDelay.none())).build();

        CommandBus bus = CommandBus.builder().register(spec).append(new FakeAsyncRouting()).build();

        assertThat(bus.describe()).contains("RetryOnFail[maxRetries=3", "honoured by its worker");
    }

    @Test
    void everyProblemIsReportedAtOnceNumberedEachNamingTheClass() {
        CommandSpec<Open> noHandler = CommandSpec.of(Open.class, "t.open").build();
        CommandSpec<Close> unhonoured = CommandSpec.of(Close.class, "t.close").handler(CloseHandler.class)
                .capability(RetryOnFail.upTo(1).withDelay(RetryDelay.none())).build();
        CommandSpec<Ship> unknownWorker = CommandSpec.of(Ship.class, "t.ship")
                .capability(HandledAsynchronously.by("nobody")).build();

        assertThatThrownBy(() -> CommandBus.builder().register(noHandler).register(unhonoured)
                .register(unknownWorker).build())
                .isInstanceOfSatisfying(BusConfigurationException.class, e -> {
                    assertThat(e.problems()).hasSize(4);
                    assertThat(e.getMessage())
                            .startsWith("Command bus configuration errors:\n\n1) ")
                            .contains("\n2) ", "\n3) ", "\n4) ")
                            .contains(Open.class.getName(), Close.class.getName(), Ship.class.getName())
                            .endsWith("4 errors");
                });
    }

    @Test
    void theSameMiddlewareInstanceAppendedTwiceFailsTheBoot() {
        Middleware m = chain -> chain.proceed(chain.envelope());
        CommandSpec<Open> spec = CommandSpec.of(Open.class, "t.open").handler(OpenHandler.class).build();

        assertThatThrownBy(() -> CommandBus.builder().register(spec).append(m).append(m).build())
                .isInstanceOf(BusConfigurationException.class)
                .hasMessageContaining("is appended more than once");
    }

    @Test
    void specNamesAreValidatedWhenDeclared() {
        assertThatThrownBy(() -> CommandSpec.of(Open.class, "Open Auction"))
                .hasMessageStartingWith("name: must be lowercase words separated by '.' or '-', was 'Open Auction'");
        assertThatThrownBy(() -> CommandSpec.of(Open.class, "t.open")
                .capability(RetryOnFail.upTo(1).withDelay(RetryDelay.none()))
                .capability(RetryOnFail.upTo(2).withDelay(RetryDelay.none())))
                .hasMessageContaining("RetryOnFail declared twice");
    }
}
