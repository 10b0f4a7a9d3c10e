package dev.sockit;

import static dev.sockit.TestKit.PATIENCE;
import static dev.sockit.TestKit.onLoopback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sockit.TestKit.Peer;
import java.io.IOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The built-in handlers, served on loopback and talked to through plain sockets. */
class HandlersTest {

    @Test
    void ackAnswersEveryMessageWithTheGivenReply() throws Exception {
        try (Server server = onLoopback().handler(Handlers.ack("ok")).start(); Peer peer = Peer.connect(server)) {
            peer.write("one\ntwo\n");
            assertThat(peer.readLines(2)).containsExactly("ok", "ok");
        }
    }

    @Test
    void echoSendsEveryMessageBackAsItCame() throws Exception {
        try (Server server = onLoopback().handler(Handlers.echo()).start(); Peer peer = Peer.connect(server)) {
            peer.write("hello\n\nwörld €\n");
            assertThat(peer.readLines(3)).containsExactly("hello", "", "wörld €");
        }
    }

    @Test
    void discardAnswersNothing() throws Exception {
        try (Server server = onLoopback().handler(Handlers.discard()).start(); Peer peer = Peer.connect(server)) {
            peer.write("one\ntwo\nthree\n");
            peer.socket().shutdownOutput();
            assertThat(peer.atEndOfStream()).as("end of stream before any byte").isTrue();
        }
    }

    @Test
    void discardReadsEverythingTheClientSends() throws Exception {
        byte[] bulk = TestKit.utf8(("x".repeat(1000) + "\n").repeat(4 * 1024));
        try (Server server = onLoopback().handler(Handlers.discard()).start(); Peer peer = Peer.connect(server)) {
            // Four megabytes are more than loopback buffers hold: the write ends only if the
            // server keeps reading.
            peer.write(bulk);
            peer.socket().shutdownOutput();
            assertThat(peer.atEndOfStream()).isTrue();
        }
    }

    @Test
    void forModeRefusesAnUnknownModeNamingIt() {
        assertThatThrownBy(() -> Handlers.forMode("shout", "ok"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"shout\"")
                .hasMessageContaining("ack, echo, chat or discard");
    }

    /** A chat server whose test knows when each member has joined the room. */
    private static final class ChatRoom implements AutoCloseable {
        // The chat handler joins the room before it first receives, so a message received
        // from a member proves that member is in the room.
        private final BlockingQueue<Connection> received = new LinkedBlockingQueue<>();
        private final Server server;

        ChatRoom() throws Exception {
            server = onLoopback().handler(Handlers.chat()).observer(new Observer() {
                @Override
                public void received(Connection connection, Message message) {
                    received.add(connection);
                }
            }).start();
        }

        /** Connects a member and waits until it is in the room; returns it with its id. */
        Member join() throws Exception {
            Peer peer = Peer.connect(server);
            peer.send("here");
            Connection connection = received.poll(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertThat(connection).as("the member's first message reached the server").isNotNull();
            return new Member(peer, connection.id());
        }

        @Override
        public void close() {
            server.close();
        }
    }

    /**
     * The next line {@code reader} hears, past the relay of {@code sender}'s "here": join()
     * knows the server received it, not that the relay went out before {@code reader} joined,
     * so {@code reader} may or may not hear it.
     */
    private static String nextChat(Member reader, Member sender) throws IOException {
        String line = reader.peer().readLine();
        return line.equals("[" + sender.id() + "] here") ? reader.peer().readLine() : line;
    }

    private record Member(Peer peer, long id) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            peer.close();
        }
    }

    @Test
    void chatRelaysAMessageToTheOthersPrefixedWithTheSendersId() throws Exception {
        try (ChatRoom room = new ChatRoom(); Member alice = room.join(); Member bob = room.join()) {
            alice.peer().readLines(2); // bob joined, bob's "here"
            alice.peer().send("hello, all");
            assertThat(nextChat(bob, alice)).isEqualTo("[" + alice.id() + "] hello, all");
        }
    }

    @Test
    void chatDoesNotSendAMessageBackToItsSender() throws Exception {
        try (ChatRoom room = new ChatRoom(); Member alice = room.join(); Member bob = room.join()) {
            alice.peer().readLines(2); // bob joined, bob's "here"
            alice.peer().send("mine");
            assertThat(nextChat(bob, alice)).isEqualTo("[" + alice.id() + "] mine");
            bob.peer().send("yours");
            // Had alice been sent her own line, it would come before bob's reply to it.
            assertThat(alice.peer().readLine()).isEqualTo("[" + bob.id() + "] yours");
        }
    }

    @Test
    void chatAnnouncesANewcomerWithItsIdAndAddress() throws Exception {
        try (ChatRoom room = new ChatRoom(); Member alice = room.join(); Member bob = room.join()) {
            assertThat(alice.peer().readLine())
                    .isEqualTo("* " + bob.id() + " joined from 127.0.0.1:" + bob.peer().socket().getLocalPort());
        }
    }

    @Test
    void chatAnnouncesAMemberWhoLeaves() throws Exception {
        try (ChatRoom room = new ChatRoom(); Member alice = room.join()) {
            long bobId;
            try (Member bob = room.join()) {
                bobId = bob.id();
                alice.peer().readLines(2); // bob joined, bob's "here"
            }
            assertThat(alice.peer().readLine()).isEqualTo("* " + bobId + " left");
        }
    }

    @Test
    void chatRoomsOfTwoServersAreSeparate() throws Exception {
        try (ChatRoom one = new ChatRoom(); ChatRoom two = new ChatRoom(); Member alice = one.join();
                Member bob = two.join(); Member carol = one.join()) {
            bob.peer().send("only for room two");
            carol.peer().send("for room one");
            assertThat(alice.peer().readLines(3)).containsExactly(
                    "* " + carol.id() + " joined from 127.0.0.1:" + carol.peer().socket().getLocalPort(),
                    "[" + carol.id() + "] here",
                    "[" + carol.id() + "] for room one");
        }
    }
}
