package dev.trench.examples.auction.cli.internal;

import dev.trench.transport.zmq.ZmqTarget;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code --ws-events}: the websocket nodes' ZeroMQ event endpoints, each {@code tcp://host:port}. A single
 * entry whose host is a DNS name (not an IP literal, not {@code localhost}) means every address behind the name,
 * looked up again every few seconds (a Kubernetes headless service, one address per node); otherwise the entries are
 * a fixed list.
 */
public final class EventTargets {
    private static final Pattern TCP = Pattern.compile("tcp://(\\[[^]]+]|[^:/\\s]+):(\\d{1,5})");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private EventTargets() {
    }

    /**
     * The target of the entries.
     *
     * @throws IllegalArgumentException naming the bad entry
     */
    public static ZmqTarget parse(List<String> entries) {
        List<String> endpoints = new ArrayList<>();
        String onlyHost = null;
        int onlyPort = 0;
        for (String raw : entries) {
            if (raw == null || raw.isBlank()) {
                continue;
            }
            String entry = raw.trim();
            Matcher m = TCP.matcher(entry);
            if (!m.matches()) {
                throw new IllegalArgumentException("ws-events: '" + entry + "' must look like tcp://host:23499");
            }
            int port = Integer.parseInt(m.group(2));
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("ws-events: '" + entry + "' has a port outside [1, 65535]");
            }
            endpoints.add(entry);
            onlyHost = m.group(1);
            onlyPort = port;
        }
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("ws-events: must name at least one endpoint such as"
                    + " tcp://auction-ws:23499, was " + entries);
        }
        if (endpoints.size() == 1 && !onlyHost.startsWith("[") && !onlyHost.equalsIgnoreCase("localhost")
                && !IPV4.matcher(onlyHost).matches()) {
            return ZmqTarget.dns(onlyHost, onlyPort);
        }
        return ZmqTarget.endpoints(endpoints);
    }
}
