package dev.sockit.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.CloseReason;
import dev.sockit.Heartbeat;
import dev.sockit.Message;
import dev.sockit.framing.Lines;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The waiting room's reply buffer, lent to a connection for one turn in line
 * ({@link Output#lend}, {@link Output#giveBack}), over a real loopback connection: the server's
 * side non-blocking, as in the room, the peer a plain blocking socket.
 */
class OutputLoanTest {

    private ServerSocketChannel listener;
    private SocketChannel served;
    private SocketChannel peer;
    private Output output;

    @BeforeEach
    void connect() throws IOException {
        listener = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        peer = SocketChannel.open(listener.getLocalAddress());
        served = listener.accept();
        served.configureBlocking(false);
        Watchdogs watchdogs = new Watchdogs(Heartbeat.OFF, Duration.ofSeconds(30), Clock.SYSTEM, new Watchdogs.Target() {
            @Override
            public void ping(long stamp) {}

            @Override
            public boolean expire(CloseReason reason) {
                return false;
            }

            @Override
            public long unread() {
                return 0;
            }
        });
        output = new Output(served, null, Lines.defaults(), watchdogs, () -> {});
    }

    @AfterEach
    void close() throws IOException {
        peer.close();
        served.close();
        listener.close();
    }

    @Test
    void repliesTheSocketTookLeaveNoBufferBehind() throws Exception {
        output.lock();
        try {
            output.lend(ByteBuffer.allocateDirect(64 * 1024));
            output.inline = true;
            for (String line : new String[] {"one", "two", "three"}) {
                output.put(Message.of(line), false);
            }
            output.inline = false;
            assertThat(output.writeWithoutWaiting()).isTrue();
            output.giveBack();
            assertThat(output.holdsBuffer()).as("a connection back in the room holds no write buffer").isFalse();
        } finally {
            output.unlock();
        }
        assertThat(read(peerInput(), "one\ntwo\nthree\n".length())).isEqualTo("one\ntwo\nthree\n");
    }

    @Test
    void aBatchGrownPastTheLoanLeavesNoBufferOnceWritten() throws Exception {
        String line = "x".repeat(1023);
        int lines = 100; // 100 KiB of replies: past the 64 KiB lent
        CompletableFuture<String> received = CompletableFuture.supplyAsync(() -> read(peerInput(), lines * 1024));
        output.lock();
        try {
            output.lend(ByteBuffer.allocateDirect(64 * 1024));
            output.inline = true;
            for (int i = 0; i < lines; i++) {
                output.put(Message.of(line), false);
            }
            output.inline = false;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!output.writeWithoutWaiting()) {
                assertThat(System.nanoTime()).as("the peer reads, so the socket takes the batch in time").isLessThan(deadline);
                Thread.onSpinWait();
            }
            output.giveBack();
            assertThat(output.holdsBuffer()).as("the grown buffer, written, is not kept").isFalse();
        } finally {
            output.unlock();
        }
        assertThat(received.get(10, TimeUnit.SECONDS)).isEqualTo((line + "\n").repeat(lines));
    }

    @Test
    void whatTheSocketDidNotTakeMovesToABufferOfItsOwnAndArrivesInOrder() throws Exception {
        // The socket full first, the peer not reading: the loan's replies cannot all go.
        served.setOption(StandardSocketOptions.SO_SNDBUF, 4096);
        ByteBuffer filler = ByteBuffer.allocate(64 * 1024);
        Arrays.fill(filler.array(), (byte) 'f');
        long filled = 0;
        for (int n; (n = served.write(filler.clear())) > 0; ) {
            filled += n;
        }
        ByteBuffer lent = ByteBuffer.allocateDirect(64 * 1024);
        output.lock();
        try {
            output.lend(lent);
            output.inline = true;
            output.put(Message.of("after"), false);
            output.put(Message.of("the filler"), false);
            output.inline = false;
            assertThat(output.writeWithoutWaiting()).isFalse();
            output.giveBack();
            assertThat(output.holdsBuffer()).isTrue();
            assertThat(output.pending()).isTrue();
            // The loan is the room's again: what it holds next must not reach this connection.
            lent.clear().put("garbage!".repeat(100).getBytes(StandardCharsets.US_ASCII));
        } finally {
            output.unlock();
        }
        long expected = filled + "after\nthe filler\n".length();
        CompletableFuture<String> received = CompletableFuture.supplyAsync(() -> read(peerInput(), (int) expected));
        served.configureBlocking(true); // as the connection's own thread writes the rest
        output.lock();
        try {
            output.flushLocked();
        } finally {
            output.unlock();
        }
        assertThat(received.get(10, TimeUnit.SECONDS)).isEqualTo("f".repeat((int) filled) + "after\nthe filler\n");
    }

    private InputStream peerInput() {
        try {
            return peer.socket().getInputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(InputStream in, int length) {
        try {
            return new String(in.readNBytes(length), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
