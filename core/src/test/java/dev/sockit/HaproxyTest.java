package dev.sockit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.TestKit.Peer;
import dev.sockit.proxy.ProxyHeader;
import dev.sockit.proxy.ProxyProtocol;
import dev.sockit.proxy.ProxyProtocol.Version;
import dev.sockit.testing.Haproxy;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real HAProxy (Debian package haproxy) in front of a sockit server with
 * {@code send-proxy-v2}, as it is run in production: the client's own address reaches the
 * server, and HAProxy's health checks (LOCAL headers) are served, not refused.
 */
class HaproxyTest {

    @TempDir
    Path dir;

    /** Records what the server reports. */
    private static final class Watch implements Observer {
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();

        @Override
        public void connected(Connection connection) {
            String kind = connection.proxyHeader().map(h -> h.command().name()).orElse("no header");
            events.add(kind + " " + Peers.describe(connection.remote()));
        }

        @Override
        public void closed(Connection connection, CloseReason reason) {
            if (connection.proxyHeader().map(h -> h.command() == ProxyHeader.Command.LOCAL).orElse(false)) {
                events.add("health check closed: " + reason.code());
            }
        }

        @Override
        public void proxyHeaderRefused(SocketAddress proxy, String why) {
            events.add("bad header: " + why);
        }

        @Override
        public void handlerFailed(Connection connection, Throwable failure) {
            events.add("handler failed: " + failure);
        }

        /** The next event that starts with {@code prefix}, skipping others; fails after the test's patience. */
        String next(String prefix) throws InterruptedException {
            long deadline = System.nanoTime() + TestKit.PATIENCE.toNanos();
            for (;;) {
                String event = events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (event == null) {
                    throw new AssertionError("no event starting with \"" + prefix + "\" within " + TestKit.PATIENCE);
                }
                if (event.startsWith(prefix)) {
                    return event;
                }
                assertThat(event).doesNotStartWith("bad header").doesNotStartWith("handler failed");
            }
        }
    }

    @Test
    void aClientThroughHaproxyIsSeenWithItsOwnAddressAndHealthChecksAreServed() throws Exception {
        Watch watch = new Watch();
        Handler who = connection -> {
            for (Message message; (message = connection.receive()) != null; ) {
                connection.send(message.text() + " from " + Peers.describe(connection.remote()));
            }
        };
        try (Server server = TestKit.onLoopback().proxyProtocol(ProxyProtocol.accept(Version.V2).from("127.0.0.1"))
                .handler(who).observer(watch).start();
             // Health checks every 100 ms, each with a LOCAL header, as send-proxy-v2 makes them.
             Haproxy haproxy = Haproxy.start(dir, "send-proxy-v2 check inter 100ms", server.port())) {
            assertThat(watch.next("LOCAL")).as("a health check, with the socket's own address")
                    .matches("LOCAL 127\\.0\\.0\\.1:\\d+");
            assertThat(watch.next("health check closed")).isIn("health check closed: PEER_CLOSED",
                    "health check closed: BROKEN");

            try (Peer client = Peer.connectFrom("127.0.0.5", haproxy.port())) {
                String self = "127.0.0.5:" + client.socket().getLocalPort();
                assertThat(client.ask("hello")).isEqualTo("hello from " + self);
                // Skipping the health checks that came meanwhile.
                assertThat(watch.next("PROXY 127.0.0.5")).isEqualTo("PROXY " + self);
            }
            assertThat(watch.events).noneMatch(e -> e.startsWith("bad header") || e.startsWith("handler failed"));
        }
    }
}
