package dev.trench.transport;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.trench.bus.Envelope;
import dev.trench.bus.InvalidCommandException;
import dev.trench.bus.MessageId;
import dev.trench.bus.spi.EventEnvelope;
import dev.trench.transport.WireFixtures.AuctionRaised;
import dev.trench.transport.WireFixtures.CloseAuctions;
import dev.trench.transport.WireFixtures.RaiseBid;
import dev.trench.transport.WireFixtures.Unregistered;
import dev.trench.transport.WireFormatException.Reason;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class WireCodecTest {
    private static final Supplier<MessageId> IDS = MessageId.generator(Clock.systemUTC());
    private static final String ID = "0190f3c2-7d1e-7a3b-8c4d-5e6f7a8b9c0d";
    private static final String ID2 = "0190f3c2-7d1e-7a3b-8c4d-5e6f7a8b9c0e";

    private final WireCodec codec = WireCodec.of(WireFixtures.registry());

    /** JSON written with single quotes, for readable tests. */
    private static byte[] json(String singleQuoted) {
        return singleQuoted.replace('\'', '"').getBytes(UTF_8);
    }

    /** A valid command envelope with {@code payload} and extra envelope fields spliced in. */
    private static byte[] command(String extraFields, String payload) {
        return json("{'type':'auction.raise-bid','commandId':'" + ID + "','correlationId':'" + ID2 + "',"
                + "'createdAt':'2025-01-31T10:15:30.123Z'," + extraFields + "'payload':" + payload + "}");
    }

    private static final String BID = "{'auctionId':'A1','userId':'alice','amount':12.50}";

    private WireFormatException decodeFails(byte[] data) {
        return catchThrowableOfType(WireFormatException.class, () -> codec.decodeCommand(data));
    }

    @Nested
    class RoundTrip {
        @Test
        void commandEnvelopeKeepsEveryField() {
            MessageId id = IDS.get();
            MessageId correlation = IDS.get();
            MessageId causation = IDS.get();
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
            headers.put("tenant", "eu-1");
            Envelope<RaiseBid> sent = Envelope.builder(new RaiseBid("A1", "alice", new BigDecimal("12.50")))
                    .commandId(id).correlationId(correlation).causationId(causation)
                    .createdAt(Instant.parse("2025-01-31T10:15:30.123Z"))
                    .deadline(Instant.parse("2025-01-31T10:15:35.5Z"))
                    .headers(headers).attempt(3).resumeAt(1)
                    .build();

            Envelope<?> received = codec.decodeCommand(codec.encodeCommand(sent));

            assertThat(received.command()).isEqualTo(sent.command());
            assertThat(received.commandId()).isEqualTo(id);
            assertThat(received.correlationId()).isEqualTo(correlation);
            assertThat(received.causationId()).isEqualTo(causation);
            assertThat(received.createdAt()).isEqualTo(sent.createdAt());
            assertThat(received.deadline()).isEqualTo(sent.deadline());
            assertThat(received.headers()).containsExactlyEntriesOf(headers);
            assertThat(received.attempt()).isEqualTo(3);
            assertThat(received.resumeAt()).isEqualTo(1);
        }

        @Test
        void rootCommandWithoutOptionalFieldsStaysWithout() {
            MessageId id = IDS.get();
            Envelope<RaiseBid> sent = Envelope.of(new RaiseBid("A1", "bob", new BigDecimal("3")), id, id, null,
                    1_738_318_530_123L);

            byte[] bytes = codec.encodeCommand(sent);
            Envelope<?> received = codec.decodeCommand(bytes);

            assertThat(new String(bytes, UTF_8)).doesNotContain("causationId").doesNotContain("deadline")
                    .startsWith("{\"type\":\"auction.raise-bid\",\"commandId\":\"" + id + "\"");
            assertThat(received.causationId()).isNull();
            assertThat(received.deadline()).isNull();
            assertThat(received.headers()).isEmpty();
            assertThat(received.attempt()).isEqualTo(1);
            assertThat(received.createdAtMillis()).isEqualTo(1_738_318_530_123L);
        }

        @Test
        void eventEnvelopeKeepsEveryFieldIncludingNanoseconds() {
            AuctionRaised event = new AuctionRaised("A1", new BigDecimal("100.10"), 42,
                    Instant.parse("2025-01-31T10:15:30.123456789Z"));
            EventEnvelope<AuctionRaised> sent = new EventEnvelope<>(IDS.get(), IDS.get(), IDS.get(),
                    "auction.raise-bid", Instant.parse("2025-01-31T10:15:30.123456Z"), Map.of("traceparent", "t"),
                    event);

            EventEnvelope<?> received = codec.decodeEvent(codec.encodeEvent(sent));

            assertThat(received).isEqualTo(sent);
            assertThat(codec.eventType(sent)).isEqualTo("auction.raised");
        }

        @Test
        void payloadBeforeTypeIsBufferedAndDecoded() {
            Envelope<?> received = codec.decodeCommand(json("{'payload':" + BID + ",'type':'auction.raise-bid',"
                    + "'commandId':'" + ID + "','correlationId':'" + ID + "','createdAt':'2025-01-31T10:15:30Z'}"));

            assertThat(received.command()).isEqualTo(new RaiseBid("A1", "alice", new BigDecimal("12.50")));
        }

        @Test
        void commandValidationStillRunsOnABufferedPayload() {
            WireFormatException e = decodeFails(json("{'payload':{'auctionId':'A1','userId':' ','amount':1},"
                    + "'type':'auction.raise-bid','commandId':'" + ID + "','correlationId':'" + ID + "',"
                    + "'createdAt':'2025-01-31T10:15:30Z'}"));

            assertThat(e.reason()).isEqualTo(Reason.INVALID_FIELD);
            assertThat(e.field()).isEqualTo("payload.userId");
        }

        @Test
        void decodesFromASliceOfALargerArray() {
            byte[] body = command("", BID);
            byte[] framed = new byte[body.length + 10];
            System.arraycopy(body, 0, framed, 7, body.length);

            assertThat(codec.decodeCommand(framed, 7, body.length).commandId()).isEqualTo(MessageId.parse(ID));
        }
    }

    @Nested
    class Decimals {
        @Test
        void scaleIsKeptExactlyAndWrittenAsAPlainNumber() {
            MessageId id = IDS.get();
            Envelope<RaiseBid> sent = Envelope.of(new RaiseBid("A1", "alice", new BigDecimal("12.50")), id, id, null,
                    0L);

            byte[] bytes = codec.encodeCommand(sent);
            RaiseBid received = (RaiseBid) codec.decodeCommand(bytes).command();

            assertThat(new String(bytes, UTF_8)).contains("\"amount\":12.50");
            assertThat(received.amount()).isEqualTo(new BigDecimal("12.50")); // equals() compares the scale too
            assertThat(received.amount().scale()).isEqualTo(2);
        }

        @Test
        void manyDigitsAreNotRoundedThroughDouble() {
            BigDecimal amount = new BigDecimal("123456789012345678901234567890.01");
            AuctionRaised event = new AuctionRaised("A1", amount, 1, Instant.EPOCH);
            EventEnvelope<AuctionRaised> sent = new EventEnvelope<>(IDS.get(), IDS.get(), IDS.get(), "x",
                    Instant.EPOCH, Map.of(), event);

            AuctionRaised received = (AuctionRaised) codec.decodeEvent(codec.encodeEvent(sent)).event();

            assertThat(received.amount()).isEqualTo(amount);
        }

        @Test
        void aStringAmountIsAcceptedOnRead() {
            RaiseBid received = (RaiseBid) codec.decodeCommand(command("",
                    "{'auctionId':'A1','userId':'alice','amount':'12.50'}")).command();

            assertThat(received.amount()).isEqualTo(new BigDecimal("12.50"));
        }

        @Test
        void aLargeExponentIsNotExpandedOnWrite() {
            MessageId id = IDS.get();
            Envelope<RaiseBid> sent = Envelope.of(new RaiseBid("A1", "alice", new BigDecimal("1E+3")), id, id, null,
                    0L);

            assertThat(new String(codec.encodeCommand(sent), UTF_8)).contains("\"amount\":1000");
        }
    }

    @Nested
    class Errors {
        @Test
        void unknownTypeIsNamed() {
            WireFormatException e = decodeFails(json("{'type':'auction.steal','commandId':'" + ID + "'}"));

            assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_TYPE);
            assertThat(e.field()).isEqualTo("type");
            assertThat(e.type()).isEqualTo("auction.steal");
            assertThat(e).hasMessageContaining("unknown command type 'auction.steal'")
                    .hasMessageContaining("auction.raise-bid");
        }

        @Test
        void anEventTypeIsNotACommand() {
            WireFormatException e = decodeFails(json("{'type':'auction.raised'}"));

            assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_TYPE);
            assertThat(e).hasMessageContaining("'auction.raised' is an event type; a command was expected");
        }

        @Test
        void aCommandTypeIsNotAnEvent() {
            WireFormatException e = catchThrowableOfType(WireFormatException.class,
                    () -> codec.decodeEvent(json("{'type':'auction.raise-bid'}")));

            assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_TYPE);
            assertThat(e).hasMessageContaining("is a command type; an event was expected");
        }

        @Test
        void aJavaClassNameIsNeverResolved() {
            WireFormatException e = decodeFails(json("{'type':'" + RaiseBid.class.getName() + "'}"));

            assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_TYPE);
        }

        @Test
        void encodingAnUnregisteredCommandFails() {
            MessageId id = IDS.get();
            Envelope<Unregistered> envelope = Envelope.of(new Unregistered("x"), id, id, null, 0L);

            assertThatThrownBy(() -> codec.encodeCommand(envelope))
                    .isInstanceOfSatisfying(WireFormatException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_TYPE))
                    .hasMessageContaining(Unregistered.class.getName()).hasMessageContaining("not registered");
        }

        @Test
        void encodingAnUnregisteredEventFails() {
            EventEnvelope<String> event = new EventEnvelope<>(IDS.get(), IDS.get(), IDS.get(), "x", Instant.EPOCH,
                    Map.of(), "just a string");

            assertThatThrownBy(() -> codec.encodeEvent(event)).isInstanceOfSatisfying(WireFormatException.class,
                    e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_TYPE)).hasMessageContaining("String");
        }

        @Test
        void notJsonIsMalformed() {
            WireFormatException e = decodeFails("hello".getBytes(UTF_8));

            assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
            assertThat(e.field()).isNull();
            assertThat(e).hasMessageContaining("not valid JSON");
        }

        @Test
        void truncatedJsonIsMalformed() {
            byte[] whole = command("", BID);
            byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 5);

            assertThat(decodeFails(cut).reason()).isEqualTo(Reason.MALFORMED);
        }

        @Test
        void anArrayIsNotAnEnvelope() {
            WireFormatException e = decodeFails(json("[1,2]"));

            assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
            assertThat(e).hasMessageContaining("not a JSON object: starts with an array");
        }

        @Test
        void anEmptyMessageIsMalformed() {
            assertThat(decodeFails(new byte[0])).hasMessage("empty message")
                    .satisfies(e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED));
        }

        @Test
        void trailingContentIsMalformed() {
            byte[] whole = command("", BID);
            byte[] twice = new byte[whole.length * 2];
            System.arraycopy(whole, 0, twice, 0, whole.length);
            System.arraycopy(whole, 0, twice, whole.length, whole.length);

            WireFormatException e = decodeFails(twice);

            assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
            assertThat(e).hasMessageContaining("trailing content");
        }

        @Test
        void aDuplicateFieldIsMalformed() {
            WireFormatException e = decodeFails(command("'commandId':'" + ID2 + "',", BID));

            assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
            assertThat(e).hasMessageContaining("commandId");
        }

        @Test
        void eachRequiredFieldIsNamedWhenMissing() {
            String full = "{'type':'auction.raise-bid','commandId':'" + ID + "','correlationId':'" + ID2 + "',"
                    + "'createdAt':'2025-01-31T10:15:30Z','payload':" + BID + "}";
            for (String field : List.of("type", "commandId", "correlationId", "createdAt", "payload")) {
                String without = full.replaceAll("'" + field + "':('[^']*'|\\{[^}]*\\}),?", "").replace(",}", "}");
                WireFormatException e = decodeFails(json(without));

                assertThat(e.reason()).as(field).isEqualTo(Reason.MISSING_FIELD);
                assertThat(e.field()).as(field).isEqualTo(field);
                assertThat(e).as(field).hasMessageContaining(field + ": is required");
            }
        }

        @Test
        void aNullRequiredFieldCountsAsMissing() {
            WireFormatException e = decodeFails(command("", "null"));

            assertThat(e.reason()).isEqualTo(Reason.MISSING_FIELD);
            assertThat(e.field()).isEqualTo("payload");
        }

        @Test
        void eventRequiresCausationAndCommandName() {
            String event = "{'type':'auction.raised','eventId':'" + ID + "','correlationId':'" + ID + "',"
                    + "'createdAt':'2025-01-31T10:15:30Z','payload':{'auctionId':'A1','amount':1,'sequence':1,"
                    + "'at':'2025-01-31T10:15:30Z'}";
            WireFormatException noCausation = catchThrowableOfType(WireFormatException.class,
                    () -> codec.decodeEvent(json(event + ",'commandName':'x'}")));
            WireFormatException noName = catchThrowableOfType(WireFormatException.class,
                    () -> codec.decodeEvent(json(event + ",'causationId':'" + ID + "'}")));

            assertThat(noCausation.field()).isEqualTo("causationId");
            assertThat(noName.field()).isEqualTo("commandName");
            assertThat(List.of(noCausation.reason(), noName.reason())).containsOnly(Reason.MISSING_FIELD);
        }

        @Test
        void aBadIdIsAnInvalidField() {
            WireFormatException e = decodeFails(json("{'type':'auction.raise-bid','commandId':'not-an-id'}"));

            assertThat(e.reason()).isEqualTo(Reason.INVALID_FIELD);
            assertThat(e.field()).isEqualTo("commandId");
            assertThat(e).hasMessageContaining("commandId: not a UUID: 'not-an-id'");
        }

        @Test
        void aBadInstantIsAnInvalidField() {
            WireFormatException e = decodeFails(command("'deadline':'tomorrow',", BID));

            assertThat(e.reason()).isEqualTo(Reason.INVALID_FIELD);
            assertThat(e.field()).isEqualTo("deadline");
            assertThat(e).hasMessageContaining("not an ISO-8601 instant").hasMessageContaining("'tomorrow'");
        }

        @Test
        void attemptMustBeAPositiveInteger() {
            WireFormatException zero = decodeFails(command("'attempt':0,", BID));
            WireFormatException text = decodeFails(command("'attempt':'one',", BID));
            WireFormatException huge = decodeFails(command("'attempt':99999999999,", BID));

            assertThat(List.of(zero, text, huge)).allSatisfy(e -> {
                assertThat(e.reason()).isEqualTo(Reason.INVALID_FIELD);
                assertThat(e.field()).isEqualTo("attempt");
            });
            assertThat(zero).hasMessageContaining("must be >= 1, was 0");
            assertThat(text).hasMessageContaining("expected an integer, was a string");
        }

        @Test
        void headerValuesMustBeStrings() {
            WireFormatException e = decodeFails(command("'headers':{'ok':'yes','retries':3},", BID));

            assertThat(e.reason()).isEqualTo(Reason.INVALID_FIELD);
            assertThat(e.field()).isEqualTo("headers.retries");
        }

        @Test
        void theCommandsOwnValidationNamesTheField() {
            WireFormatException e = decodeFails(command("", "{'auctionId':'A1','userId':'alice','amount':-1}"));

            assertThat(e.reason()).isEqualTo(Reason.INVALID_FIELD);
            assertThat(e.field()).isEqualTo("payload.amount");
            assertThat(e.type()).isEqualTo("auction.raise-bid");
            assertThat(e).hasMessage("'auction.raise-bid' payload.amount: must be positive, was -1")
                    .hasCauseInstanceOf(InvalidCommandException.class);
        }

        @Test
        void aMissingPayloadFieldIsReportedByTheCommand() {
            WireFormatException e = decodeFails(command("", "{'userId':'alice','amount':1}"));

            assertThat(e.reason()).isEqualTo(Reason.INVALID_FIELD);
            assertThat(e.field()).isEqualTo("payload.auctionId");
            assertThat(e).hasMessageContaining("payload.auctionId: is required");
        }

        @Test
        void aValueOfTheWrongTypeNamesItsPath() {
            WireFormatException amount = decodeFails(command("",
                    "{'auctionId':'A1','userId':'alice','amount':'lots'}"));
            WireFormatException nested = decodeFails(json(("{'type':'auction.close','commandId':'" + ID
                    + "','correlationId':'" + ID + "','createdAt':'2025-01-31T10:15:30Z',"
                    + "'payload':{'auctionIds':['A1',{'x':1}],'batch':1}}")));

            assertThat(amount.reason()).isEqualTo(Reason.INVALID_FIELD);
            assertThat(amount.field()).isEqualTo("payload.amount");
            assertThat(nested.reason()).isEqualTo(Reason.INVALID_FIELD);
            assertThat(nested.field()).isEqualTo("payload.auctionIds[1]");
        }

        @Test
        void anEventConstructorsRefusalIsAnInvalidPayload() {
            String event = "{'type':'auction.raised','eventId':'" + ID + "','correlationId':'" + ID + "',"
                    + "'causationId':'" + ID + "','commandName':'x','createdAt':'2025-01-31T10:15:30Z',"
                    + "'payload':{'amount':1,'sequence':1,'at':'2025-01-31T10:15:30Z'}}";

            WireFormatException e = catchThrowableOfType(WireFormatException.class,
                    () -> codec.decodeEvent(json(event)));

            assertThat(e.reason()).isEqualTo(Reason.INVALID_FIELD);
            assertThat(e.field()).startsWith("payload");
            assertThat(e).hasMessageContaining("NullPointerException: auctionId");
        }
    }

    @Nested
    class UnknownFields {
        private final byte[] withExtras = command("'priority':'high','trace':{'a':[1,2]},",
                "{'auctionId':'A1','userId':'alice','amount':1,'currency':'EUR'}");

        @Test
        void areIgnoredByDefaultInTheEnvelopeAndThePayload() {
            assertThat(codec.failOnUnknownFields()).isFalse();
            assertThat(codec.decodeCommand(withExtras).command())
                    .isEqualTo(new RaiseBid("A1", "alice", BigDecimal.ONE));
        }

        @Test
        void failWhenConfiguredNamingTheEnvelopeField() {
            WireCodec strict = WireCodec.builder(WireFixtures.registry()).failOnUnknownFields(true).build();

            WireFormatException e = catchThrowableOfType(WireFormatException.class,
                    () -> strict.decodeCommand(withExtras));

            assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_FIELD);
            assertThat(e.field()).isEqualTo("priority");
        }

        @Test
        void failWhenConfiguredNamingThePayloadField() {
            WireCodec strict = WireCodec.builder(WireFixtures.registry()).failOnUnknownFields(true).build();

            WireFormatException e = catchThrowableOfType(WireFormatException.class, () -> strict.decodeCommand(
                    command("", "{'auctionId':'A1','userId':'alice','amount':1,'currency':'EUR'}")));

            assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_FIELD);
            assertThat(e.field()).isEqualTo("payload.currency");
        }

        @Test
        void anEventFieldInACommandEnvelopeIsUnknown() {
            WireCodec strict = WireCodec.builder(WireFixtures.registry()).failOnUnknownFields(true).build();

            WireFormatException e = catchThrowableOfType(WireFormatException.class,
                    () -> strict.decodeCommand(command("'commandName':'x',", BID)));

            assertThat(e.field()).isEqualTo("commandName");
        }
    }

    @Nested
    class Limits {
        @Test
        void anOversizedMessageIsRefusedBeforeParsing() {
            byte[] garbage = new byte[WireCodec.DEFAULT_MAX_MESSAGE_BYTES + 1]; // zeros: would be MALFORMED if parsed

            WireFormatException e = decodeFails(garbage);

            assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE);
            assertThat(e).hasMessage("command message is 65537 bytes, more than the limit of 65536 bytes");
        }

        @Test
        void theLimitIsConfigurableAndAppliesToEncodingToo() {
            WireCodec small = WireCodec.builder(WireFixtures.registry()).maxMessageBytes(300).build();
            MessageId id = IDS.get();
            Envelope<RaiseBid> big = Envelope.of(new RaiseBid("A1", "x".repeat(400), BigDecimal.ONE), id, id, null,
                    0L);

            WireFormatException encode = catchThrowableOfType(WireFormatException.class,
                    () -> small.encodeCommand(big));
            WireFormatException decode = catchThrowableOfType(WireFormatException.class,
                    () -> small.decodeCommand(codec.encodeCommand(big)));

            assertThat(encode.reason()).isEqualTo(Reason.TOO_LARGE);
            assertThat(encode).hasMessageContaining("more than the limit of 300 bytes");
            assertThat(decode.reason()).isEqualTo(Reason.TOO_LARGE);
            assertThat(small.maxMessageBytes()).isEqualTo(300);
        }

        @Test
        void deepNestingIsRefusedEvenInAnIgnoredField() {
            String deep = "[".repeat(200) + "]".repeat(200);

            WireFormatException e = decodeFails(command("'extra':" + deep + ",", BID));

            assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
            assertThat(e).hasMessageContaining("nesting depth");
        }

        @Test
        void nestingWithinTheLimitIsFine() {
            WireCodec roomy = WireCodec.builder(WireFixtures.registry()).maxNestingDepth(300).build();
            String deep = "[".repeat(200) + "]".repeat(200);

            assertThat(roomy.decodeCommand(command("'extra':" + deep + ",", BID)).command()).isNotNull();
        }

        @Test
        void builderValuesAreValidatedNamingFieldAndValue() {
            WireCodec.Builder builder = WireCodec.builder(WireFixtures.registry());

            assertThatThrownBy(() -> builder.maxMessageBytes(10)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("maxMessageBytes: must be >= 64, was 10");
            assertThatThrownBy(() -> builder.maxNestingDepth(0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("maxNestingDepth: must be >= 3").hasMessageEndingWith("was 0");
        }
    }
}
