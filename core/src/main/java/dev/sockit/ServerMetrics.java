package dev.sockit;

import dev.sockit.cluster.Broker;
import dev.sockit.metrics.Counter;
import dev.sockit.metrics.Metrics;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.ToLongFunction;

/**
 * Counts a server's events into a {@link Metrics} registry under the {@code sockit_} names
 * (docs/observability.md lists them). Events are counted as they happen, each a
 * {@code LongAdder} addition; traffic and open connections are read from
 * {@link Server#stats()} when scraped, so the hot path pays nothing for them.
 */
final class ServerMetrics implements Observer {

    // A scrape reads several figures of one ServerStats; each stats() walks every connection,
    // so one walk serves a scrape.
    private static final long STATS_REUSE_NANOS = 100_000_000;

    private final Counter[] closed = new Counter[CloseReason.Code.values().length];
    private final Counter refusedLimit;
    private final Counter refusedPerSource;
    private final Counter refusedDenied;
    private final Counter refusedHandshake;
    private final Counter refusedProxyHeader;
    private final Counter slowReaders;
    private final Counter pushesDropped;
    private final Counter handlerFailures;
    private final Counter acceptFailures;
    private final Counter tlsReloads;
    private final Counter tlsReloadFailures;
    private final Counter datagramSessions;
    private volatile Server server;
    private volatile ServerStats stats;
    private volatile long statsAt;

    ServerMetrics(Metrics metrics) {
        metrics.gauge("sockit_connections_open", "Connections open now.", stat(ServerStats::open));
        metrics.counter("sockit_connections_accepted_total", "Connections admitted since the server started.",
                stat(ServerStats::accepted));
        String refused = "sockit_connections_refused_total";
        String refusedHelp = "Peers turned away, by cause: a connection limit, the access policy, a failed TLS handshake,"
                + " a bad PROXY protocol header.";
        refusedLimit = metrics.counter(refused, refusedHelp, "cause", "limit");
        refusedPerSource = metrics.counter(refused, refusedHelp, "cause", "per_source");
        refusedDenied = metrics.counter(refused, refusedHelp, "cause", "denied");
        refusedHandshake = metrics.counter(refused, refusedHelp, "cause", "tls_handshake");
        refusedProxyHeader = metrics.counter(refused, refusedHelp, "cause", "proxy_header");
        for (CloseReason.Code code : CloseReason.Code.values()) {
            closed[code.ordinal()] = metrics.counter("sockit_connections_closed_total",
                    "Connections closed, by reason.", "reason", code.name().toLowerCase(Locale.ROOT));
        }
        metrics.counter("sockit_messages_received_total", "Messages received, by all connections.",
                stat(ServerStats::messagesIn));
        metrics.counter("sockit_messages_sent_total", "Messages sent, by all connections.",
                stat(ServerStats::messagesOut));
        metrics.counter("sockit_bytes_received_total", "Bytes read from all sockets.", stat(ServerStats::bytesIn));
        metrics.counter("sockit_bytes_sent_total", "Bytes written to all sockets.", stat(ServerStats::bytesOut));
        metrics.gauge("sockit_push_queued_bytes", "Bytes pushed by other threads (chat, broadcast) waiting to be written.",
                this::queuedBytes);
        pushesDropped = metrics.counter("sockit_pushes_dropped_total",
                "Pushes dropped because a peer's outbound queue was full (--on-slow-reader drop).");
        slowReaders = metrics.counter("sockit_slow_reader_disconnects_total",
                "Peers disconnected for not reading what was pushed to them (--on-slow-reader disconnect).");
        handlerFailures = metrics.counter("sockit_handler_failures_total",
                "Handlers that failed with an unexpected exception.");
        acceptFailures = metrics.counter("sockit_accept_failures_total",
                "Accepts that failed, e.g. for want of file descriptors.");
        String reloads = "sockit_tls_reloads_total";
        String reloadsHelp = "Times the TLS certificate files changed, by whether the new ones could be used.";
        tlsReloads = metrics.counter(reloads, reloadsHelp, "result", "success");
        tlsReloadFailures = metrics.counter(reloads, reloadsHelp, "result", "failure");
        datagramSessions = metrics.counter("sockit_datagram_sessions_total", "UDP peers given a session.");
        metrics.counter("sockit_datagrams_dropped_total",
                "UDP datagrams dropped: over the size limit, behind a full inbox, or arriving while stopping.",
                () -> server == null ? 0 : server.droppedDatagrams());
    }

