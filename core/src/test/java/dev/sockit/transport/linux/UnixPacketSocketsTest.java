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

    @Test
    void framingOtherThanRawIsRefusedForSeqpacketWhichKeepsEachMessageWhole() throws Exception {
        Endpoint endpoint = Endpoint.parse("unix+seqpacket:" + dir.resolve("framed.sock"));
        assertThatThrownBy(() -> Server.listen(endpoint).framing(dev.sockit.framing.Frames.defaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the frames framing does not apply to " + endpoint + ": over a Unix seqpacket socket each"
                        + " message is kept whole, so there is nothing to frame (leave the framing out, or choose raw)");
        assertThatThrownBy(() -> Client.connect(endpoint).framing(dev.sockit.framing.Lines.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a Unix seqpacket socket");
        try (Server server = Server.listen(endpoint).framing(dev.sockit.framing.Raw.bytes()).handler(Handlers.echo())
                .start();
             Connection peer = Client.connect(endpoint).framing(dev.sockit.framing.Raw.bytes()).open()) {
            peer.send("raw means the same\n");
            assertThat(peer.receive().text()).isEqualTo("raw means the same\n");
        }
    }

    @Test
    void chatOverSeqpacketRelaysEachMessageWholeToTheOtherMember() throws Exception {
        Endpoint endpoint = Endpoint.parse("unix+seqpacket:" + dir.resolve("chat.sock"));
        java.util.concurrent.BlockingQueue<Connection> heard = new java.util.concurrent.LinkedBlockingQueue<>();
        // The chat handler joins before it first receives: a message received proves its sender is in the room.
        dev.sockit.Observer inRoom = new dev.sockit.Observer() {
            @Override
            public void received(Connection connection, Message message) {
                heard.add(connection);
            }
        };
        try (Server server = Server.listen(endpoint).handler(Handlers.chat()).observer(inRoom).start();
             Connection alice = Client.connect(endpoint).open()) {
            alice.send("here");
            long aliceId = inRoom(heard);
            // Bob connects only now: each handler joins on a thread of its own, so had he connected
            // with alice, his could have joined and announced him before hers joined.
            try (Connection bob = Client.connect(endpoint).open()) {
                bob.send("here");
                long bobId = inRoom(heard);
                assertThat(alice.receive().text()).startsWith("* " + bobId + " joined from unix:");
                assertThat(alice.receive().text()).isEqualTo("[" + bobId + "] here");
                alice.send("two\nlines, one message");
                // Alice's "here" is relayed after it was received: bob may have joined by then and hear it first.
                String heardByBob = bob.receive().text();
                if (heardByBob.equals("[" + aliceId + "] here")) {
                    heardByBob = bob.receive().text();
                }
                assertThat(heardByBob).isEqualTo("[" + aliceId + "] two\nlines, one message");
            }
        }
    }

    /** The id of the next member whose message the chat handler received, which proves it in the room. */
    private static long inRoom(java.util.concurrent.BlockingQueue<Connection> heard) throws InterruptedException {
        Connection member = heard.poll(5, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(member).as("a message received by the chat handler within 5 s").isNotNull();
        return member.id();
    }

    @Test
    void aBroadcastReachesSeqpacketAndUnixgramPeersAlike() throws Exception {
        Endpoint packets = Endpoint.parse("unix+seqpacket:" + dir.resolve("push.sock"));
        Endpoint datagrams = Endpoint.parse("unixgram:" + dir.resolve("push-dgram.sock"));
        try (Server server = Server.listen(packets, datagrams).handler(Handlers.echo()).start();
             Connection stream = Client.connect(packets).open();
             Connection dgram = Client.connect(datagrams).open()) {
            stream.send("hello");
            dgram.send("hello"); // a unixgram peer is known once it has sent
            assertThat(stream.receive().text()).isEqualTo("hello");
            assertThat(dgram.receive().text()).isEqualTo("hello");
            assertThat(server.broadcast(Message.of("news"))).isEqualTo(2);
            assertThat(stream.receive().text()).isEqualTo("news");
            assertThat(dgram.receive().text()).isEqualTo("news");
        }
    }

    @Test
    void pingsAnIdleTimeoutAndAPushQueueThatPacketsWouldIgnoreAreRefusedAtStart() {
        for (String where : new String[] {"unix+seqpacket:" + dir.resolve("a.sock"), "unixgram:" + dir.resolve("b.sock")}) {
            Endpoint endpoint = Endpoint.parse(where);
            assertThatThrownBy(() -> Server.listen(endpoint)
                    .heartbeat(dev.sockit.Heartbeat.DEFAULT.idleTimeout(java.time.Duration.ofSeconds(30))).start())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(endpoint.toString()).hasMessageContaining("--idle-timeout");
            assertThatThrownBy(() -> Server.listen(endpoint).outbound(dev.sockit.OutboundLimit.of(4096, 10,
                    dev.sockit.OutboundLimit.Overflow.DROP)).start())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("are not queued").hasMessageContaining("--on-slow-reader");
        }
    }

    @Test
    void besideAStreamEndpointAnIdleTimeoutAppliesToItAndTheServerStarts() throws Exception {
        try (Server server = Server.listen(Endpoint.parse("tcp://127.0.0.1:0"),
                        Endpoint.parse("unix+seqpacket:" + dir.resolve("beside.sock")))
                .heartbeat(dev.sockit.Heartbeat.DEFAULT.idleTimeout(java.time.Duration.ofSeconds(30))).start()) {
            assertThat(server.endpoints()).hasSize(2);
        }
    }

    private static String readPacket(SocketChannel peer) throws Exception {
        ByteBuffer buffer = ByteBuffer.allocate(1024);
        int n = peer.read(buffer);
        return new String(buffer.array(), 0, n, UTF_8);
    }
}
