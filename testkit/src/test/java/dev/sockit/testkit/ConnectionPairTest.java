package dev.sockit.testkit;

import static dev.sockit.TestKit.PATIENCE;
import static dev.sockit.TestKit.awaitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.CloseReason;
import dev.sockit.Handler;
import dev.sockit.Handlers;
import dev.sockit.Message;
import dev.sockit.framing.Frames;
import dev.sockit.framing.Lines;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The kit's pair ends as a socket connection would, and its faults disturb what they say. */
class ConnectionPairTest {

    @Test
    void aHandlerAnswersEveryLineWithNoSocket() throws Exception {
        try (ConnectionPair pair = ConnectionPair.of(Lines.defaults()).serve(Handlers.ack("ok"))) {
            pair.client().send("one");
            pair.client().send("two");
            assertThat(pair.client().receive().text()).isEqualTo("ok");
            assertThat(pair.client().receive().text()).isEqualTo("ok");
        }
    }

    @Test
    void writesSplitByteByByteAndDelayedStillMakeWholeLines() throws Exception {
        Faults cut = Faults.none().splitWrites(1).delay(Duration.ofMillis(1));
        try (ConnectionPair pair = ConnectionPair.builder(Lines.defaults()).clientFaults(cut).serverFaults(cut).build()
                .serve(Handlers.echo())) {
            pair.client().send("héllo, world");
            assertThat(pair.client().receive().text()).isEqualTo("héllo, world");
            assertThat(pair.server().stats().bytesIn()).isEqualTo("héllo, world\n".getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        }
    }

    @Test
    void aLineOverTheLimitIsRefusedAsOverTcp() throws Exception {
        try (ConnectionPair pair = ConnectionPair.of(Lines.maxLength(40)).serve(Handlers.echo())) {
            pair.client().send("x".repeat(100));
            assertThat(pair.client().receive().text()).isEqualTo("error: line longer than 40 bytes");
            assertThat(pair.client().receive()).isNull();
            pair.awaitHandler(PATIENCE);
            assertThat(pair.server().closeReason().code()).isEqualTo(CloseReason.Code.PROTOCOL_ERROR);
        }
    }

    @Test
    void aHalfCloseLetsTheHandlerAnswerEverythingBeforeTheEnd() throws Exception {
        try (ConnectionPair pair = ConnectionPair.of(Lines.defaults()).serve(Handlers.echo())) {
            pair.client().send("a");
            pair.client().send("b");
            pair.client().shutdownOutput();
            assertThat(pair.client().receive().text()).isEqualTo("a");
            assertThat(pair.client().receive().text()).isEqualTo("b");
            assertThat(pair.client().receive()).isNull(); // the handler saw the end, returned, and its end closed
            pair.awaitHandler(PATIENCE);
        }
    }

    @Test
    void aResetEndsTheHandlersLoopWithABrokenConnection() throws Exception {
        try (ConnectionPair pair = ConnectionPair.of(Lines.defaults()).serve(Handlers.echo())) {
            pair.client().send("hello");
            assertThat(pair.client().receive().text()).isEqualTo("hello");
            pair.client().reset();
            pair.awaitHandler(PATIENCE);
            assertThat(pair.server().closeReason().code()).isEqualTo(CloseReason.Code.BROKEN);
            assertThat(pair.server().closeReason().text()).contains("reset");
        }
    }

    @Test
    void aSlowReaderMakesTheSendersWaitOnceTheBufferIsFull() throws Exception {
        try (ConnectionPair pair = ConnectionPair.builder(Lines.defaults()).bufferSize(1024).build()) {
            String line = "y".repeat(511); // 512 bytes with its newline
            CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < 10; i++) {
                        pair.server().send(line);
                    }
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, r -> Thread.ofVirtual().start(r));
            // Two lines fit; the third waits for the client, which reads nothing yet.
            awaitUntil("the client's 1024 bytes waiting unread", () -> pair.server().unreadByPeer() == 1024);
            assertThat(sender).isNotDone();
            for (int i = 0; i < 10; i++) {
                assertThat(pair.client().receive().text()).isEqualTo(line);
            }
            sender.get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aSlowReaderFaultTakesAFewBytesAtATime() throws Exception {
        try (ConnectionPair pair = ConnectionPair.builder(Lines.defaults())
                .clientFaults(Faults.none().slowReader(3, Duration.ZERO)).build().serve(Handlers.ack("server received"))) {
            pair.client().send("hi");
            assertThat(pair.client().receive().text()).isEqualTo("server received");
        }
    }

    @Test
    void theFramesFramingGreetsAndAnswersOnBothEnds() throws Exception {
        try (ConnectionPair pair = ConnectionPair.of(Frames.defaults()).serve(Handlers.echo())) {
            pair.client().send(Message.of(new byte[] {0, 1, 2, (byte) 0xff}));
            assertThat(pair.client().receive().bytes()).containsExactly(0, 1, 2, 0xff);
            pair.client().close();
            pair.awaitHandler(PATIENCE); // the CLOSE frame ended the handler's stream
        }
    }

    @Test
    void chatRelaysBetweenTwoPairsServedByOneHandler() throws Exception {
        var chat = Handlers.chat();
        // Alice's handler joins the room before it reads: once it waits for her first line, she is in.
        try (ConnectionPair alice = ConnectionPair.of(Lines.defaults()).serve(chat).awaitReceiving(PATIENCE);
             ConnectionPair bob = ConnectionPair.of(Lines.defaults()).serve(chat)) {
            // Bob's arrival is announced to Alice; then she talks, and Bob, in the room, hears it.
            assertThat(alice.client().receive().text()).startsWith("* " + bob.server().id() + " joined from ");
            alice.client().send("hi from alice");
            String heard = bob.client().receive().text();
            assertThat(heard).endsWith("hi from alice").startsWith("[" + alice.server().id() + "]");
        }
    }

    @Test
    void awaitReceivingReturnsOnceTheHandlerHasDoneAllItsMessagesAsked() throws Exception {
        java.util.List<String> done = new java.util.concurrent.CopyOnWriteArrayList<>();
        Handler slow = connection -> {
            for (Message message; (message = connection.receive()) != null; ) {
                Thread.sleep(20); // work the test must not overtake
                done.add(message.text());
            }
        };
        try (ConnectionPair pair = ConnectionPair.of(Lines.defaults()).serve(slow)) {
            for (String text : new String[] {"a", "b", "c"}) {
                pair.client().send(text);
            }
            pair.awaitReceiving(PATIENCE);
            assertThat(done).containsExactly("a", "b", "c");
        }
    }

    @Test
    void awaitReceivingSaysSoWhenTheHandlerReturnedInstead() throws Exception {
        try (ConnectionPair pair = ConnectionPair.of(Lines.defaults()).serve(connection -> connection.send("bye"))) {
            assertThat(pair.client().receive().text()).isEqualTo("bye");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> pair.awaitReceiving(PATIENCE))
                    .isInstanceOf(AssertionError.class).hasMessageContaining("closed instead of waiting");
        }
    }

