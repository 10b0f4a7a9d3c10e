package dev.sockit.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.Connection;
import dev.sockit.Group;
import dev.sockit.Handler;
import dev.sockit.Handlers;
import dev.sockit.Message;
import dev.sockit.framing.Lines;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * sockit's built-in handlers and groups, tested on the kit: their logic needs no kernel. What
 * sockets add (accepting, buffers, resets, limits) is tested on loopback in core's tests.
 * A receive on the kit waits as long as it must, so each test has a deadline of its own.
 */
@Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BuiltInHandlersTest {

    private static final Duration PATIENCE = Duration.ofSeconds(5);

    @Test
    void ackAnswersEveryMessageWithTheGivenReply() throws Exception {
        try (ConnectionPair pair = ConnectionPair.of(Lines.defaults()).serve(Handlers.ack("ok"))) {
            pair.client().send("one");
            pair.client().send("two");
            assertThat(lines(pair.client(), 2)).containsExactly("ok", "ok");
        }
    }

    @Test
    void echoSendsEveryMessageBackAsItCame() throws Exception {
        try (ConnectionPair pair = ConnectionPair.of(Lines.defaults()).serve(Handlers.echo())) {
            for (String text : new String[] {"hello", "", "wörld €"}) {
                pair.client().send(text);
            }
            assertThat(lines(pair.client(), 3)).containsExactly("hello", "", "wörld €");
        }
    }

    @Test
    void discardAnswersNothing() throws Exception {
        try (ConnectionPair pair = ConnectionPair.of(Lines.defaults()).serve(Handlers.discard())) {
            pair.client().send("one");
            pair.client().send("two");
            pair.client().shutdownOutput();
            assertThat(pair.client().receive()).as("end of stream before any message").isNull();
            pair.awaitHandler(PATIENCE);
            assertThat(pair.server().stats().messagesIn()).isEqualTo(2);
        }
    }

    @Test
    void discardReadsEverythingTheClientSends() throws Exception {
        // Four megabytes through a buffer of 64 KiB: the sends end only if the handler keeps reading.
        try (ConnectionPair pair = ConnectionPair.of(Lines.defaults()).serve(Handlers.discard())) {
            String line = "x".repeat(1000);
            CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < 4 * 1024; i++) {
                        pair.client().send(line);
                    }
                    pair.client().shutdownOutput();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, task -> Thread.ofVirtual().start(task));
            sent.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            pair.awaitHandler(PATIENCE);
            assertThat(pair.server().stats().messagesIn()).isEqualTo(4 * 1024);
        }
    }

    /** A chat member: a pair served by the room's handler, in the room once its handler waits for a message. */
    private static ConnectionPair join(Handler room) throws InterruptedException {
        return ConnectionPair.of(Lines.defaults()).serve(room).awaitReceiving(PATIENCE);
    }

    private static long id(ConnectionPair member) {
        return member.server().id();
    }

    @Test
    void chatRelaysAMessageToTheOthersPrefixedWithTheSendersId() throws Exception {
        Handler room = Handlers.chat();
        try (ConnectionPair alice = join(room); ConnectionPair bob = join(room)) {
            alice.client().receive(); // bob joined
            alice.client().send("hello, all");
            assertThat(bob.client().receive().text()).isEqualTo("[" + id(alice) + "] hello, all");
        }
    }

    @Test
    void chatRelaysBytesThatAreNotUtf8AsTheyCame() throws Exception {
        Handler room = Handlers.chat();
        try (ConnectionPair alice = join(room); ConnectionPair bob = join(room)) {
            alice.client().send(Message.of(new byte[] {(byte) 0xff, (byte) 0xfe, 'a'}));
            byte[] prefix = ("[" + id(alice) + "] ").getBytes(UTF_8);
            byte[] heard = bob.client().receive().bytes();
            assertThat(heard).startsWith(prefix).endsWith((byte) 0xff, (byte) 0xfe, (byte) 'a').hasSize(prefix.length + 3);
        }
    }

    @Test
    void chatDoesNotSendAMessageBackToItsSender() throws Exception {
        Handler room = Handlers.chat();
        try (ConnectionPair alice = join(room); ConnectionPair bob = join(room)) {
            alice.client().receive(); // bob joined
            alice.client().send("mine");
            assertThat(bob.client().receive().text()).isEqualTo("[" + id(alice) + "] mine");
            bob.client().send("yours");
            // Had alice been sent her own line, it would come before bob's reply to it.
            assertThat(alice.client().receive().text()).isEqualTo("[" + id(bob) + "] yours");
        }
    }

    @Test
    void chatAnnouncesANewcomerWithItsIdAndAddress() throws Exception {
        Handler room = Handlers.chat();
        try (ConnectionPair alice = join(room); ConnectionPair bob = join(room)) {
            int port = ((InetSocketAddress) bob.client().local()).getPort();
            assertThat(alice.client().receive().text()).isEqualTo("* " + id(bob) + " joined from 127.0.0.1:" + port);
        }
    }

    @Test
    void chatAnnouncesAMemberWhoLeaves() throws Exception {
        Handler room = Handlers.chat();
        try (ConnectionPair alice = join(room)) {
            long bobId;
            try (ConnectionPair bob = join(room)) {
                bobId = id(bob);
                alice.client().receive(); // bob joined
            }
            assertThat(alice.client().receive().text()).isEqualTo("* " + bobId + " left");
        }
    }

    @Test
    void chatRoomsOfTwoHandlersAreSeparate() throws Exception {
        Handler one = Handlers.chat();
        Handler two = Handlers.chat();
        try (ConnectionPair alice = join(one); ConnectionPair bob = join(two); ConnectionPair carol = join(one)) {
            bob.client().send("only for room two");
            bob.awaitReceiving(PATIENCE);
            carol.client().send("for room one");
            assertThat(lines(alice.client(), 2)).containsExactly(
                    "* " + id(carol) + " joined from 127.0.0.1:" + ((InetSocketAddress) carol.client().local()).getPort(),
                    "[" + id(carol) + "] for room one");
        }
    }

    @Test
    void aMemberThatClosesLeavesTheGroupWithoutWaitingForABroadcast() throws Exception {
        Group room = new Group("room");
        // Joins and never leaves by itself: only its close can take it out of the group.
        Handler joiner = connection -> {
            room.join(connection);
            while (connection.receive() != null) {
                // reading until the peer goes
            }
        };
        try (ConnectionPair pair = ConnectionPair.of(Lines.defaults()).serve(joiner).awaitReceiving(PATIENCE)) {
            assertThat(room.members()).containsExactly(pair.server());
            pair.client().close();
            pair.awaitHandler(PATIENCE);
            assertThat(room.members()).isEmpty();
            assertThat(room.size()).isZero();
        }
    }

    @Test
    void aBroadcastReachesEveryMemberButTheExceptedOne() throws Exception {
        Group room = new Group("room");
        Handler joiner = connection -> {
            room.join(connection);
            while (connection.receive() != null) {
                // pushed to only
            }
        };
        List<ConnectionPair> members = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                members.add(ConnectionPair.of(Lines.defaults()).serve(joiner).awaitReceiving(PATIENCE));
            }
            Connection sender = members.getFirst().server();
            assertThat(room.broadcastExcept(sender, Message.of("news"))).isEqualTo(2);
            for (ConnectionPair member : members.subList(1, 3)) {
                assertThat(member.client().receive().text()).isEqualTo("news");
            }
            assertThat(members.getFirst().server().unreadByPeer()).isZero();
        } finally {
            members.forEach(ConnectionPair::close);
        }
    }

    private static List<String> lines(Connection connection, int count) throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Message message = connection.receive();
            assertThat(message).as("message %d of %d", i + 1, count).isNotNull();
            lines.add(message.text());
        }
        return lines;
    }
}
