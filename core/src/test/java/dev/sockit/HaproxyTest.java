package dev.sockit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.TestKit.Peer;
import dev.sockit.proxy.ProxyHeader;
import dev.sockit.proxy.ProxyProtocol;
import dev.sockit.proxy.ProxyProtocol.Version;
import dev.sockit.testing.RequiredProgram;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.file.Files;
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
        Path haproxy = RequiredProgram.find("haproxy", "haproxy");
        Watch watch = new Watch();
        Handler who = connection -> {
            for (Message message; (message = connection.receive()) != null; ) {
                connection.send(message.text() + " from " + Peers.describe(connection.remote()));
            }
        };
        try (Server server = TestKit.onLoopback().proxyProtocol(ProxyProtocol.accept(Version.V2).from("127.0.0.1"))
                .handler(who).observer(watch).start()) {
            int front = freePort();
            Path config = dir.resolve("haproxy.cfg");
            Files.writeString(config, String.join("\n",
                    "global",
                    "    maxconn 100",
                    "defaults",
                    "    mode tcp",
                    "    timeout connect 5s",
                    "    timeout client 30s",
                    "    timeout server 30s",
                    "frontend in",
                    "    bind 127.0.0.1:" + front,
                    "    default_backend sockit",
                    "backend sockit",
                    // Health checks every 100 ms, each with a LOCAL header, as send-proxy-v2 makes them.
                    "    server s1 127.0.0.1:" + server.port() + " send-proxy-v2 check inter 100ms",
                    ""));
            Process process = new ProcessBuilder(haproxy.toString(), "-db", "-f", config.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("haproxy.log").toFile()).start();
            try {
                TestKit.awaitUntil("haproxy listens on 127.0.0.1:" + front, () -> accepts(front));

                assertThat(watch.next("LOCAL")).as("a health check, with the socket's own address")
                        .matches("LOCAL 127\\.0\\.0\\.1:\\d+");
                assertThat(watch.next("health check closed")).isIn("health check closed: PEER_CLOSED",
                        "health check closed: BROKEN");

                try (Peer client = Peer.connectFrom("127.0.0.5", front)) {
                    String self = "127.0.0.5:" + client.socket().getLocalPort();
                    assertThat(client.ask("hello")).isEqualTo("hello from " + self);
                    // Skipping the probes above, which HAProxy relayed from 127.0.0.1 with headers of their own.
                    assertThat(watch.next("PROXY 127.0.0.5")).isEqualTo("PROXY " + self);
                }
            } finally {
                process.destroy(); // SIGTERM to its pid
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
            assertThat(watch.events).noneMatch(e -> e.startsWith("bad header") || e.startsWith("handler failed"));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0)) {
            return probe.getLocalPort();
        }
    }

    private static boolean accepts(int port) {
        try (Socket probe = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }
}
