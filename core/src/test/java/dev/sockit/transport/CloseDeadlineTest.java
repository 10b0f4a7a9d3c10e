package dev.sockit.transport;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.CloseReason;
import dev.sockit.Heartbeat;
import dev.sockit.Message;
import dev.sockit.Observer;
import dev.sockit.OutboundLimit;
import dev.sockit.framing.Lines;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A close arms its deadline only when it has something to write; with replies still to flush
 * to a peer that reads nothing, the deadline still ends it, with no write timeout to help.
 */
class CloseDeadlineTest {

    @Test
    void aCloseWithRepliesPendingToAPeerThatNeverReadsEndsAtItsDeadline() throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             Socket peer = new Socket()) {
            // Small buffers both ways, so 60 KB of replies cannot all leave: the flush waits.
            peer.setReceiveBufferSize(4096);
            peer.connect(listener.getLocalAddress());
            SocketChannel accepted = listener.accept();
            accepted.setOption(StandardSocketOptions.SO_SNDBUF, 4096);
            // Two lines in one write: while the second waits in the read buffer, replies to the first are held back.
            peer.getOutputStream().write("a\nb\n".getBytes(UTF_8));
            SocketConnection connection = new SocketConnection(1, accepted, new ConnectionSettings(Lines.defaults(),
                    Heartbeat.OFF, OutboundLimit.SERVER_DEFAULT, new Observer() {}, Duration.ZERO));
            connection.start();

            CompletableFuture<Long> closed = CompletableFuture.supplyAsync(() -> {
                try {
                    Message first = connection.receive();
                    assertThat(first.text()).isEqualTo("a");
                    for (int i = 0; i < 60; i++) {
                        connection.send("x".repeat(1000));
                    }
                    long start = System.nanoTime();
                    connection.close(CloseReason.closed());
                    return System.nanoTime() - start;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, r -> Thread.ofVirtual().start(r));

            // No write timeout: without the close's deadline the flush would wait for good.
            long took = closed.get(10, TimeUnit.SECONDS);
            assertThat(took).as("the close waited for the peer, up to its deadline")
                    .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(1_500));
            assertThat(accepted.isOpen()).isFalse();
            // The peer gets what fitted, then the end or a reset: never the whole 60 KB.
            InputStream in = peer.getInputStream();
            peer.setSoTimeout(5_000);
            long read = 0;
            try {
                for (int n; (n = in.read(new byte[8192])) >= 0; ) {
                    read += n;
                }
            } catch (java.net.SocketException reset) {
                // the socket closed with replies unsent: the kernel resets the connection
            }
            assertThat(read).isLessThan(60 * 1001);
        }
    }
}
