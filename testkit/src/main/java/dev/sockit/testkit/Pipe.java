package dev.sockit.testkit;

import java.io.IOException;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One direction of an in-memory connection: a bounded byte buffer between a writer and a
 * reader, behaving as a socket's buffers do. A write waits while the buffer is full (the peer
 * is not reading); a read waits while it is empty, and returns -1 once the writer shut its
 * output down and everything was read. A reset fails both ends at once; a closed reader makes
 * further writes fail, as a write to a closed socket does.
 *
 * <p>The {@link Faults} of the writer's side shape delivery: bytes become readable in pieces
 * of at most {@code split} bytes, each after {@code delay}; the reader's side may take at
 * most {@code readAtMost} bytes per read, each read after {@code readPause}.
 */
final class Pipe {

    private final byte[] ring;
    private final Faults writer;
    private final Faults reader;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition readable = lock.newCondition();
    private final Condition writable = lock.newCondition();
    private final Condition quiet = lock.newCondition();
    private int head;
    private int size;
    private boolean shut;      // the writer shut its output down: end of stream after the buffer
    private boolean readerGone; // the reader closed: writes fail
    private String reset;      // non-null once reset: both ends fail with this
    private boolean readerWaiting; // the reader waits for bytes, and none came since it began to
                                   // (nor end of stream, nor a reset: each wakes it with an answer)

    Pipe(int capacity, Faults writer, Faults reader) {
        this.ring = new byte[capacity];
        this.writer = writer;
        this.reader = reader;
    }

    /** Writes all of {@code bytes}, waiting for room while the reader is behind. */
    void write(byte[] bytes, int offset, int length) throws IOException {
        int at = offset;
        int end = offset + length;
        while (at < end) {
            int piece = Math.min(end - at, writer.split());
            pause(writer.delay());
            lock.lock();
            try {
                for (int written = 0; written < piece; ) {
                    check();
                    if (shut) {
                        throw new SocketException("cannot write: this end shut its output down");
                    }
                    if (size == ring.length) {
                        writable.awaitUninterruptibly();
                        continue;
                    }
                    int tail = (head + size) % ring.length;
                    int n = Math.min(piece - written, Math.min(ring.length - size, ring.length - tail));
                    System.arraycopy(bytes, at + written, ring, tail, n);
                    size += n;
                    written += n;
                    readerWaiting = false;
                    readable.signalAll();
                }
            } finally {
                lock.unlock();
            }
            at += piece;
        }
    }

    /**
     * Writes all of {@code bytes} if they fit now, else nothing: for what must not wait on a
     * peer that does not read (a farewell, a pong), as a socket connection drops them then.
     */
    boolean offer(byte[] bytes) {
        lock.lock();
        try {
            if (reset != null || readerGone || shut || ring.length - size < bytes.length) {
                return false;
            }
            for (byte b : bytes) {
                ring[(head + size) % ring.length] = b;
                size++;
            }
            readerWaiting = false;
            readable.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Reads what is there, at least one byte, waiting for it; -1 at end of stream. */
    int read(byte[] into, int offset, int length) throws IOException {
        pause(reader.readPause());
        lock.lock();
        try {
            while (size == 0) {
                if (reset != null) {
                    throw new SocketException(reset);
                }
                if (shut || readerGone) {
                    return -1;
                }
                readerWaiting = true;
                quiet.signalAll();
                readable.awaitUninterruptibly();
            }
            readerWaiting = false;
            if (reset != null) {
                throw new SocketException(reset);
            }
            int n = Math.min(Math.min(length, reader.readAtMost()), Math.min(size, ring.length - head));
            System.arraycopy(ring, head, into, offset, n);
            head = (head + n) % ring.length;
            size -= n;
            writable.signalAll();
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** The writer ends its output: the reader sees end of stream after what is buffered. */
    void shutdown() {
        lock.lock();
        try {
            shut = true;
            readerWaiting = false; // it wakes to end of stream once the buffer is read, and waits no more
            readable.signalAll();
            writable.signalAll();
            quiet.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The reader is gone: what is buffered is dropped, and writes fail from now on. */
    void closeReader() {
        lock.lock();
        try {
            readerGone = true;
            readerWaiting = false;
            size = 0;
            readable.signalAll();
            writable.signalAll();
            quiet.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Both ends fail at once, with {@code why} (a TCP reset). */
    void reset(String why) {
        lock.lock();
        try {
            if (reset == null) {
                reset = why;
            }
            readerWaiting = false;
            size = 0;
            readable.signalAll();
            writable.signalAll();
            quiet.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until the reader waits for bytes with none to read, none having come since it
     * began to wait; false if that did not happen within {@code nanos}, or cannot any more:
     * the reader is gone, the pipe was reset, or the writer shut its output (the reader gets end
     * of stream, not a wait).
     */
    boolean awaitReaderWaiting(long nanos) throws InterruptedException {
        lock.lock();
        try {
            while (!readerWaiting) {
                if (nanos <= 0 || shut || readerGone || reset != null) {
                    return false;
                }
                nanos = quiet.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Bytes written and not yet read. */
    int buffered() {
        lock.lock();
        try {
            return size;
        } finally {
            lock.unlock();
        }
    }

    private void check() throws IOException {
        if (reset != null) {
            throw new SocketException(reset);
        }
        if (readerGone) {
            throw new SocketException("broken pipe: the peer closed the connection");
        }
    }

    private static void pause(Duration duration) {
        if (!duration.isZero()) {
            try {
                Thread.sleep(duration);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
