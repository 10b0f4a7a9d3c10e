package dev.sockit.transport;

import dev.sockit.Message;
import dev.sockit.framing.Framing;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * The write side of a stream connection: one write buffer under one lock, into which
 * messages are encoded and from which they leave in batches. Every write to the socket goes
 * through here, and through the write timeout's watch.
 *
 * <p>Callers hold the lock ({@link #lock()}, {@link #tryLock}) around {@link #put} and
 * {@link #flushLocked()}; the buffer grows for a burst and shrinks back once flushed. The
 * output is its own lock ({@link WriteLock}): every idle connection holds one.
 */
final class Output extends WriteLock {

    /** What guards the socket's blocking mode: a connection waiting without a thread is woken before a write. */
    interface Gate {
        /** Returns once the channel blocks: at once, unless the connection waits in a {@link WaitingRoom}. */
        void awaken() throws java.io.InterruptedIOException;
    }

    private static final int INITIAL_WRITE_BUFFER = 8 * 1024;
    // A burst may grow the write buffer; past this size it is not kept once flushed.
    private static final int MAX_KEPT_WRITE_BUFFER = 64 * 1024;

    private final SocketChannel channel;
    private final TlsChannel tls; // null: write the channel itself
    private final Framing framing;
    private final Watchdogs watchdogs;
    private final Gate gate;
    // Null while there is nothing to write: a quiet connection holds no buffer, not even an
    // empty one (72 bytes).
    private ByteBuffer out;
    // A frame shared with other connections (SharedFrame), waiting to be written from where it
    // is; set only while the buffer holds nothing, and copied into it when more follows.
    private ByteBuffer shared;
    private volatile long messagesOut;
    private volatile long bytesOut;

    Output(SocketChannel channel, TlsChannel tls, Framing framing, Watchdogs watchdogs, Gate gate) {
        this.channel = channel;
        this.gate = gate;
        this.tls = tls;
        this.framing = framing;
        this.watchdogs = watchdogs;
    }

    /** Encodes {@code message} into the buffer (which writes when a batch outgrows it). Under the lock. */
    void put(Message message, boolean quiet) throws IOException {
        int length = framing.encodedLength(message);
        if (shared != null) {
            takeInShared(length, quiet);
        }
        if (out == null || out.remaining() < length) {
            makeRoom(length, quiet);
        }
        framing.encode(message, out);
        messagesOut++;
    }

    /** Adds bytes already encoded (a control frame, a farewell). Under the lock. */
    void put(byte[] bytes, boolean quiet) throws IOException {
        if (shared != null) {
            takeInShared(bytes.length, quiet);
        }
        if (out == null || out.remaining() < bytes.length) {
            makeRoom(bytes.length, quiet);
        }
        out.put(bytes);
    }

    /**
     * Adds one message's frame that other connections share ({@link SharedFrame}), never to be
     * changed: with nothing else waiting it is written from where it is, without a buffer of
     * this connection's; behind other bytes it is copied in. Under the lock.
     */
    void putShared(byte[] frame, boolean quiet) throws IOException {
        if (!pending()) {
            shared = ByteBuffer.wrap(frame);
        } else {
            put(frame, quiet);
        }
        messagesOut++;
    }

    // More follows a shared frame: it goes into the buffer first, with room for the rest.
    private void takeInShared(int more, boolean quiet) throws IOException {
        ByteBuffer frame = shared;
        shared = null;
        // The buffer is empty while a shared frame waits, so this never writes.
        if (out == null || out.remaining() < frame.remaining() + more) {
            makeRoom(frame.remaining() + more, quiet);
        }
        out.put(frame);
    }

    /** True when something waits to be written. Under the lock. */
    boolean pending() {
        return shared != null || (out != null && out.position() > 0);
    }

    private void makeRoom(int length, boolean quiet) throws IOException {
        if (out == null) {
            // A quiet connection's first send in a while is most often its only one (a push,
            // a lone reply): a buffer of its size, not 8 KiB for each of 10,000 listeners. So
            // is a new connection's first: a short-lived one sends one reply and goes, and 8 KiB
            // for it was most of what a connection allocated (docs/performance.md, "Connection
            // churn"); a busy one grows its buffer at its first batch, as below.
            boolean small = quiet || bytesOut == 0;
            out = ByteBuffer.allocate(Math.max(length, small ? Intake.QUIET_READ_BUFFER : INITIAL_WRITE_BUFFER));
            return;
        }
        if (inline || out.position() + length <= MAX_KEPT_WRITE_BUFFER) {
            // Grow rather than write half a batch: the batch goes out in one write when the reader
            // waits. Served in line, past the kept size too, doubling: a read of 64 KiB of empty
            // lines answered with acks is 2 MiB of replies, which growing by each reply's length
            // would copy some 65,000 times.
            int doubled = Math.max(INITIAL_WRITE_BUFFER, out.capacity() * 2);
            int capacity = Math.max(out.position() + length, inline ? doubled : Math.min(MAX_KEPT_WRITE_BUFFER, doubled));
            out = ByteBuffer.allocate(capacity).put(out.flip());
            return;
        }
        if (out.position() > 0) {
            flushLocked();
        }
        if (out.capacity() < length) {
            out = ByteBuffer.allocate(Math.max(length, INITIAL_WRITE_BUFFER));
        }
    }

    // Set by the waiting room's thread while it serves the connection in line: the buffer grows
    // rather than writes, since a write from that thread must not wait.
    boolean inline;
    // The room's reply buffer, lent for one turn in line (lend, giveBack): replies are encoded
    // into it and written from it, so a connection served in line allocates no write buffer
    // per message. An 8 KiB one each was a tenth of the room's CPU per message at 1,000
    // connections (docs/performance.md).
    private ByteBuffer lent;

    /** Encodes into {@code replies} until {@link #giveBack()}, if nothing waits. Under the lock. */
    void lend(ByteBuffer replies) {
        if (!pending()) {
            out = replies.clear();
            lent = replies;
        }
    }

    /**
     * Ends a loan: what the socket did not take moves into a buffer of the connection's own,
     * of its size; with nothing left the connection holds none, neither the loan nor a buffer
     * a batch grew past it (a flood of acks grows one to megabytes). Under the lock.
     */
    void giveBack() {
        ByteBuffer replies = lent;
        lent = null;
        releaseLocked();
        if (replies != null && out == replies) {
            out = ByteBuffer.allocate(out.position()).put(out.flip());
        }
    }

    /** Whether a write buffer is held: none while the connection waits in the room (tests). */
    boolean holdsBuffer() {
        return out != null;
    }

    /**
     * Writes what the socket takes now, without waiting (the channel is non-blocking): true
     * when all went; what is left stays pending for a blocking flush. Under the lock.
     */
    boolean writeWithoutWaiting() throws IOException {
        if (out == null || out.position() == 0) {
            return true;
        }
        out.flip();
        try {
            while (out.hasRemaining()) {
                int n = channel.write(out);
                if (n == 0) {
                    break;
                }
                bytesOut += n;
            }
        } finally {
            out.compact();
        }
        return out.position() == 0;
    }

    /** Writes the whole buffer, waiting for the peer as long as the write timeout allows. Under the lock. */
    void flushLocked() throws IOException {
        flushLocked(true);
    }

    /**
     * Writes the whole buffer outside the write timeout's watch, for a caller whose own
     * deadline bounds the write (an opening's). A watched write leaves a timer task behind
     * for the write timeout (30 s by default) even when it took no time: 112 bytes for each
     * WebSocket freshly upgraded. Under the lock.
     */
    void flushUnwatchedLocked() throws IOException {
        flushLocked(false);
    }

    private void flushLocked(boolean watched) throws IOException {
        ByteBuffer from;
        if (shared != null) {
            from = shared;
        } else if (out != null) {
            from = out.flip();
        } else {
            return;
        }
        // A non-blocking write could take part of the buffer and return: the channel blocks first.
        gate.awaken();
        try {
            if (watched) {
                watchdogs.writeBegins();
            }
            while (from.hasRemaining()) {
                int n = tls == null ? channel.write(from) : tls.write(from);
                bytesOut += n;
                if (watched && n > 0 && from.hasRemaining()) {
                    watchdogs.writeProgressed();
                }
            }
        } finally {
            if (watched) {
                watchdogs.writeEnds();
            }
            shared = null;
            if (out != null) {
                out.clear();
                if (out.capacity() > MAX_KEPT_WRITE_BUFFER) {
                    out = ByteBuffer.allocate(INITIAL_WRITE_BUFFER);
                }
            }
        }
    }

    /** A quiet connection keeps no write buffer; the next send allocates one. Never waits. */
    void releaseIfEmpty() {
        if (tryLockNow()) {
            try {
                releaseLocked();
            } finally {
                unlock();
            }
        }
    }

    /** As {@link #releaseIfEmpty()}, for a caller that holds the lock. */
    void releaseLocked() {
        if (out != null && out.position() == 0) {
            out = null;
        }
    }

    /**
     * Wakes a connection that waits without a thread, for a close: its socket is closed in
     * blocking mode, and its new thread sees the end. Interrupted, the close goes on anyway:
     * the room has been called, and closes the socket as it lets go.
     */
    void awakenForClose() {
        try {
            gate.awaken();
        } catch (java.io.InterruptedIOException e) {
            // Interrupt kept by awaken(); the room still lets the connection go.
        }
    }

    long messagesOut() {
        return messagesOut;
    }

    long bytesOut() {
        return bytesOut;
    }
}
