package dev.sockit;

import static dev.sockit.TestKit.PATIENCE;
import static dev.sockit.TestKit.awaitUntil;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The far end of a line connection in the tests of how a server ends one (FarewellTest,
 * StopFarewellTest): it sends lines or floods while the server ends the connection, and tells
 * an end of stream, which a farewell must be, from a reset, which fails the test.
 */
final class LinePeer implements AutoCloseable {
    private final AutoCloseable socket;
    private final BufferedReader in;
    private final OutputStream out;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicReference<Throwable> sendFailure = new AtomicReference<>();
    private final AtomicReference<Throwable> readFailure = new AtomicReference<>();
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private volatile boolean ended;
    private volatile long cutAt;
    private Thread sender;
    private Thread reader;
    private Future<?> deadline;

    private LinePeer(AutoCloseable socket, InputStream in, OutputStream out) {
        this.socket = socket;
        this.in = new BufferedReader(new InputStreamReader(in, UTF_8));
        this.out = out;
    }

    static LinePeer over(Socket socket) throws IOException {
        socket.setSoTimeout((int) PATIENCE.toMillis());
        socket.setTcpNoDelay(true); // each line leaves as it is written, not held for an acknowledgement
        return new LinePeer(socket, socket.getInputStream(), socket.getOutputStream());
    }

    /** Over a Unix socket, which has no read timeout: a timer closes it if the test outlives its patience. */
    static LinePeer overUnix(Path path) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(path));
        LinePeer peer = new LinePeer(channel, Channels.newInputStream(channel), Channels.newOutputStream(channel));
        peer.deadline = dev.sockit.transport.Timer.after(PATIENCE.multipliedBy(3), () -> {
            try {
                channel.close();
            } catch (IOException ignored) {
                // the test fails on its read anyway
            }
        });
        return peer;
    }

    void writeLine(String line) throws IOException {
        synchronized (out) {
            out.write((line + "\n").getBytes(UTF_8));
            out.flush();
        }
    }

    /** Sends "more N" a millisecond until the peer's stream ends (or the sending fails, which the test checks). */
    void keepSending() {
        sender = Thread.ofVirtual().start(() -> {
            try {
                while (!ended) {
                    writeLine("more " + sent.get());
                    sent.incrementAndGet();
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                }
            } catch (IOException e) {
                sendFailure.set(e);
            }
        });
    }

    /** Sends 64 KiB at a time as fast as the socket takes it, until the sending fails: the cut. */
    void flood() {
        byte[] chunk = new byte[64 * 1024];
        sender = Thread.ofVirtual().start(() -> {
            try {
                for (;;) {
                    synchronized (out) {
                        out.write(chunk);
                    }
                    sent.addAndGet(chunk.length);
                }
            } catch (IOException e) {
                cutAt = System.nanoTime();
                sendFailure.set(e);
            }
        });
    }

    void awaitSent(long count) {
        long from = sent.get();
        awaitUntil("the peer sent " + count + " more lines", () -> sent.get() - from >= count || sendFailure.get() != null);
    }

    /** Every line until the end of the stream, read on this thread; a reset fails the test. */
    List<String> readToEnd() {
        List<String> read = new ArrayList<>();
        try {
            for (String line; (line = in.readLine()) != null; ) {
                read.add(line);
            }
        } catch (IOException e) {
            throw endedBadly("the peer", read, e);
        } finally {
            ended = true;
        }
        return read;
    }

    /** Reads every line until the end of the stream on a thread of its own, then stops sending and closes; once. */
    synchronized void startReading() {
        if (reader != null) {
            return;
        }
        reader = Thread.ofVirtual().start(() -> {
            try {
                for (String line; (line = in.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException e) {
                readFailure.set(e);
            } finally {
                ended = true;
            }
            try {
                if (sender != null) {
                    sender.join();
                }
                close();
            } catch (Exception ignored) {
                // the test reads the failures
            }
        });
    }

    /** How many lines the reader of {@link #startReading()} has read so far. */
    int received() {
        return lines.size();
    }

    /** The lines {@link #startReading()} read, once the stream ended as such; a reset (or any read failure) fails the test. */
    List<String> awaitEnd(String as) throws InterruptedException {
        assertThat(reader.join(PATIENCE.multipliedBy(2))).as(as + ": the peer read to the end").isTrue();
        Throwable failure = readFailure.get();
        if (failure != null) {
            throw endedBadly(as + ": the peer", lines, failure);
        }
        return lines;
    }

    private static AssertionError endedBadly(String who, List<String> read, Throwable failure) {
        return new AssertionError(who + " read " + read.size() + " lines (last: "
                + (read.isEmpty() ? "none" : read.getLast()) + "), then, instead of the end of the stream: " + failure, failure);
    }

    /**
     * Waits for the server's socket to be closed under a peer that never ends, and returns
     * how long after {@code since} (nanoTime) it was: a flood's sending fails, or else a
     * byte every 10 ms, until a write fails (the kernel's reset answers the first after the close).
     */
    Duration awaitCut(long since, Duration patience) throws Exception {
        if (sender != null) {
            sender.join(patience);
            assertThat(sendFailure.get()).as("the flood was cut within " + patience).isNotNull();
            return Duration.ofNanos(cutAt - since);
        }
        awaitUntil("the server closed the socket", patience, Duration.ofMillis(10), () -> {
            try {
                synchronized (out) {
                    out.write('.');
                    out.flush();
                }
                return false;
            } catch (IOException cut) {
                return true;
            }
        });
        return Duration.ofNanos(System.nanoTime() - since);
    }

    /** Stops sending, then closes: the server, lingering, reads this end and closes too. */
    void end() throws Exception {
        ended = true;
        if (sender != null) {
            sender.join(PATIENCE);
        }
        close();
    }

    Throwable sendFailure() {
        return sendFailure.get();
    }

    @Override
    public void close() throws Exception {
        ended = true;
        if (deadline != null) {
            deadline.cancel(false);
        }
        socket.close();
    }
}
