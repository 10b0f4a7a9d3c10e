package dev.sockit.transport.linux;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sockit.Client;
import dev.sockit.Connection;
import dev.sockit.Endpoint;
import dev.sockit.Handlers;
import dev.sockit.Message;
import dev.sockit.Server;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unix seqpacket endpoints and abstract names, served by the usual handlers. */
class UnixPacketSocketsTest {

    @TempDir
    Path dir;

    @Test
    void aSeqpacketServerKeepsEachMessageWholeAndApart() throws Exception {
        Path socket = dir.resolve("packets.sock");
        try (Server server = Server.listen(Endpoint.parse("unix+seqpacket:" + socket)).handler(Handlers.echo()).start();
             SocketChannel peer = UnixSockets.connect(Libc.SOCK_SEQPACKET, socket.toString())) {
            // Two writes in a row: a stream would let them merge; a newline inside would split a line.
            peer.write(ByteBuffer.wrap("one".getBytes(UTF_8)));
            peer.write(ByteBuffer.wrap("two\nlines".getBytes(UTF_8)));
            assertThat(readPacket(peer)).isEqualTo("one");
            assertThat(readPacket(peer)).isEqualTo("two\nlines");
        }
        assertThat(socket).doesNotExist();
    }

    @Test
    void aSeqpacketPeerThatReadsNothingIsClosedAfterTheWriteTimeout() throws Exception {
        Path socket = dir.resolve("flood.sock");
        java.util.concurrent.CompletableFuture<Exception> ended = new java.util.concurrent.CompletableFuture<>();
        try (Server server = Server.listen(Endpoint.parse("unix+seqpacket:" + socket))
                        .writeTimeout(java.time.Duration.ofMillis(300))
                        .handler(c -> {
                            try {
                                while (true) {
                                    c.send(Message.of(new byte[8192])); // until the kernel's buffers are full
                                }
                            } catch (java.io.IOException e) {
                                ended.complete(e);
                            }
                        }).start();
             SocketChannel peer = UnixSockets.connect(Libc.SOCK_SEQPACKET, socket.toString())) {
            Exception why = ended.get(20, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(why).hasMessageContaining("is closed (not reading: a message waited 300 ms for room)");
            assertThat(peer.isOpen()).isTrue(); // it never read: the server gave up on it
        }
    }

    @Test
    void aSeqpacketClientTalksToASeqpacketServerMessageByMessage() throws Exception {
        Endpoint endpoint = Endpoint.parse("unix+seqpacket:" + dir.resolve("ack.sock"));
        try (Server server = Server.listen(endpoint).handler(Handlers.ack("ok")).start();
             Connection client = Client.connect(endpoint).open()) {
            client.send("first");
            client.send("second");
            assertThat(client.receive().text()).isEqualTo("ok");
            assertThat(client.receive().text()).isEqualTo("ok");
            assertThat(client.protocol()).isEqualTo("unix+seqpacket");
            assertThat(client.remote().toString()).isEqualTo(endpoint.path().toString());
        }
    }

    @Test
    void anAbstractNameServesAStreamClientAndLeavesNoFile() throws Exception {
        String name = "@sockit-test-" + UUID.randomUUID();
        Endpoint endpoint = Endpoint.parse("unix:" + name);
        try (Server server = Server.listen(endpoint).handler(Handlers.echo()).start();
             Connection client = Client.connect(endpoint).open()) {
            client.send("over the abstract namespace");
            Message reply = client.receive();
            assertThat(reply.text()).isEqualTo("over the abstract namespace");
            assertThat(server.endpoint().toString()).isEqualTo("unix:" + name);
            assertThat(Files.exists(Path.of(name))).isFalse();
        }
    }

    @Test
    void aNameNothingListensOnIsRefusedWithTheName() {
        Endpoint endpoint = Endpoint.parse("unix:@sockit-test-nobody-" + UUID.randomUUID());
        assertThatThrownBy(() -> Client.connect(endpoint).open())
                .hasMessageStartingWith("cannot connect to " + endpoint + ": nothing listens on the abstract name");
    }

    @Test
    void aStreamClientAtASeqpacketServerIsToldItIsTheOtherKind() throws Exception {
        Path socket = dir.resolve("kind.sock");
        try (Server server = Server.listen(Endpoint.parse("unix+seqpacket:" + socket)).handler(Handlers.echo()).start()) {
            assertThatThrownBy(() -> Client.connect(Endpoint.parse("unix:" + socket)).open())
                    .hasMessageContaining("is of another kind");
            // In the abstract namespace each kind has names of its own: nothing of this kind is there.
            String name = "@sockit-test-" + UUID.randomUUID();
            try (Server packets = Server.listen(Endpoint.parse("unix+seqpacket:" + name)).start()) {
                assertThatThrownBy(() -> Client.connect(Endpoint.parse("unix:" + name)).open())
                        .hasMessageContaining("as a stream socket (each kind has names of its own)");
            }
        }
    }

    @Test
    void twoServersCannotHoldOneAbstractName() throws Exception {
        String name = "unix:@sockit-test-" + UUID.randomUUID();
        try (Server first = Server.listen(Endpoint.parse(name)).start()) {
            assertThatThrownBy(() -> Server.listen(Endpoint.parse(name)).start())
                    .hasMessageContaining("another server holds the abstract name");
        }
    }

    @Test
    void aUnixgramServerAnswersEachDatagramOfAClientByItsName() throws Exception {
        Endpoint endpoint = Endpoint.parse("unixgram:" + dir.resolve("dgram.sock"));
        try (Server server = Server.listen(endpoint).handler(Handlers.echo()).start();
             Connection client = Client.connect(endpoint).open()) {
            client.send("one");
            client.send("two\nlines");
            assertThat(client.receive().text()).isEqualTo("one");
            assertThat(client.receive().text()).isEqualTo("two\nlines");
            assertThat(client.protocol()).isEqualTo("unixgram");
            assertThat(server.connections()).singleElement()
                    .satisfies(session -> assertThat(session.protocol()).isEqualTo("unixgram"));
        }
        assertThat(endpoint.path()).doesNotExist();
    }

    @Test
    void aUnixgramServerOnAnAbstractNameServesTwoClientsApart() throws Exception {
        Endpoint endpoint = Endpoint.parse("unixgram:@sockit-test-" + UUID.randomUUID());
        try (Server server = Server.listen(endpoint).handler(Handlers.echo()).start();
             Connection first = Client.connect(endpoint).open();
             Connection second = Client.connect(endpoint).open()) {
            first.send("for the first");
            second.send("for the second");
            assertThat(second.receive().text()).isEqualTo("for the second");
            assertThat(first.receive().text()).isEqualTo("for the first");
        }
    }

    @Test
    void framingOtherThanRawIsRefusedForUnixgramAsForUdp() {
        assertThatThrownBy(() -> Server.listen(Endpoint.parse("unixgram:" + dir.resolve("x.sock")))
                .framing(dev.sockit.framing.Lines.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a Unix datagram socket");
    }

    private static String readPacket(SocketChannel peer) throws Exception {
        ByteBuffer buffer = ByteBuffer.allocate(1024);
        int n = peer.read(buffer);
        return new String(buffer.array(), 0, n, UTF_8);
    }
}
