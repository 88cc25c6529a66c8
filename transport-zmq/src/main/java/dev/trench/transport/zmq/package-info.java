/**
 * ZeroMQ transport (JeroMQ): events fanned out to every subscriber node, commands pushed to one of the workers.
 *
 * <h2>Pieces</h2>
 * <ul>
 * <li>{@link dev.trench.transport.zmq.ZmqEventPublisher} implements {@link dev.trench.bus.spi.EventPublisher}: one
 *     PUSH socket per endpoint of its {@link dev.trench.transport.zmq.ZmqTarget} (a fixed list, or every address of a
 *     DNS name re-resolved periodically), so <em>every event goes to every endpoint</em>. A single PUSH socket behind
 *     one name would give each event to one node only (measured: load balancing, never fan-out).</li>
 * <li>{@link dev.trench.transport.zmq.ZmqEventSubscriber}: a PULL socket that binds (e.g. {@code tcp://*:23499}) and
 *     hands each decoded event to a consumer.</li>
 * <li>{@link dev.trench.transport.zmq.ZmqCommandSender} implements {@link dev.trench.bus.spi.CommandSender}: one PUSH
 *     socket per worker endpoint, each command to one of them (round robin), fire-and-forget.</li>
 * <li>{@link dev.trench.transport.zmq.ZmqCommandReceiver}: a PULL socket that binds and dispatches each command into
 *     the worker's {@link dev.trench.bus.CommandBus}.</li>
 * </ul>
 * Each component owns one {@code ZMQ.Context} and one thread that alone touches its sockets (ZeroMQ sockets are not
 * thread-safe); callers only put messages on a bounded queue. Closing stops the thread, closes the sockets with the
 * configured linger (0 by default), terminates the context (a blocked receive ends with {@code ETERM}) and joins every
 * thread, the context's own included.
 *
 * <p>Sockets are made with {@code IMMEDIATE} and used only once a monitor reported their ZMTP handshake: until then,
 * and while a socket is at its high-water mark, messages wait in the component, in order, up to the queue capacity and
 * the send timeout. Measured here, about 1 to 3 % of fresh JeroMQ loopback connections never complete their handshake
 * although the TCP connection is up, and nothing sent on them arrives, even 20 s later. Two defences: every socket sets
 * a short handshake interval ({@link dev.trench.transport.zmq.ZmqSocketOptions#handshakeInterval()}, 1 s instead of
 * JeroMQ's 30 s), so ZeroMQ itself drops a stalled connection and makes a new one; and a publisher socket whose
 * handshake has not completed 1 s after connecting is replaced.
 *
 * <h2>Frames</h2>
 * Commands travel as 2 frames, the logical type name and the JSON envelope of
 * {@link dev.trench.transport.WireCodec}. Events travel as 3 frames: type, a 25-byte stream frame (version, the
 * publisher's random id, a sequence number counting its events from 1), and the JSON envelope. An idle publisher sends
 * a heartbeat (empty type, its last sequence number, empty body) every heartbeat interval.
 *
 * <h2>Delivery guarantee of events: at most once per node, in order, gaps detected</h2>
 * <ul>
 * <li>Each subscriber node receives each event at most once, in the order its publisher sent them. Nothing is
 *     acknowledged and nothing is resent.</li>
 * <li>An event is missed by one node, while the others still receive it, when that node's socket queue is full (the
 *     publisher drops it for that endpoint only: rejects {@code endpoint-full}), when the node dies or restarts with
 *     events queued for it or inside it, or when a connection breaks.</li>
 * <li>A restarting node misses everything that was queued inside it or in its connection when it stopped, and what
 *     was published while it was down for longer than the publisher's send timeout (5 s by default) or beyond its
 *     queue capacity; events published during a shorter outage wait in the publisher and arrive, in order, when the
 *     node is back. A node that appears behind the DNS name receives the events published after the publisher's next
 *     lookup found it; nothing earlier.</li>
 * <li>Because every event carries (publisher id, sequence number), a subscriber knows when it missed events from a
 *     publisher it has heard before: a jump in the sequence, or a heartbeat announcing a higher one. It counts them
 *     ({@link dev.trench.transport.zmq.ZmqEventSubscriber#missedEvents()}, meter {@code trench.transport.missed}) and
 *     logs them. It cannot know what a publisher sent before the subscriber first heard of it.</li>
 * <li>The transport does not repair gaps. The websocket node resynchronises on a gap in the auction's own sequence
 *     numbers (it reloads the auction's current state), which also covers gaps this transport cannot see.</li>
 * </ul>
 *
 * <h2>Delivery guarantee of commands: at most once, fire-and-forget</h2>
 * {@link dev.trench.transport.zmq.ZmqCommandSender} reports {@link dev.trench.bus.Accepted} when the command was
 * handed to its socket. That is weaker than the HTTP sender's acknowledgement, which comes from the worker after it
 * queued the command: with ZeroMQ a worker that is down or killed loses what was queued for it, and a command is
 * never resent, so it runs at most once.
 *
 * <h2>Meters</h2>
 * The names of {@link dev.trench.transport.TransportMeters}, tagged {@code transport=zmq} and
 * {@code channel=<configured name>}.
 */
package dev.trench.transport.zmq;
