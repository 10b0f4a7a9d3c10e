package dev.sockit.websocket;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/**
 * The attacker of {@link WebSocketHostileTest}, in a process of its own because its
 * connections and the server's together pass one process's open-file limit (20,000): opens
 * {@code COUNT} connections to a WebSocket endpoint, sends on each the request line and one
 * header but never the blank line that ends the request, says {@code ready COUNT}, then
 * waits on one selector for the server to close them.
 *
 * <pre>
 * java -cp TEST-CLASSPATH dev.sockit.websocket.HalfOpenUpgrades PORT COUNT SECONDS
 *   ready 10000
 *   closed 10000 of 10000, answered 0, first after 2013 ms, last after 2870 ms
 * </pre>
 *
 * "after" is from each connection's connect, which is before the server's accept and so
 * before its handshake timer starts: no close may come earlier than the timeout. "answered"
 * counts the reads that brought bytes: a stalled upgrade gets no answer, so it stays 0.
 * It leaves when every connection is closed, after {@code SECONDS}, or when its standard
 * input closes (the test gave up), and reports what it has then.
 */
public final class HalfOpenUpgrades {

    private static final byte[] PART = "GET / HTTP/1.1\r\nHost: x\r\n".getBytes(ISO_8859_1);

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int count = Integer.parseInt(args[1]);
        long deadline = System.nanoTime() + Long.parseLong(args[2]) * 1_000_000_000L;
        InetSocketAddress server = new InetSocketAddress("127.0.0.1", port);
        long[] connectedAt = new long[count];
        try (Selector selector = Selector.open()) {
            for (int i = 0; i < count; i++) {
                SocketChannel channel = SocketChannel.open(server);
                connectedAt[i] = System.nanoTime();
                channel.write(ByteBuffer.wrap(PART));
                channel.configureBlocking(false);
                channel.register(selector, SelectionKey.OP_READ, i);
            }
            System.out.println("ready " + count);
            System.out.flush();
            Thread stdin = Thread.ofPlatform().daemon().start(() -> {
                try {
                    while (System.in.read() >= 0) {
                        // only its end matters
                    }
                } catch (IOException e) {
                    // as good as closed
                }
                selector.wakeup();
            });
            ByteBuffer buffer = ByteBuffer.allocate(4096);
            int closed = 0;
            int answered = 0;
            long first = Long.MAX_VALUE;
            long last = 0;
            while (closed < count && System.nanoTime() < deadline && stdin.isAlive()) {
                selector.select(200);
                for (SelectionKey key : selector.selectedKeys()) {
                    SocketChannel channel = (SocketChannel) key.channel();
                    int i = (Integer) key.attachment();
                    int n;
                    try {
                        buffer.clear();
                        n = channel.read(buffer);
                    } catch (IOException reset) {
                        n = -1;
                    }
                    if (n > 0) {
                        answered++;
                        continue;
                    }
                    if (n < 0) {
                        long after = System.nanoTime() - connectedAt[i];
                        first = Math.min(first, after);
                        last = Math.max(last, after);
                        closed++;
                        key.cancel();
                        channel.close();
                    }
                }
                selector.selectedKeys().clear();
            }
            System.out.println("closed " + closed + " of " + count + ", answered " + answered + ", first after "
                    + (closed == 0 ? -1 : first / 1_000_000) + " ms, last after " + last / 1_000_000 + " ms");
            System.out.flush();
            for (SelectionKey key : selector.keys()) {
                key.channel().close();
            }
        }
    }
}
