package dev.trench.benchmarks;

import dev.trench.bus.Accepted;
import dev.trench.bus.CommandBus;
import dev.trench.bus.CommandHandler;
import dev.trench.bus.CommandSpec;
import dev.trench.bus.Envelope;
import dev.trench.bus.HandlerFactory;
import dev.trench.bus.MessageId;
import dev.trench.bus.Middleware;
import dev.trench.examples.auction.raisebid.AddUserToAuction;
import dev.trench.examples.auction.raisebid.CheckBidAmount;
import dev.trench.examples.auction.raisebid.NotifyParticipants;
import dev.trench.examples.auction.raisebid.RaiseBid;
import dev.trench.examples.auction.store.AuctionStore;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.commandhandling.SimpleCommandBus;
import org.axonframework.commandhandling.callbacks.FutureCallback;
import org.axonframework.messaging.MessageHandlerInterceptor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The three {@code RaiseBid} handlers of the auction example, dispatched:
 * <ul>
 *   <li>{@code directCall}: called one after the other by hand (the floor);</li>
 *   <li>{@code bareBus}: through a Trench bus with no middleware;</li>
 *   <li>{@code oneMiddleware}: with one pass-through middleware;</li>
 *   <li>{@code fullStack}: with the standard stack (logging at a level that does not print, metrics, events,
 *       async - handled on this node, retry);</li>
 *   <li>{@code axonBare}, {@code axonOneInterceptor}, {@code axonFiveInterceptors}: Axon Framework 4's
 *       {@code SimpleCommandBus} with the same handlers and as many no-op interceptors as Trench has middleware.</li>
 * </ul>
 * Every variant waits for the result. The store accepts every bid without work ({@link BenchmarkAuctionStore}).
 * Run it through {@link BusBenchmarks} (1 and 2 threads, GC profiler, ratio table).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 2)
// two forks: with one, the 2-thread figure of a variant swung by 2x between runs (JIT decisions differ per fork)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class CommandBusBenchmark {

    private final AuctionStore store = new BenchmarkAuctionStore();
    private final Clock clock = Clock.systemUTC();
    private final Supplier<MessageId> ids = MessageId.generator(clock);
    private final RaiseBid command = new RaiseBid("A1", "alice", new BigDecimal("12.50"));

    private CommandHandler<RaiseBid, Accepted>[] handlers;
    private CommandBus bareBus;
    private CommandBus oneMiddleware;
    private CommandBus fullStack;
    private StandardStack stack;
    private SimpleCommandBus axonBare;
    private SimpleCommandBus axonOne;
    private SimpleCommandBus axonFive;

    @Setup(Level.Trial)
    @SuppressWarnings("unchecked")
    public void setUp() {
        handlers = new CommandHandler[] {
            new AddUserToAuction(store), new CheckBidAmount(store), new NotifyParticipants(store)};
        HandlerFactory factory = this::create;
        CommandSpec<RaiseBid> plain = CommandSpec.of(RaiseBid.class, "auction.raise-bid")
                .handler(AddUserToAuction.class).handler(CheckBidAmount.class).handler(NotifyParticipants.class)
                .build();
        bareBus = CommandBus.builder().register(plain).handlerFactory(factory).build();
        Middleware passThrough = chain -> chain.proceed(chain.envelope());
        oneMiddleware = CommandBus.builder().register(plain).append(passThrough).handlerFactory(factory).build();
        stack = new StandardStack(clock);
        CommandBus.Builder full = CommandBus.builder().register(RaiseBid.SPEC).handlerFactory(factory);
        stack.middleware().forEach(full::append);
        fullStack = full.build();

        axonBare = axonBus(0);
        axonOne = axonBus(1);
        axonFive = axonBus(stack.middleware().size());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        stack.close();
    }

    private <H> H create(Class<H> type) {
        for (Object h : handlers) {
            if (type.isInstance(h)) {
                return type.cast(h);
            }
        }
        throw new IllegalStateException("no handler " + type);
    }

    private SimpleCommandBus axonBus(int interceptors) {
        SimpleCommandBus bus = SimpleCommandBus.builder().build();
        bus.subscribe(RaiseBid.class.getName(), message -> {
            RaiseBid c = (RaiseBid) message.getPayload();
            DirectContext context = new DirectContext(Envelope.of(c, ids.get(), ids.get(), null, clock.millis()),
                    clock);
            for (CommandHandler<RaiseBid, Accepted> h : handlers) {
                h.handle(c, context);
            }
            return context.recordedEvents().size();
        });
        MessageHandlerInterceptor<CommandMessage<?>> noOp = (unitOfWork, chain) -> chain.proceed();
        for (int i = 0; i < interceptors; i++) {
            bus.registerHandlerInterceptor(noOp);
        }
        return bus;
    }

    @Benchmark
    public Object directCall() {
        MessageId id = ids.get();
        DirectContext context = new DirectContext(Envelope.of(command, id, id, null, clock.millis()), clock);
        for (CommandHandler<RaiseBid, Accepted> h : handlers) {
            h.handle(command, context);
        }
        return context.recordedEvents();
    }

    @Benchmark
    public Object bareBus() {
        return bareBus.dispatch(command).toCompletableFuture().join();
    }

    @Benchmark
    public Object oneMiddleware() {
        return oneMiddleware.dispatch(command).toCompletableFuture().join();
    }

    @Benchmark
    public Object fullStack() {
        return fullStack.dispatch(command).toCompletableFuture().join();
    }

    @Benchmark
    public Object axonBare() {
        return axon(axonBare);
    }

    @Benchmark
    public Object axonOneInterceptor() {
        return axon(axonOne);
    }

    @Benchmark
    public Object axonFiveInterceptors() {
        return axon(axonFive);
    }

    private Object axon(SimpleCommandBus bus) {
        FutureCallback<Object, Object> callback = new FutureCallback<>();
        bus.dispatch(GenericCommandMessage.asCommandMessage(command), callback);
        return callback.getResult();
    }

}
