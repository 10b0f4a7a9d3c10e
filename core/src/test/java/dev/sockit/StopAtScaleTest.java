package dev.sockit;

import static dev.sockit.TestKit.PATIENCE;
import static dev.sockit.TestKit.awaitUntil;
import static dev.sockit.TestKit.onLoopback;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.transport.Drainable;
import dev.sockit.transport.SocketConnection;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A stop of a server holding many idle connections of a {@link MessageHandler}, most of them
 * waiting in its waiting room without a thread (bench/stop.sh measures it at 10,000 in
 * processes of their own; here 1,000 in one JVM, 2,000 files): every peer reads the end of its
 * stream, never a reset, after the replies it had not read yet, and the stop ends with the
 * connections, not at the drain timeout's cut-off.
 */
class StopAtScaleTest {

    private static final int CONNECTIONS = 1_000;
    // Of them, the first send half a line (dropped by the stop), the next a whole one whose echo they leave unread.
    private static final int MID = 10;
    private static final int UNREAD = 10;
    // Far beyond what the stop takes: reaching it means the cut-off ended the connections.
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);

    @Test
    void aStopOfAThousandIdleConnectionsEndsEveryOneWithItsRepliesAndTheEndNeverAReset() throws Exception {
        Server server = onLoopback().waitAfter(Duration.ofMillis(100)).handler(Handlers.echo())
                .maxConnections(CONNECTIONS).maxPerSource(CONNECTIONS).drainTimeout(DRAIN_TIMEOUT).start();
        List<SocketChannel> peers = new ArrayList<>();
        try (Selector selector = Selector.open()) {
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", server.port());
            for (int i = 0; i < CONNECTIONS; i++) {
                SocketChannel peer = SocketChannel.open(address);
                peers.add(peer);
                peer.setOption(StandardSocketOptions.TCP_NODELAY, true);
                if (i < MID) {
                    peer.write(ByteBuffer.wrap("partial".getBytes(US_ASCII)));
                } else if (i < MID + UNREAD) {
                    peer.write(ByteBuffer.wrap("hello\n".getBytes(US_ASCII)));
                }
                peer.configureBlocking(false);
            }
            awaitUntil("every connection accepted, the unread ones answered",
                    () -> server.connections().size() == CONNECTIONS && server.stats().messagesOut() == UNREAD);
            // The silent ones; those that sent something first keep their thread (a partial message,
            // or a first wait under 100 ms, which was brisk).
            awaitUntil("the silent connections wait in the room without a thread", () -> server.connections().stream()
                    .filter(c -> ((SocketConnection) c).waitsWithoutThread() && ((Drainable) c).handlerThread() == null)
                    .count() >= CONNECTIONS - MID - UNREAD);

            long started = System.nanoTime();
            Thread stopping = Thread.ofPlatform().start(server::close);
            for (int i = 0; i < CONNECTIONS; i++) {
                peers.get(i).register(selector, SelectionKey.OP_READ, i);
            }
            String[] read = new String[CONNECTIONS];
            String[] ends = new String[CONNECTIONS];
            int open = CONNECTIONS;
            ByteBuffer buffer = ByteBuffer.allocate(1024);
            long giveUp = System.nanoTime() + PATIENCE.multipliedBy(4).toNanos();
            while (open > 0 && System.nanoTime() - giveUp < 0) {
                selector.select(100);
                for (SelectionKey key : selector.selectedKeys()) {
                    int i = (Integer) key.attachment();
                    SocketChannel peer = peers.get(i);
                    buffer.clear();
                    int n;
                    try {
                        n = peer.read(buffer);
                    } catch (IOException e) {
                        n = -1;
                        ends[i] = "reset: " + e.getMessage();
                    }
                    if (n < 0) {
                        ends[i] = ends[i] == null ? "end" : ends[i];
                        open--;
                        key.cancel();
                        peer.close(); // as a client that reads the end does
                    } else {
                        read[i] = (read[i] == null ? "" : read[i]) + new String(buffer.array(), 0, n, US_ASCII);
                    }
                }
                selector.selectedKeys().clear();
            }
            stopping.join(PATIENCE.multipliedBy(4));
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            assertThat(open).as("connections whose end never came").isZero();
            for (int i = 0; i < CONNECTIONS; i++) {
                assertThat(ends[i]).as("how connection " + i + " ended").isEqualTo("end");
                assertThat(read[i]).as("what connection " + i + " read before its end")
                        .isEqualTo(i >= MID && i < MID + UNREAD ? "hello\n" : null);
            }
            assertThat(stopping.isAlive()).as("the stop still running").isFalse();
            assertThat(took).as("the stop, ended by the connections' own ends, not by the drain timeout's cut-off")
                    .isLessThan(DRAIN_TIMEOUT);
            assertThat(server.connections()).isEmpty();
        } finally {
            server.close();
            for (SocketChannel peer : peers) {
                peer.close();
            }
        }
    }
}