    @Test
    void awaitReceivingTimesOutWhileTheHandlerIsBlockedInASend() throws Exception {
        Handler flood = connection -> {
            while (true) {
                connection.send("z".repeat(1000)); // the client never reads: the buffer fills
            }
        };
        try (ConnectionPair pair = ConnectionPair.builder(Lines.defaults()).bufferSize(4096).build().serve(flood)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> pair.awaitReceiving(Duration.ofMillis(200)))
                    .isInstanceOf(AssertionError.class).hasMessageContaining("did not come to wait");
        }
    }

    @Test
    void awaitReceivingSaysNotWaitingOnceAHalfCloseEndedTheHandlersReads() throws Exception {
        java.util.concurrent.CountDownLatch readAll = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        Handler readsThenWorks = connection -> {
            while (connection.receive() != null) {
                // read to the end of the client's output
            }
            readAll.countDown();
            release.await(); // still open, busy with something else: not waiting for a message
        };
        try (ConnectionPair pair = ConnectionPair.of(Lines.defaults()).serve(readsThenWorks).awaitReceiving(PATIENCE)) {
            pair.client().shutdownOutput();
            assertThat(readAll.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> pair.awaitReceiving(PATIENCE))
                    .isInstanceOf(AssertionError.class).hasMessageContaining("did not come to wait");
        } finally {
            release.countDown();
        }
    }
}
