package dev.sockit;

import static dev.sockit.TestKit.onLoopback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sockit.TestKit.Peer;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * With a busy poll ({@link Server.Builder#busyPoll}), a reader whose peer answers quickly waits
 * for the next input before it parks (docs/architecture.md, "Spin before parking"): by default
 * one with a thread of its own, with 50 µs set also one the waiting room serves in line.
 * However that wait goes, quick answers, late ones, or spins that miss, every message is still
 * read and answered: the peer's socket timeout (5 s) is the deadline.
 */
class SpinTest {

    /** Automatic (the default), every quick peer for 50 µs, and none. */
    static Stream<Arguments> busyPolls() {
        return Stream.of(Arguments.of("automatic", null), Arguments.of("50 µs", Duration.ofNanos(50_000)),
                Arguments.of("none", Duration.ZERO));
    }

    private static Server.Builder polling(Duration busyPoll) {
        return busyPoll == null ? onLoopback() : onLoopback().busyPoll(busyPoll);
    }

    @ParameterizedTest(name = "busy poll {0}")
    @MethodSource("busyPolls")
    void aQuickPeerIsAnsweredWhenItsSpinsKeepMissingThenTurnsQuickAgain(String name, Duration busyPoll) throws Exception {
        try (Server server = polling(busyPoll).handler(Handlers.echo()).start();
             Peer peer = Peer.connect(server)) {
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < 200; i++) { // quick: the reader spins for the next one
                    assertThat(peer.ask("quick " + round + " " + i)).isEqualTo("quick " + round + " " + i);
                }
                // Pauses of 20 to 45 µs, timed by spinning here: answers that come late in a
                // spin, or just after it, so that spins miss and the reader parks in between.
                for (int i = 0; i < 100; i++) {
                    long until = System.nanoTime() + 20_000 + 5_000L * (i % 6);
                    while (System.nanoTime() < until) {
                        Thread.onSpinWait();
                    }
                    assertThat(peer.ask("late " + round + " " + i)).isEqualTo("late " + round + " " + i);
                }
                // Pauses longer than any spin: the reader parks.
                for (int i = 0; i < 40; i++) {
                    LockSupport.parkNanos(200_000 + 50_000L * (i % 8));
                    assertThat(peer.ask("slow " + round + " " + i)).isEqualTo("slow " + round + " " + i);
                }
            }
        }
    }

    @ParameterizedTest(name = "busy poll {0}")
    @MethodSource("busyPolls")
    void aPushFromAnotherThreadLeavesWhileTheReaderWaitsForItsPeer(String name, Duration busyPoll) throws Exception {
        try (Server server = polling(busyPoll).handler(connection -> {
                    for (Message message; (message = connection.receive()) != null; ) {
                        String text = message.text();
                        connection.send(text);
                        if (text.startsWith("push")) {
                            // Sent by another thread while this one waits for the next request.
                            Thread.ofVirtual().start(() -> {
                                try {
                                    connection.send("pushed " + text);
                                } catch (IOException closed) {
                                    // The peer's read of the push then fails the test.
                                }
                            });
                        }
                    }
                }).start();
             Peer peer = Peer.connect(server)) {
            for (int i = 0; i < 200; i++) {
                assertThat(peer.ask("quick " + i)).isEqualTo("quick " + i);
            }
            for (int i = 0; i < 50; i++) {
                peer.send("push " + i);
                // The reply and the push may leave in either order; both must, the push while
                // the reader waits for a request that does not come until both arrived.
                assertThat(peer.readLines(2)).containsExactlyInAnyOrder("push " + i, "pushed push " + i);
            }
        }
    }

    @Test
    void aBusyPollIsBetweenNothingAndTenMilliseconds() {
        assertThatThrownBy(() -> onLoopback().busyPoll(Duration.ofNanos(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("busyPoll must be between 0 (never) and 10 ms, not PT-0.000000001S");
        assertThatThrownBy(() -> onLoopback().busyPoll(Duration.ofMillis(11)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not PT0.011S");
    }
}
