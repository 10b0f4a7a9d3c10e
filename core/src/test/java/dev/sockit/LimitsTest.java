package dev.sockit;

import static dev.sockit.TestKit.awaitUntil;
import static dev.sockit.TestKit.onLoopback;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.TestKit.Peer;
import dev.sockit.testing.ManualClock;
import dev.sockit.transport.SocketConnection;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The per-source connection limit and the write timeout, through real sockets. */
class LimitsTest {

    @Test
    void onePeerPastTheLimitForItsAddressIsToldAndClosed() throws Exception {
        try (Server server = onLoopback().maxPerSource(2).start();
             Peer first = Peer.connectFrom("127.0.0.1", server.port());
             Peer second = Peer.connectFrom("127.0.0.1", server.port());
             Peer third = Peer.connectFrom("127.0.0.1", server.port())) {
            assertThat(first.ask("hi")).isEqualTo(Handlers.ACK_REPLY);
            assertThat(second.ask("hi")).isEqualTo(Handlers.ACK_REPLY);
            assertThat(third.readUntilEnd()).containsExactly("error: too many connections from 127.0.0.1: 2 open,"
                    + " the most one address may have; try again later");
            assertThat(server.stats().rejected()).isEqualTo(1);
        }
    }

    @Test
    void anotherAddressIsNotHeldBackByTheFirstOnesLimit() throws Exception {
        try (Server server = onLoopback().maxPerSource(1).start();
             Peer first = Peer.connectFrom("127.0.0.1", server.port());
             Peer other = Peer.connectFrom("127.0.0.2", server.port())) {
            assertThat(first.ask("hi")).isEqualTo(Handlers.ACK_REPLY);
            assertThat(other.ask("hi")).isEqualTo(Handlers.ACK_REPLY);
        }
    }

    @Test
    void aSlotFreedByAPeerLeavingIsGivenToTheNextFromItsAddress() throws Exception {
        try (Server server = onLoopback().maxPerSource(1).start()) {
            try (Peer first = Peer.connectFrom("127.0.0.2", server.port())) {
                assertThat(first.ask("hi")).isEqualTo(Handlers.ACK_REPLY);
            }
            awaitUntil("the first peer has left", () -> server.connections().isEmpty());
            try (Peer next = Peer.connectFrom("127.0.0.2", server.port())) {
                assertThat(next.ask("hi")).isEqualTo(Handlers.ACK_REPLY);
            }
            assertThat(server.stats().rejected()).isZero();
        }
    }

    @Test
    void aPeerThatStopsReadingIsClosedWhenAWriteHasWaitedTheWriteTimeout() throws Exception {
        Duration timeout = Duration.ofMillis(500);
        ManualClock clock = new ManualClock();
        BlockingQueue<CloseReason> closed = new LinkedBlockingQueue<>();
        byte[] chunk = new byte[64 * 1024];
        java.util.Arrays.fill(chunk, (byte) 'x');
        Handler flood = connection -> {
            connection.receive();
            for (;;) {
                connection.send(Message.of(chunk)); // the peer never reads: soon this blocks
            }
        };
        try (Server server = onLoopback().handler(flood).writeTimeout(timeout).clock(clock).observer(new Observer() {
                    @Override
                    public void closed(Connection connection, CloseReason reason) {
                        closed.add(reason);
                    }
                }).start();
             Socket peer = new Socket()) {
            peer.setReceiveBufferSize(1024); // before connect, or the window is already agreed
            peer.connect(new InetSocketAddress("127.0.0.1", server.port()));
            peer.getOutputStream().write("go\n".getBytes(UTF_8));
            awaitUntil("the server's handler runs", () -> !server.connections().isEmpty());
            SocketConnection served = (SocketConnection) server.connections().iterator().next();
            awaitUntil("a write waits on the peer", () -> served.watchdogs().writeWaiting());
            // Until the socket buffers are full the peer's kernel still takes bytes, and each
            // bit of progress restarts the wait; then one more timeout closes it. So time moves
            // a timeout at a time, and nothing closes a write that progressed within the last one.
            awaitUntil("the stuck write is closed", () -> {
                clock.advance(timeout.minusNanos(1));
                if (!served.isOpen()) {
                    throw new AssertionError("closed before a whole write timeout had passed without progress");
                }
                clock.advance(Duration.ofNanos(1));
                return !served.isOpen();
            });
            CloseReason reason = closed.poll(10, TimeUnit.SECONDS);
            assertThat(reason).isNotNull();
            assertThat(reason.code()).isEqualTo(CloseReason.Code.TIMEOUT);
            assertThat(reason.text()).isEqualTo("write timeout: the peer took none of our bytes for 500 ms; it is not reading");
        }
    }

    @Test
    void aPeerThatReadsEverythingIsNeverTimedOut() throws Exception {
        byte[] chunk = new byte[64 * 1024];
        Handler burst = connection -> {
            connection.receive();
            for (int i = 0; i < 200; i++) {
                connection.send(Message.of(chunk));
            }
            connection.send("done");
        };
        try (Server server = onLoopback().handler(burst).framing(dev.sockit.framing.Raw.bytes())
                .writeTimeout(Duration.ofMillis(200)).start();
             Peer peer = Peer.connect(server)) {
            peer.write("go");
            long total = 0;
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = peer.socket().getInputStream().read(buffer)) > 0; ) {
                total += n;
                if (total == 200L * chunk.length + 4) {
                    break;
                }
            }
            assertThat(total).isEqualTo(200L * chunk.length + 4);
        } catch (IOException e) {
            throw new AssertionError("the burst was cut off", e);
        }
    }
}
