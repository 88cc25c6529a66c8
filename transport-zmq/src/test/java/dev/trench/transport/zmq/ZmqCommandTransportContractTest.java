package dev.trench.transport.zmq;

import dev.trench.bus.CommandBus;
import dev.trench.bus.spi.CommandSender;
import dev.trench.transport.TransportContractTest;
import dev.trench.transport.WireCodec;
import dev.trench.transport.zmq.internal.Frames;

/** The transport contract over ZeroMQ: {@link ZmqCommandSender} to {@link ZmqCommandReceiver} on loopback. */
class ZmqCommandTransportContractTest extends TransportContractTest<ZmqCommandReceiver> {

    @Override
    protected ZmqCommandReceiver startReceiver(CommandBus bus, WireCodec codec) {
        return ZmqCommandReceiver.start(ZmqBindConfig.builder("contract-worker", "tcp://127.0.0.1:*").build(), codec,
                bus, null);
    }

    @Override
    protected CommandSender createSender(ZmqCommandReceiver receiver, WireCodec codec) {
        return ZmqCommandSender.start(ZmqConnectConfig.builder("contract-worker",
                ZmqTarget.endpoints(receiver.endpoint())).build(), codec, null);
    }

    @Override
    protected void sendRaw(ZmqCommandReceiver receiver, byte[] body) {
        try (ZmqTestSupport.RawPush raw = new ZmqTestSupport.RawPush(receiver.endpoint())) {
            raw.send(Frames.type(PING), body);
        }
    }
}
