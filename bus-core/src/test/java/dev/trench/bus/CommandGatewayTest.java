package dev.trench.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CommandGatewayTest {

    record Square(int n) implements Command<Integer> {
    }

    record Fail(String why) implements Command<Void> {
    }

    interface MathGateway {
        CompletionStage<Integer> squareLater(Square command);

        int square(Square command);

        void fail(Fail command);
    }

    interface BrokenGateway {
        String square(Square command);

        CompletionStage<String> squareLater(Square command);

        int twoArguments(Square a, Square b);
    }

    private final CommandBus bus = CommandBus.builder()
            .register(CommandSpec.of(Square.class, "math.square")
                    .handler((Square c, HandlerContext<Integer> ctx) -> ctx.result(c.n() * c.n())).build())
            .register(CommandSpec.of(Fail.class, "math.fail").handler((Fail c, HandlerContext<Void> ctx) -> {
                throw new CommandRejectedException("refused", c.why());
            }).build())
            .build();

    @Test
    void aTypedGatewayDispatchesAsynchronouslyOrBlocking() throws Exception {
        MathGateway gateway = CommandGateway.create(MathGateway.class, bus);

        assertThat(gateway.square(new Square(7))).isEqualTo(49);
        assertThat(gateway.squareLater(new Square(3)).toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo(9);
        assertThatThrownBy(() -> gateway.fail(new Fail("no"))).isInstanceOfSatisfying(CommandRejectedException.class,
                e -> assertThat(e.reason()).isEqualTo("refused"));
        assertThat(gateway.toString()).contains(MathGateway.class.getName());
    }

    @Test
    void aGatewayWhoseMethodsDoNotFitIsRejectedListingEveryMethod() {
        assertThatThrownBy(() -> CommandGateway.create(BrokenGateway.class, bus))
                .isInstanceOfSatisfying(BusConfigurationException.class, e -> assertThat(e.problems())
                        .containsExactlyInAnyOrder(
                                "Gateway method BrokenGateway.square returns String but Square produces Integer",
                                "Gateway method BrokenGateway.squareLater returns CompletionStage<String> but Square"
                                        + " produces Integer",
                                "Gateway method BrokenGateway.twoArguments must take exactly one command parameter"));
    }
}
