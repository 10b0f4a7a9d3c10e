package dev.sockit.bench;

import dev.sockit.Endpoint;
import dev.sockit.cluster.Broker;
import dev.sockit.Group;
import dev.sockit.Handler;
import dev.sockit.Handlers;
import dev.sockit.Heartbeat;
import dev.sockit.Message;
import dev.sockit.Server;
import java.io.IOException;

/**
 * sockit's push server: core's {@link Server} with {@link Handlers#echo()}, every connection a
 * member of one {@link Group} for as long as its handler runs, and a push is
 * {@link Group#broadcast(Message)}. Heartbeats are off ({@link Heartbeat#OFF}: no pings and no
 * TCP keepalive), as Netty's are; the connection limits are raised above the 19,000
 * connections the benchmarks open, all from loopback.
 */
public final class SockitPushServer implements PushServer {

    private final Server server;
    private final Group everyone;

    private SockitPushServer(Server server, Group everyone) {
        this.server = server;
        this.everyone = everyone;
    }

    /**
     * Listens on {@code endpoint}.
     *
     * @throws IOException saying why it cannot bind
     */
    public static SockitPushServer start(Endpoint endpoint) throws IOException {
        return start(endpoint, Broker.standalone());
    }

    /**
     * Listens on {@code endpoint} as a node of {@code broker}'s cluster: its group is the
     * cluster's group {@code everyone}.
     *
     * @throws IOException saying why it cannot bind
     */
    public static SockitPushServer start(Endpoint endpoint, Broker broker) throws IOException {
        Group everyone = new Group("everyone", broker);
        Handler echo = Handlers.echo();
        Server server = Server.listen(endpoint)
                .broker(broker)
                .maxConnections(20_000)
                .maxPerSource(20_000)
                .heartbeat(Heartbeat.OFF)
                .handler(connection -> {
                    everyone.join(connection);
                    try {
                        echo.handle(connection);
                    } finally {
                        everyone.leave(connection);
                    }
                })
                .start();
        return new SockitPushServer(server, everyone);
    }

    @Override
    public int port() {
        return server.port();
    }

    @Override
    public int members() {
        return everyone.members().size();
    }

    @Override
    public void push(String line) {
        everyone.broadcast(Message.of(line));
    }

    @Override
    public void close() {
        server.close();
    }
}
