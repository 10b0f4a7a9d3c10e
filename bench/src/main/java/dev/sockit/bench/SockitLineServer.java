package dev.sockit.bench;

import dev.sockit.Endpoint;
import dev.sockit.Handlers;
import dev.sockit.Heartbeat;
import dev.sockit.Server;
import dev.sockit.framing.Raw;
import java.io.IOException;
import java.time.Duration;

/**
 * sockit's contender: core's {@link Server} with the built-in {@link Handlers#echo()} or
 * {@link Handlers#ack(String)}, a virtual thread per connection, settings at their defaults
 * except the connection limit, raised so the 1,000-connection cells are never refused, and,
 * for bench/idle.sh, the heartbeat. {@code -Ddev.sockit.bench.busyPollMicros=N} sets its busy
 * poll ({@link Server.Builder#busyPoll}; automatic without it), for bench/run.sh to race as a
 * variant. In discard mode, {@link Handlers#discard()} over the {@link Raw} framing, as
 * {@code sockit server --mode discard --framing raw} runs it.
 */
public final class SockitLineServer implements LineServer {

    private final Server server;

    private SockitLineServer(Server server) {
        this.server = server;
    }

    /**
     * Listens on {@code endpoint}.
     *
     * @throws IOException saying why it cannot bind
     */
    public static SockitLineServer start(Endpoint endpoint, Mode mode, String reply) throws IOException {
        return start(endpoint, mode, reply, Heartbeat.DEFAULT);
    }

    /**
     * Listens on {@code endpoint} with this heartbeat. The default already sends no pings and
     * closes no idle peer, but sets TCP keepalive; {@link Heartbeat#OFF} sets none, as Netty
     * and the JDK server do by default.
     *
     * @throws IOException saying why it cannot bind
     */
    public static SockitLineServer start(Endpoint endpoint, Mode mode, String reply, Heartbeat heartbeat) throws IOException {
        Server.Builder server = Server.listen(endpoint)
                .heartbeat(heartbeat)
                .maxConnections(20_000)
                // Every benchmark client comes from 127.0.0.1: the per-address default (1,000) would refuse them.
                .maxPerSource(20_000);
        Long busyPollMicros = Long.getLong("dev.sockit.bench.busyPollMicros");
        if (busyPollMicros != null) {
            server.busyPoll(Duration.ofNanos(busyPollMicros * 1000));
        }
        return new SockitLineServer(switch (mode) {
            case ECHO -> server.handler(Handlers.echo()).start();
            case ACK -> server.handler(Handlers.ack(reply)).start();
            case DISCARD -> server.framing(Raw.bytes()).handler(Handlers.discard()).start();
        });
    }

    @Override
    public int port() {
        return server.port();
    }

    @Override
    public void awaitClosed() {
        server.awaitClosed();
    }

    @Override
    public void close() {
        server.close();
    }
}