    /** From now on, read the traffic and open connections from {@code server}. */
    void watch(Server server) {
        this.server = server;
    }

    /**
     * Adds the figures of a cluster's link, read from {@code broker} when scraped: whether it is
     * up, the live nodes, and the messages sent, received and not sent across.
     */
    static void countCluster(Metrics metrics, Broker broker) {
        metrics.gauge("sockit_cluster_link_up", "1 while messages can cross to the other nodes of the cluster, 0 while"
                + " the link is down.", () -> broker.linkUp() ? 1 : 0);
        metrics.gauge("sockit_cluster_nodes", "Live nodes of the cluster, this one included.", () -> broker.nodes().size());
        metrics.counter("sockit_cluster_messages_sent_total", "Messages sent to the other nodes of the cluster.",
                () -> broker.stats().published());
        metrics.counter("sockit_cluster_messages_received_total", "Messages received from the other nodes of the cluster.",
                () -> broker.stats().received());
        metrics.counter("sockit_cluster_messages_unsent_total", "Messages that could not be sent to the other nodes:"
                + " the link was down, or the send queue was full. Lost: delivery across nodes is at most once.",
                () -> broker.stats().unsent());
        metrics.counter("sockit_cluster_link_downs_total", "Times the link to the other nodes went down.",
                () -> broker.stats().linkDowns());
    }

    private java.util.function.LongSupplier stat(ToLongFunction<ServerStats> figure) {
        return () -> {
            ServerStats now = stats();
            return now == null ? 0 : figure.applyAsLong(now);
        };
    }

    private ServerStats stats() {
        Server watched = server;
        if (watched == null) {
            return null;
        }
        ServerStats last = stats;
        if (last == null || System.nanoTime() - statsAt > STATS_REUSE_NANOS) {
            last = watched.stats();
            stats = last;
            statsAt = System.nanoTime();
        }
        return last;
    }

    private long queuedBytes() {
        Server watched = server;
        long queued = 0;
        if (watched != null) {
            for (Connection connection : watched.connections()) {
                queued += connection.stats().queuedBytes();
            }
        }
        return queued;
    }

    /** {@return false}: messages are counted from the connections' statistics, not one by one. */
    @Override
    public boolean watchesMessages() {
        return false;
    }

    @Override
    public void connected(Connection connection) {
        if ("udp".equals(connection.protocol())) {
            datagramSessions.increment();
        }
    }

    @Override
    public void closed(Connection connection, CloseReason reason) {
        closed[reason.code().ordinal()].increment();
    }

    @Override
    public void rejected(SocketAddress peer, CloseReason reason) {
        (reason.isPerSourceLimit() ? refusedPerSource : refusedLimit).increment();
    }

    @Override
    public void refused(SocketAddress peer, String why) {
        refusedDenied.increment();
    }

    @Override
    public void proxyHeaderRefused(SocketAddress proxy, String why) {
        refusedProxyHeader.increment();
    }

    @Override
    public void handshakeFailed(Connection connection, CloseReason reason) {
        refusedHandshake.increment();
    }

    @Override
    public void slowReader(Connection connection, long queuedBytes, CloseReason reason) {
        slowReaders.increment();
    }

    @Override
    public void pushDropped(Connection connection) {
        pushesDropped.increment();
    }

    @Override
    public void handlerFailed(Connection connection, Throwable failure) {
        handlerFailures.increment();
    }

    @Override
    public void acceptFailed(Exception failure) {
        acceptFailures.increment();
    }

    @Override
    public void tlsReloaded(List<Path> files) {
        tlsReloads.increment();
    }

    @Override
    public void tlsReloadFailed(List<Path> files, Exception failure) {
        tlsReloadFailures.increment();
    }
}
