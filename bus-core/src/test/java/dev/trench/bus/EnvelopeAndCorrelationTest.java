package dev.trench.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class EnvelopeAndCorrelationTest {

    record Parent(String id) implements Command<Void> {
    }

    record Child(String id) implements Command<Void> {
    }

    record GrandChild(String id) implements Command<Void> {
    }

    private final List<Envelope<?>> seen = new CopyOnWriteArrayList<>();
    private final Clock clock = Clock.fixed(Instant.parse("2026-11-23T10:00:00Z"), ZoneOffset.UTC);

    private CommandBus bus(boolean viaContext) {
        return CommandBus.builder().clock(clock)
                .register(CommandSpec.of(Parent.class, "test.parent").handler((Parent c, HandlerContext<Void> ctx) -> {
                    seen.add(ctx.envelope());
                    if (viaContext) {
                        ctx.dispatch(new Child(c.id()));
                    } else {
                        busHolder[0].dispatch(new Child(c.id()));
                    }
                }).build())
                .register(CommandSpec.of(Child.class, "test.child").handler((Child c, HandlerContext<Void> ctx) -> {
                    seen.add(ctx.envelope());
                    busHolder[0].dispatch(new GrandChild(c.id()));
                }).build())
                .register(CommandSpec.of(GrandChild.class, "test.grand-child")
                        .handler((GrandChild c, HandlerContext<Void> ctx) -> seen.add(ctx.envelope())).build())
                .build();
    }

    private final CommandBus[] busHolder = new CommandBus[1];

    @Test
    void aRootDispatchCarriesFullMetadata() {
        busHolder[0] = bus(true);
        busHolder[0].dispatchAndWait(new GrandChild("x"));

        Envelope<?> e = seen.get(0);
        assertThat(e.correlationId()).isEqualTo(e.commandId());
        assertThat(e.causationId()).isNull();
        assertThat(e.attempt()).isEqualTo(1);
        assertThat(e.resumeAt()).isZero();
        assertThat(e.createdAt()).isEqualTo(Instant.parse("2026-11-23T10:00:00Z"));
        assertThat(e.deadline()).isNull();
        assertThat(e.headers()).isEmpty();
        assertThat(e.commandId().timestamp()).isEqualTo(Instant.parse("2026-11-23T10:00:00Z"));
    }

    @Test
    void aChildDispatchedThroughTheContextInheritsCorrelationAndIsCausedByItsParent() {
        busHolder[0] = bus(true);
        busHolder[0].dispatchAndWait(new Parent("p"));

        assertCausalChain();
    }

    @Test
    void aChildDispatchedThroughTheBusFromInsideAHandlerIsLinkedTheSameWay() {
        busHolder[0] = bus(false);
        busHolder[0].dispatchAndWait(new Parent("p"));

        assertCausalChain();
    }

    @Test
    void aDispatchAfterAHandlerFinishedIsARootAgain() {
        busHolder[0] = bus(true);
        busHolder[0].dispatchAndWait(new Parent("p"));
        seen.clear();

        busHolder[0].dispatchAndWait(new GrandChild("later"));

        assertThat(seen.get(0).causationId()).isNull();
    }

    private void assertCausalChain() {
        assertThat(seen).hasSize(3);
        Envelope<?> parent = seen.get(0);
        Envelope<?> child = seen.get(1);
        Envelope<?> grandChild = seen.get(2);
        assertThat(child.command()).isInstanceOf(Child.class);
        assertThat(child.correlationId()).isEqualTo(parent.correlationId());
        assertThat(child.causationId()).isEqualTo(parent.commandId());
        assertThat(grandChild.correlationId()).isEqualTo(parent.correlationId());
        assertThat(grandChild.causationId()).isEqualTo(child.commandId());
        assertThat(List.of(parent.commandId(), child.commandId(), grandChild.commandId())).doesNotHaveDuplicates();
    }

    @Test
    void envelopesAreImmutableAndDerivedWithWithers() {
        MessageId id = MessageId.parse("0190f5c4-8b6e-7a00-8000-000000000001");
        Envelope<Parent> e = Envelope.builder(new Parent("p")).commandId(id).createdAtMillis(1000)
                .headers(Map.of("traceparent", "00-abc-def-01")).build();

        Envelope<Parent> retried = e.withAttempt(2).withResumeAt(1).withHeader("k", "v")
                .withDeadline(Instant.ofEpochSecond(5));

        assertThat(e.attempt()).isEqualTo(1);
        assertThat(e.headers()).containsOnlyKeys("traceparent");
        assertThat(retried.attempt()).isEqualTo(2);
        assertThat(retried.resumeAt()).isEqualTo(1);
        assertThat(retried.headers()).containsEntry("k", "v").containsEntry("traceparent", "00-abc-def-01");
        assertThat(retried.commandId()).isEqualTo(id);
        assertThat(retried.correlationId()).isEqualTo(id);
        assertThat(retried.deadline()).isEqualTo(Instant.ofEpochSecond(5));
        assertThatThrownBy(() -> e.headers().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> e.withAttempt(0)).hasMessage("attempt: must be >= 1, was 0");
        assertThatThrownBy(() -> e.withResumeAt(-1)).hasMessage("resumeAt: must be >= 0, was -1");
        assertThatThrownBy(() -> Envelope.builder(new Parent("p")).createdAtMillis(1).build())
                .hasMessage("commandId: is required");
    }

    @Test
    void aDispatchedEnvelopeKeepsItsMetadata() {
        busHolder[0] = bus(true);
        MessageId id = busHolder[0].newId();
        MessageId correlation = busHolder[0].newId();
        Envelope<GrandChild> arriving = Envelope.builder(new GrandChild("g")).commandId(id)
                .correlationId(correlation).createdAtMillis(42).attempt(1).headers(Map.of("h", "1")).build();

        busHolder[0].dispatch(arriving).toCompletableFuture().join();

        assertThat(seen).singleElement().satisfies(e -> {
            assertThat(e.commandId()).isEqualTo(id);
            assertThat(e.correlationId()).isEqualTo(correlation);
            assertThat(e.headers()).containsEntry("h", "1");
        });
        Envelope<?> fromTheWire = arriving.withAttempt(2); // a transport holds an Envelope<?>: no cast needed
        Object untyped = busHolder[0].dispatch(fromTheWire).toCompletableFuture().join();
        assertThat(untyped).isNull();
        assertThat(seen).last().extracting(Envelope::attempt).isEqualTo(2);
    }
}
