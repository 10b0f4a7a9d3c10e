package dev.sockit;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A test's own Unix socket client, on the JDK alone so that it trusts nothing it tests.
 * Unix channels have no SO_TIMEOUT, so reads wait on a selector with a deadline.
 */
final class UnixPeer implements AutoCloseable {

    private static final long DEADLINE_MILLIS = 5_000;

    private final SocketChannel channel;
    private final Selector selector;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    private UnixPeer(SocketChannel channel) throws IOException {
        this.channel = channel;
        channel.configureBlocking(false);
        this.selector = Selector.open();
        channel.register(selector, SelectionKey.OP_READ);
    }

    static UnixPeer connect(Path path) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(path));
        return new UnixPeer(channel);
    }

    SocketChannel channel() {
        return channel;
    }

    void write(String text) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(UTF_8));
        while (bytes.hasRemaining()) {
            channel.write(bytes); // a few bytes always fit in an empty socket buffer
        }
    }

    /** The next line without its terminator; fails after the deadline. */
    String readLine() throws IOException {
        long deadline = System.currentTimeMillis() + DEADLINE_MILLIS;
        for (;;) {
            byte[] seen = pending.toByteArray();
            for (int i = 0; i < seen.length; i++) {
                if (seen[i] == '\n') {
                    pending.reset();
                    pending.write(seen, i + 1, seen.length - i - 1);
                    return new String(seen, 0, i, UTF_8);
                }
            }
            if (readSome(deadline) < 0) {
                return null;
            }
        }
    }

    List<String> readLines(int count) throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            lines.add(readLine());
        }
        return lines;
    }

    /** Whatever bytes arrive next (at least one), or null at end of stream. */
    byte[] readBytes() throws IOException {
        long deadline = System.currentTimeMillis() + DEADLINE_MILLIS;
        if (pending.size() == 0 && readSome(deadline) < 0) {
            return null;
        }
        byte[] bytes = pending.toByteArray();
        pending.reset();
        return bytes;
    }

    /** True when the server closes the connection within the deadline. */
    boolean readsEndOfStream() throws IOException {
        long deadline = System.currentTimeMillis() + DEADLINE_MILLIS;
        for (;;) {
            if (readSome(deadline) < 0) {
                return true;
            }
        }
    }

    private int readSome(long deadline) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(8192);
        for (;;) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                throw new SocketTimeoutException("nothing from the server within " + DEADLINE_MILLIS + " ms");
            }
            selector.select(left);
            selector.selectedKeys().clear();
            int n = channel.read(buffer);
            if (n < 0) {
                return -1;
            }
            if (n > 0) {
                pending.write(buffer.array(), 0, n);
                return n;
            }
        }
    }

    @Override
    public void close() throws IOException {
        selector.close();
        channel.close();
    }
}
