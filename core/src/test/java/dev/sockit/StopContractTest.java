package dev.sockit;

import static dev.sockit.TestKit.PATIENCE;
import static dev.sockit.TestKit.onLoopback;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.TestKit.Peer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** What Server.close(Duration) promises: its bound, and a handler that stops its own server. */
class StopContractTest {

    @Test
    void aHandlerThatClosesItsServerDoesNotWaitOnItselfAndItsPeerIsAnswered() throws Exception {
        AtomicReference<Server> self = new AtomicReference<>();
        Duration drainTimeout = Duration.ofSeconds(30);
        Handler stopper = connection -> {
            for (Message message; (message = connection.receive()) != null; ) {
                if (message.text().equals("stop")) {
                    self.get().close();
                    connection.send("stopping");
                } else {
                    connection.send("ok");
                }
            }
        };
        try (Server server = onLoopback().handler(stopper).drainTimeout(drainTimeout).start();
             Peer peer = Peer.connect(server)) {
            self.set(server);
            assertThat(peer.ask("hello")).isEqualTo("ok");
            long start = System.nanoTime();
            peer.send("stop");
            assertThat(peer.readLine()).isEqualTo("stopping");
            assertThat(peer.atEndOfStream()).isTrue();
            CountDownLatch closed = new CountDownLatch(1);
            Thread.ofVirtual().start(() -> {
                server.awaitClosed();
                closed.countDown();
            });
            assertThat(closed.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("the server stopped").isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(drainTimeout.dividedBy(4));
        }
    }

    @Test
    @SuppressWarnings("try")
    void closeReturnsWithinTheDrainTimeoutAndTheCutOffWhileAHandlerIgnoresInterrupts() throws Exception {
        Duration drainTimeout = Duration.ofMillis(300);
        CountDownLatch stuck = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        Handler deaf = connection -> {
            connection.receive();
            stuck.countDown();
            while (never.getCount() > 0) {
                try {
                    never.await();
                } catch (InterruptedException ignored) {
                    // This handler does not listen; close() must not wait on it for ever.
                }
            }
        };
        try (Server server = onLoopback().handler(deaf).drainTimeout(drainTimeout).start();
             Peer peer = Peer.connect(server)) {
            peer.send("hello");
            assertThat(stuck.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
            long start = System.nanoTime();
            server.close();
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            // Before the bound was kept, close() waited a hidden 5 s more here.
            assertThat(took).isLessThan(drainTimeout.plus(Server.CUT_OFF).plusSeconds(2));
            assertThat(peer.atEndOfStream()).as("the deaf handler's peer was cut off").isTrue();
        } finally {
            never.countDown();
        }
    }
}
