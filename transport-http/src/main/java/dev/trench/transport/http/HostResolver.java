package dev.trench.transport.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Resolves a DNS name to every address behind it: for a Kubernetes headless service, one address per ready pod.
 * {@link HttpCommandSender} calls it periodically from a thread of its own (never an I/O thread), so it may block.
 * Inject your own in tests, or to use another DNS client.
 */
@FunctionalInterface
public interface HostResolver {

    /**
     * Every address of {@code host}, in any order.
     *
     * @throws UnknownHostException when the name does not resolve (the sender then keeps the endpoints it knew)
     */
    List<InetAddress> resolve(String host) throws UnknownHostException;

    /**
     * The JVM's resolver ({@link InetAddress#getAllByName(String)}). Its positive answers are cached for
     * {@code networkaddress.cache.ttl} seconds (30 by default without a security manager); set that security property
     * lower than the sender's refresh interval for quick membership changes.
     */
    static HostResolver system() {
        return host -> List.of(InetAddress.getAllByName(host));
    }
}
