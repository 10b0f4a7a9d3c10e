package dev.sockit.transport.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The epoll channel's waiting, on real loopback sockets: a read parks until bytes come and
 * never misses an edge, a write parks while the peer does not read, and a close from another
 * thread wakes whoever is parked.
 */
class EpollSocketChannelTest {

    private ServerSocketChannel listening;
    private EpollAcceptor acceptor;
    private Socket peer;
    private SocketChannel channel;

    @BeforeEach
    void connect() throws Exception {
        assumeTrue(Platform.supported(), "the epoll transport is for Linux x86_64");
        listening = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        acceptor = EpollAcceptor.of(listening);
        assertThat(acceptor).isNotNull();
        peer = new Socket(InetAddress.getLoopbackAddress(), ((InetSocketAddress) listening.getLocalAddress()).getPort());
        channel = acceptor.accept();
        assertThat(channel).isInstanceOf(EpollSocketChannel.class);
    }

    @AfterEach
    void close() throws Exception {
        if (channel != null) {
            channel.close();
        }
        if (peer != null) {
            peer.close();
        }
        if (acceptor != null) {
            acceptor.wake();
            acceptor.free();
        }
        if (listening != null) {
            listening.close();
        }
    }

    @Test
    void aReadParksUntilThePeerWritesAndSeesTheEnd() throws Exception {
        CompletableFuture<String> read = onVirtualThread(() -> {
            ByteBuffer in = ByteBuffer.allocate(64);
            channel.read(in);
            return new String(in.array(), 0, in.position());
        });
        Thread.sleep(50); // let it park: nothing was sent yet
        assertThat(read).isNotDone();
        peer.getOutputStream().write("hello".getBytes());
        assertThat(read.get(5, TimeUnit.SECONDS)).isEqualTo("hello");
        peer.shutdownOutput();
        assertThat(channel.read(ByteBuffer.allocate(8))).isEqualTo(-1);
        assertThat(channel.getRemoteAddress()).isEqualTo(peer.getLocalSocketAddress());
        assertThat(channel.getLocalAddress()).isEqualTo(peer.getRemoteSocketAddress());
    }

    @Test
    void dataAndTheEndThatCameWithItAreBothRead() throws Exception {
        peer.getOutputStream().write("last words".getBytes());
        peer.shutdownOutput();
        Thread.sleep(50); // both edges are in before the first read, which takes the data only
        ByteBuffer in = ByteBuffer.allocate(64);
        assertThat(channel.read(in)).isEqualTo(10);
        CompletableFuture<Integer> end = onVirtualThread(() -> channel.read(ByteBuffer.allocate(8)));
        assertThat(end.get(5, TimeUnit.SECONDS)).as("the end, without another edge").isEqualTo(-1);
    }

    @Test
    void echoesEveryByteOfAPingPongWithoutLosingAnEdge() throws Exception {
        // Each round the reader empties the socket and parks just as the next byte comes: the
        // edge that lands between the read and the park must wake it.
        CompletableFuture<Long> echo = onVirtualThread(() -> {
            ByteBuffer buffer = ByteBuffer.allocate(1);
            long rounds = 0;
            while (channel.read(buffer.clear()) > 0) {
                channel.write(buffer.flip());
                rounds++;
            }
            return rounds;
        });
        InputStream in = peer.getInputStream();
        OutputStream out = peer.getOutputStream();
        for (int i = 0; i < 20_000; i++) {
            out.write(i);
            assertThat(in.read()).isEqualTo(i & 0xff);
        }
        peer.shutdownOutput();
        assertThat(echo.get(10, TimeUnit.SECONDS)).isEqualTo(20_000);
    }

    @Test
    void aWriteParksWhileThePeerDoesNotReadAndFinishesWhenItDoes() throws Exception {
        channel.setOption(StandardSocketOptions.SO_SNDBUF, 4096);
        byte[] payload = new byte[4 * 1024 * 1024];
        CompletableFuture<Integer> written = onVirtualThread(() -> channel.write(ByteBuffer.wrap(payload)));
        Thread.sleep(100);
        assertThat(written).as("the peer reads nothing yet").isNotDone();
        AtomicLong received = new AtomicLong();
        InputStream in = peer.getInputStream();
        byte[] sink = new byte[64 * 1024];
        while (received.get() < payload.length) {
            int n = in.read(sink);
            assertThat(n).isPositive();
            received.addAndGet(n);
        }
        assertThat(written.get(5, TimeUnit.SECONDS)).isEqualTo(payload.length);
    }

    @Test
    void aCloseFromAnotherThreadWakesAParkedReader() throws Exception {
        CompletableFuture<Integer> read = onVirtualThread(() -> channel.read(ByteBuffer.allocate(8)));
        Thread.sleep(50);
        channel.close();
        assertThat(read).failsWithin(5, TimeUnit.SECONDS).withThrowableThat().havingRootCause()
                .isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(() -> channel.write(ByteBuffer.wrap(new byte[1]))).isInstanceOf(ClosedChannelException.class);
    }

    @Test
    void shuttingInputDownWakesAParkedReaderWithTheEnd() throws Exception {
        CompletableFuture<Integer> read = onVirtualThread(() -> channel.read(ByteBuffer.allocate(8)));
        Thread.sleep(50);
        channel.shutdownInput();
        assertThat(read.get(5, TimeUnit.SECONDS)).isEqualTo(-1);
    }

    @Test
    void aResetPeerFailsTheReadSayingSo() throws Exception {
        peer.setSoLinger(true, 0);
        peer.close();
        assertThatThrownBy(() -> channel.read(ByteBuffer.allocate(8))).isInstanceOf(SocketException.class)
                .hasMessageContaining("reset");
    }

    @Test
    void anAcceptWaitingInTheKernelEndsWhenWoken() throws Exception {
        CompletableFuture<SocketChannel> accept = new CompletableFuture<>();
        Thread thread = Thread.ofPlatform().start(() -> {
            try {
                accept.complete(acceptor.accept());
            } catch (Exception e) {
                accept.completeExceptionally(e);
            }
        });
        Thread.sleep(50);
        acceptor.wake();
        thread.join(5_000);
        assertThat(accept).isCompletedExceptionally();
        assertThatThrownBy(accept::join).hasCauseInstanceOf(ClosedChannelException.class);
    }

    private interface Io<T> {
        T run() throws Exception;
    }

    private static <T> CompletableFuture<T> onVirtualThread(Io<T> io) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                result.complete(io.run());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }
}
