package dev.trench.transport.http;

import dev.trench.bus.CommandBus;
import dev.trench.bus.spi.CommandSender;
import dev.trench.transport.TransportContractTest;
import dev.trench.transport.WireCodec;
import java.time.Duration;
import java.util.List;

/** The transport contract, over the HTTP worker endpoint and sender. */
class HttpTransportContractTest extends TransportContractTest<HttpCommandServer> {

    @Override
    protected HttpCommandServer startReceiver(CommandBus bus, WireCodec codec) {
        return HttpCommandServer.builder(bus, codec)
                .config(HttpCommandServerConfig.builder()
                        .server(HttpServerConfig.builder().name("contract").host("127.0.0.1").port(0).ioThreads(2)
                                .drainTimeout(Duration.ofSeconds(10)).build())
                        .workerThreads(2)
                        .queueCapacity(2_000)
                        .build())
                .build()
                .start();
    }

    @Override
    protected CommandSender createSender(HttpCommandServer receiver, WireCodec codec) {
        return HttpCommandSender.builder(HttpCommandSenderConfig.builder("contract-worker")
                .endpoints(List.of("127.0.0.1:" + receiver.port())).ioThreads(2).build(), codec).build();
    }

    @Override
    protected void sendRaw(HttpCommandServer receiver, byte[] body) throws Exception {
        try (RawHttp http = new RawHttp(receiver.port())) {
            http.postJson("/commands", body);
        }
    }
}
