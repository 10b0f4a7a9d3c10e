package dev.sockit.cli;

import dev.sockit.Endpoint;
import dev.sockit.proxy.ProxyProtocol;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code sockit server}'s PROXY protocol options, gathered into one {@link ProxyProtocol}. */
final class ProxyOptions {

    @Option(names = "--proxy-protocol", paramLabel = "v1|v2|any",
            description = "Behind a load balancer (HAProxy send-proxy / send-proxy-v2, nginx proxy_protocol, a cloud "
                    + "load balancer): read the PROXY protocol header each connection from --proxy-from begins with, "
                    + "and treat the client it names as the peer (log, --allow/--deny, --max-per-source). A bad or "
                    + "missing header closes the connection unserved. Default: off.")
    String version;

    @Option(names = "--proxy-from", paramLabel = "RANGE", split = ",",
            description = "With --proxy-protocol: the proxies' addresses or CIDR ranges (e.g. 10.0.0.5,10.1.0.0/16). "
                    + "Only connections from them may, and must, send a header; others are served as they are. "
                    + "Not needed on unix: endpoints, where every peer must send one. Repeatable.")
    List<String> from = new ArrayList<>();

    @Option(names = "--proxy-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "With --proxy-protocol: how long a proxy has, from connecting, to send its whole header. "
                    + "Default: 5s.")
    Duration timeout;

    /** The setting for {@code endpoint}, or null when --proxy-protocol is not given. */
    ProxyProtocol proxyProtocol(Endpoint endpoint) {
        if (version == null) {
            if (!from.isEmpty() || timeout != null) {
                throw new IllegalArgumentException("--proxy-from and --proxy-timeout go with --proxy-protocol v1|v2|any,"
                        + " e.g. --proxy-protocol v2 --proxy-from " + (from.isEmpty() ? "10.0.0.5" : from.get(0)));
            }
            return null;
        }
        ProxyProtocol protocol;
        try {
            protocol = ProxyProtocol.accept(ProxyProtocol.Version.parse(version));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--proxy-protocol: " + e.getMessage(), e);
        }
        for (String range : from) {
            try {
                protocol = protocol.from(range);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--proxy-from " + e.getMessage(), e);
            }
        }
        if (from.isEmpty() && endpoint.kind() != Endpoint.Kind.UNIX) {
            throw new IllegalArgumentException("--proxy-protocol needs --proxy-from: the addresses of the proxies whose"
                    + " headers to trust, e.g. --proxy-from 127.0.0.1 or 10.0.0.0/8 (a client could otherwise claim"
                    + " any address)");
        }
        return timeout == null ? protocol : protocol.timeout(timeout);
    }
}
