package dev.trench.transport;

/**
 * The meters every Trench transport records, in one place. Names are lowercase and dotted; tags carry low-cardinality
 * values only (never an id). A transport records them through Micrometer when given a {@code MeterRegistry}.
 *
 * <table>
 * <caption>Transport meters</caption>
 * <tr><th>name</th><th>type</th><th>tags</th><th>what</th></tr>
 * <tr><td>{@value #MESSAGES}</td><td>counter</td><td>transport, channel, direction, kind</td>
 *     <td>messages sent ({@code out}) or received and decoded ({@code in})</td></tr>
 * <tr><td>{@value #BYTES}</td><td>counter (bytes)</td><td>transport, channel, direction, kind</td>
 *     <td>bytes of those messages' bodies</td></tr>
 * <tr><td>{@value #REJECTS}</td><td>counter</td><td>transport, channel, direction, reason</td>
 *     <td>messages refused or dropped, by reason: a {@link WireFormatException.Reason#tag()} such as
 *     {@code malformed}, or one of the {@code REASON_*} values here</td></tr>
 * <tr><td>{@value #QUEUE_DEPTH}</td><td>gauge</td><td>transport, channel</td>
 *     <td>messages waiting in a sender's or publisher's queue</td></tr>
 * <tr><td>{@value #ENDPOINTS}</td><td>gauge</td><td>transport, channel</td>
 *     <td>endpoints a sender or publisher is connected to</td></tr>
 * <tr><td>{@value #MISSED}</td><td>counter</td><td>transport, channel</td>
 *     <td>messages a receiver knows it missed, from gaps in per-publisher sequence numbers</td></tr>
 * <tr><td>{@value #ACK_LATENCY}</td><td>timer</td><td>transport, channel</td>
 *     <td>from {@code send} to acknowledgement (for ZeroMQ: to the hand-over to the socket)</td></tr>
 * </table>
 */
public final class TransportMeters {
    /** Messages in or out. */
    public static final String MESSAGES = "trench.transport.messages";
    /** Bytes in or out. */
    public static final String BYTES = "trench.transport.bytes";
    /** Messages refused or dropped, by reason. */
    public static final String REJECTS = "trench.transport.rejects";
    /** Messages waiting in a bounded queue. */
    public static final String QUEUE_DEPTH = "trench.transport.queue.depth";
    /** Endpoints currently connected. */
    public static final String ENDPOINTS = "trench.transport.endpoints";
    /** Messages detected as missed (sequence gaps). */
    public static final String MISSED = "trench.transport.missed";
    /** Send-to-acknowledgement latency. */
    public static final String ACK_LATENCY = "trench.transport.ack.latency";

    /** Tag: the transport, e.g. {@code zmq} or {@code http}. */
    public static final String TAG_TRANSPORT = "transport";
    /** Tag: the configured name of the sender, publisher or receiver (e.g. {@code events}, a worker service). */
    public static final String TAG_CHANNEL = "channel";
    /** Tag: {@code in} or {@code out}. */
    public static final String TAG_DIRECTION = "direction";
    /** Tag: {@code command} or {@code event}. */
    public static final String TAG_KIND = "kind";
    /** Tag: why a message was refused. */
    public static final String TAG_REASON = "reason";

    /** Direction of received messages. */
    public static final String DIRECTION_IN = "in";
    /** Direction of sent messages. */
    public static final String DIRECTION_OUT = "out";
    /** Kind of a command message. */
    public static final String KIND_COMMAND = "command";
    /** Kind of an event message. */
    public static final String KIND_EVENT = "event";

    /** Reject reason: the bounded queue was full (the caller got an {@code OverloadedException}). */
    public static final String REASON_OVERLOADED = "overloaded";
    /** Reject reason: one endpoint's socket could take no more (its high-water mark was reached); dropped for it. */
    public static final String REASON_ENDPOINT_FULL = "endpoint-full";
    /** Reject reason: no endpoint was known when the message was sent. */
    public static final String REASON_NO_ENDPOINT = "no-endpoint";
    /** Reject reason: the sender or publisher was closed. */
    public static final String REASON_CLOSED = "closed";
    /** Reject reason: a frame whose layout (number or size of parts) is wrong, before the body is decoded. */
    public static final String REASON_BAD_FRAME = "bad-frame";
    /** Reject reason: a message at or below the last sequence number seen from its publisher. */
    public static final String REASON_OUT_OF_ORDER = "out-of-order";
    /** Reject reason: the receiving application's callback or bus threw. */
    public static final String REASON_HANDLER_FAILED = "handler-failed";

    private TransportMeters() {
    }
}
