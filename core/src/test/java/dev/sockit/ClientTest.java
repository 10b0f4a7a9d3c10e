package dev.sockit;

import static dev.sockit.TestKit.onLoopback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sockit.TestKit.Peer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The client, against a sockit server and against plain sockets. */
class ClientTest {

    @Test
    void exchangesMessagesWithAServerThroughTheLibrary() throws Exception {
        try (Server server = onLoopback().start();
                Connection connection = Client.connect(server.endpoint()).open()) {
            connection.send("hello");
            assertThat(connection.receive()).isEqualTo(Message.of(Handlers.ACK_REPLY));
        }
    }

    @Test
    void receivesWhatAPlainSocketServerSendsLineByLine() throws Exception {
        try (ServerSocket listener = loopbackListener();
                Connection connection = Client.connect(Endpoint.tcp("127.0.0.1", listener.getLocalPort())).open();
                Peer server = Peer.accept(listener)) {
            server.write("one\r\ntwo\nthr");
            server.socket().shutdownOutput();
            assertThat(connection.receive()).isEqualTo(Message.of("one"));
            assertThat(connection.receive()).isEqualTo(Message.of("two"));
            assertThat(connection.receive()).isEqualTo(Message.of("thr"));
            assertThat(connection.receive()).isNull();
        }
    }

    @Test
    @SuppressWarnings("try") // the server is closed by the test, and again by try if the test fails
    void receivesEndOfStreamWhenTheServerCloses() throws Exception {
        try (Server server = onLoopback().start();
                Connection connection = Client.connect(server.endpoint()).open()) {
            connection.send("hello");
            assertThat(connection.receive()).isNotNull();
            server.close();
            assertThat(connection.receive()).isNull();
        }
    }

    @Test
    void saysConnectionRefusedWhenNothingListens() throws Exception {
        int port;
        try (ServerSocket probe = loopbackListener()) {
            port = probe.getLocalPort();
        }
        Endpoint nobody = Endpoint.tcp("127.0.0.1", port);
        assertThatThrownBy(() -> Client.connect(nobody).open())
                .isInstanceOf(IOException.class)
                .hasMessageContaining("cannot connect to " + nobody)
                .hasMessageContaining("connection refused");
    }

    @Test
    void namesTheRemoteAndLocalAddressesOfItsConnection() throws Exception {
        try (Server server = onLoopback().start();
                Connection connection = Client.connect(server.endpoint()).open()) {
            assertThat(Peers.describe(connection.remote())).isEqualTo("127.0.0.1:" + server.port());
            assertThat(Peers.describe(connection.local())).startsWith("127.0.0.1:");
            assertThat(connection.protocol()).isEqualTo("tcp");
        }
    }

    @Test
    void halfClosesSoThatTheServerAnswersAndThenEnds() throws Exception {
        try (Server server = onLoopback().start();
                Connection connection = Client.connect(server.endpoint()).open()) {
            connection.send("one");
            connection.send("two");
            connection.shutdownOutput();
            assertThat(connection.receive()).isEqualTo(Message.of(Handlers.ACK_REPLY));
            assertThat(connection.receive()).isEqualTo(Message.of(Handlers.ACK_REPLY));
            assertThat(connection.receive()).isNull();
        }
    }

    @Test
    void refusesANonPositiveConnectTimeoutNamingIt() {
        assertThatThrownBy(() -> Client.connect(Endpoint.parse(Endpoint.DEFAULT)).connectTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PT0S");
    }

    @Test
    void sendsEachMessageToAPlainSocketServerAsALine() throws Exception {
        try (ServerSocket listener = loopbackListener();
                Connection connection = Client.connect(Endpoint.tcp("127.0.0.1", listener.getLocalPort())).open();
                Peer server = Peer.accept(listener)) {
            connection.send("hello");
            connection.send("wörld");
            assertThat(server.readLines(2)).containsExactly("hello", "wörld");
        }
    }

    private static ServerSocket loopbackListener() throws IOException {
        return new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    }
}
