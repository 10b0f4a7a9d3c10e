package dev.sockit;

import static dev.sockit.TestKit.awaitUntil;
import static dev.sockit.TestKit.onLoopback;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.TestKit.Peer;
import org.junit.jupiter.api.Test;

/** The server's counters and the operator's kick, seen through plain sockets. */
class ServerStatsTest {

    @Test
    void countsOpenAndClosedConnectionsTrafficOnce() throws Exception {
        try (Server server = onLoopback().handler(Handlers.echo()).start()) {
            try (Peer first = Peer.connect(server)) {
                assertThat(first.ask("hello")).isEqualTo("hello");
            }
            awaitUntil("the first peer has left", () -> server.connections().isEmpty());
            try (Peer second = Peer.connect(server)) {
                assertThat(second.ask("hi")).isEqualTo("hi");
                // The peer may read the reply before the server's thread has counted its bytes.
                awaitUntil("the reply's bytes are counted", () -> server.stats().bytesOut() == "hello\nhi\n".length());
                ServerStats stats = server.stats();
                assertThat(stats.open()).isEqualTo(1);
                assertThat(stats.accepted()).isEqualTo(2);
                assertThat(stats.rejected()).isZero();
                assertThat(stats.messagesIn()).isEqualTo(2);
                assertThat(stats.messagesOut()).isEqualTo(2);
                assertThat(stats.bytesIn()).isEqualTo("hello\nhi\n".length());
                assertThat(stats.bytesOut()).isEqualTo("hello\nhi\n".length());
            }
        }
    }

    @Test
    void aKickedPeerIsToldWhyInOneErrorLine() throws Exception {
        try (Server server = onLoopback().handler(Handlers.echo()).start(); Peer peer = Peer.connect(server)) {
            assertThat(peer.ask("hello")).isEqualTo("hello");
            Connection connection = server.connections().iterator().next();
            connection.close(CloseReason.of(CloseReason.Code.KICKED, "kicked by the operator"));
            assertThat(peer.readUntilEnd()).containsExactly("error: kicked by the operator");
            assertThat(connection.closeReason().code()).isEqualTo(CloseReason.Code.KICKED);
        }
    }
}
