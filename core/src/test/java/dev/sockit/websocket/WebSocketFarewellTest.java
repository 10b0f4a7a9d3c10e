package dev.sockit.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.CloseReason;
import dev.sockit.Connection;
import dev.sockit.Endpoint;
import dev.sockit.Handler;
import dev.sockit.Server;
import dev.sockit.TestKit;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * A WebSocket closed from another thread while its peer is still sending: the peer reads every
 * message it was sent, the close frame, then the end of the TCP stream, never a reset. The
 * handler stays away from its socket meanwhile, so the peer's frames wait unread at the close.
 */
class WebSocketFarewellTest {

    @Test
    void aCloseFromAnotherThreadLetsThePeerReadAllItWasSentTheCloseFrameAndTheEnd() throws Exception {
        AtomicReference<Connection> served = new AtomicReference<>();
        CountDownLatch arrived = new CountDownLatch(1);
        CountDownLatch back = new CountDownLatch(1);
        Handler away = connection -> {
            connection.receive();
            served.set(connection);
            arrived.countDown();
            back.await();
            while (connection.receive() != null) {
                // what came before the close, if anything was whole; then the end
            }
        };
        try (Server server = Server.listen(Endpoint.parse("ws://127.0.0.1:0/")).handler(away).start();
             WsPeer peer = WsPeer.open(server.port())) {
            peer.text("hello");
            assertThat(arrived.await(TestKit.PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            AtomicLong sent = new AtomicLong();
            AtomicReference<Throwable> sendFailure = new AtomicReference<>();
            CountDownLatch ended = new CountDownLatch(1);
            Thread sender = Thread.ofVirtual().start(() -> {
                try {
                    while (ended.getCount() > 0) {
                        peer.text("more " + sent.getAndIncrement());
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                    }
                } catch (IOException e) {
                    sendFailure.set(e);
                }
            });
            TestKit.awaitUntil("the peer sent 20 frames the server has not read", () -> sent.get() >= 20);
            for (int i = 0; i < 1000; i++) {
                served.get().send("line " + i);
            }
            served.get().close(CloseReason.of(CloseReason.Code.KICKED, "kicked: bye"));
            back.countDown();
            List<String> received = new ArrayList<>();
            WsPeer.Frame frame;
            try {
                while ((frame = peer.readData()).opcode() != 8) {
                    received.add(frame.text());
                }
                assertThat(frame.closeReason()).isEqualTo("kicked: bye");
                assertThat(peer.in.read()).as("the end of the TCP stream after the close frame").isEqualTo(-1);
            } catch (IOException e) {
                throw new AssertionError("the peer read " + received.size() + " messages, then, instead of the close"
                        + " frame and the end of the stream: " + e, e);
            } finally {
                ended.countDown();
                sender.join(TestKit.PATIENCE);
            }
            assertThat(received).hasSize(1000).startsWith("line 0").endsWith("line 999");
            assertThat(sendFailure.get()).as("the peer's sending broke").isNull();
        }
    }
}
