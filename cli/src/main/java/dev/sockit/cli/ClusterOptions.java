package dev.sockit.cli;

import dev.sockit.cluster.Broker;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * {@code --cluster URI [--node NAME]}: joins the server to a cluster of sockit servers through
 * an engine found by {@link Broker#open} ({@code redis://} with module cluster-redis on the class
 * path, which the command carries). Neither the command nor core names an engine.
 */
final class ClusterOptions {

    @Option(names = "--cluster", paramLabel = "URI",
            description = "Join a cluster of sockit servers through Redis: redis://HOST:PORT[/DB], "
                    + "redis://USER:PASSWORD@HOST:PORT, rediss://... for TLS. Chat, /all, /send, /kick, /list and /stats "
                    + "then reach the clients of every node; ids become NODE/NUMBER (docs/cluster.md). Default: this "
                    + "server alone.")
    String cluster;

    @Option(names = "--node", paramLabel = "NAME",
            description = "This server's name in the cluster: 1 to 64 letters, digits, '.', '_' or '-', unique among "
                    + "the live nodes. Default: HOST-PID, e.g. web1-4711.")
    String node;

    /** The broker, when --cluster was given; connected, or an exception saying why not. */
    Optional<Broker> open() {
        if (cluster == null) {
            if (node != null) {
                throw new IllegalArgumentException("--node " + node + " names this server in a cluster; give the cluster"
                        + " too, e.g. --cluster redis://127.0.0.1:6379 --node " + node);
            }
            return Optional.empty();
        }
        URI uri;
        try {
            uri = new URI(cluster);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--cluster \"" + cluster + "\" is not a URI (" + e.getReason()
                    + "); write redis://HOST:PORT[/DB], e.g. redis://127.0.0.1:6379");
        }
        String name = node != null ? node : defaultName();
        try {
            Broker.requireNodeName(name);
            return Optional.of(Broker.open(uri, name));
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new IllegalArgumentException("--cluster " + cluster + ": " + e.getMessage(), e);
        }
    }

    /** HOST-PID: unique on one machine, readable anywhere; the host as far as its first dot. */
    static String defaultName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "node";
        }
        return defaultName(host, ProcessHandle.current().pid());
    }

    static String defaultName(String host, long pid) {
        String shortHost = host.split("\\.", 2)[0].toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_-]", "-");
        if (shortHost.isEmpty()) {
            shortHost = "node";
        }
        if (shortHost.length() > 40) {
            shortHost = shortHost.substring(0, 40);
        }
        return shortHost + "-" + pid;
    }
}
