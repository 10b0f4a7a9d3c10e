package dev.sockit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** {@code sockit client --reconnect} as a process, across a server that stops and starts again. */
class ReconnectTest {

    @Test
    void aPipedClientReconnectsAfterTheServerRestartsOnTheSamePort() throws Exception {
        SockitProcess first = SockitProcess.server("--mode", "echo", "--quiet");
        String endpoint = first.endpoint();
        try (SockitProcess client = SockitProcess.start("client", endpoint, "--reconnect")) {
            try (first) {
                client.writeLine("before");
                assertThat(client.nextOut()).isEqualTo("before");
                // SIGTERM through the handle: a graceful stop, which closes the client's connection.
                first.process().toHandle().destroy();
                first.exitStatus(); // 143, as for any JVM stopped by SIGTERM: wait for it, the port must be free
            }
            assertThat(client.awaitErr("sockit: connection lost.*"))
                    .matches("sockit: connection lost \\(server closed the connection\\); reconnecting in \\d.* \\(attempt 1\\)…");
            try (SockitProcess second = SockitProcess.serverOn(endpoint, "--mode", "echo", "--quiet")) {
                assertThat(client.awaitErr("sockit: reconnected.*")).isEqualTo("sockit: reconnected to " + endpoint);
                client.writeLine("after");
                assertThat(client.nextOut()).isEqualTo("after");
                client.endInput();
                assertThat(client.exitStatus()).isZero();
            }
        }
    }

    @Test
    void aRefusedFirstConnectIsRetriedUntilTheServerComes() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        String endpoint = "tcp://127.0.0.1:" + port;
        try (SockitProcess client = SockitProcess.start("client", endpoint, "--reconnect").input("hello\n")) {
            assertThat(client.awaitErr("sockit: cannot connect.*")).startsWith("sockit: cannot connect to " + endpoint
                    + ": connection refused").contains("; retrying in ").endsWith("(attempt 1)…");
            try (SockitProcess server = SockitProcess.serverOn(endpoint, "--quiet")) {
                assertThat(client.awaitErr("sockit: connected.*")).isEqualTo("sockit: connected to " + endpoint);
                assertThat(client.restOfOut()).containsExactly("server received your message.");
                assertThat(client.exitStatus()).isZero();
            }
        }
    }

    @Test
    void reconnectMaxGivesUpWithStatusOne() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        try (SockitProcess client = SockitProcess.start("client", "tcp://127.0.0.1:" + port, "--reconnect",
                "--reconnect-max", "2").input("hello\n")) {
            assertThat(client.exitStatus()).isEqualTo(1);
            assertThat(client.restOfErr()).last().asString()
                    .startsWith("sockit: gave up on tcp://127.0.0.1:" + port + " after 2 attempts (--reconnect-max): ");
        }
    }
}
