package dev.sockit.transport;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * The writing half of a {@link TlsChannel}: wraps plaintext into records and writes them,
 * any number of writers one at a time under the write lock. Its buffer, {@code netOut}, holds
 * ciphertext wrapped but not yet written, and is empty between calls. It also says what the
 * engine has to say with no data of the caller's: handshake messages, answers the reader
 * found the engine needing, close_notify and a failed handshake's alert.
 */
final class TlsWriter {

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final SocketChannel channel;
    private final SSLEngine engine;
    private final String peer;
    private final ReentrantLock lock = new ReentrantLock();
    // Writers wait here while a renegotiation needs the reader to unwrap before they can wrap.
    private final Condition progress = lock.newCondition();

    private ByteBuffer netOut; // write mode; empty between calls
    private boolean outboundClosed;

    TlsWriter(SocketChannel channel, SSLEngine engine, String peer) {
        this.channel = channel;
        this.engine = engine;
        this.peer = peer;
        this.netOut = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
    }

    /** Bytes to write before the first record, in the same write; see {@link TlsChannel#prefix}. */
    void prefix(ByteBuffer bytes) {
        if (netOut.remaining() < bytes.remaining()) {
            netOut = ByteBuffer.allocate(netOut.capacity() + bytes.remaining()).put(netOut.flip());
        }
        netOut.put(bytes);
    }

    /** Wraps and writes all of {@code src}; the handshake is done. */
    int write(ByteBuffer src) throws IOException {
        lock.lock();
        try {
            int before = src.remaining();
            while (src.hasRemaining()) {
                if (wrapAndWrite(src) == 0 && src.hasRemaining()) {
                    awaitProgress();
                }
            }
            return before;
        } finally {
            lock.unlock();
        }
    }

    /**
     * A renegotiation (TLS 1.2) holds application data back until the reader has unwrapped
     * the peer's handshake messages: wait for it, rechecking in case the reader is not reading.
     */
    private void awaitProgress() throws IOException {
        if (!channel.isOpen()) {
            throw new ClosedChannelException();
        }
        try {
            progress.await(50, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while TLS renegotiates");
        }
    }

    /** The reader has unwrapped what the engine waited for: writers held back may go on. */
    void signalProgress() {
        if (lock.hasQueuedThreads() || lock.isLocked()) {
            lock.lock();
            try {
                progress.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Wraps what the engine has to say with no data of ours (a handshake step, an answer) and writes it. */
    void wrapEmpty() throws IOException {
        lock.lock();
        try {
            wrapAndWrite(EMPTY);
        } finally {
            lock.unlock();
        }
    }

    /** Wraps once from {@code src} (under the write lock) and writes what came out; returns the bytes consumed. */
    private int wrapAndWrite(ByteBuffer src) throws IOException {
        SSLEngineResult result;
        for (;;) {
            result = engine.wrap(src, netOut);
            if (result.getStatus() != SSLEngineResult.Status.BUFFER_OVERFLOW) {
                break;
            }
            netOut = ByteBuffer.allocate(Math.max(engine.getSession().getPacketBufferSize(), netOut.capacity() * 2))
                    .put(netOut.flip());
        }
        writeNet();
        if (result.getStatus() == SSLEngineResult.Status.CLOSED && src.hasRemaining()) {
            throw new SSLException("the TLS session" + (peer == null ? "" : " with " + peer) + " is closed for writing");
        }
        if (result.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
            TlsChannel.runTasks(engine);
        }
        return result.bytesConsumed();
    }

    private void writeNet() throws IOException {
        netOut.flip();
        try {
            while (netOut.hasRemaining()) {
                channel.write(netOut);
            }
        } finally {
            netOut.clear();
        }
    }

    /** Sends close_notify, once, after the handshake completed. Never throws. */
    void closeOutbound() {
        try {
            // A writer stuck on a peer that does not read holds the lock: then there is no one to tell.
            if (!lock.tryLock(200, TimeUnit.MILLISECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try {
            if (outboundClosed) {
                return;
            }
            outboundClosed = true;
            engine.closeOutbound();
            while (!engine.isOutboundDone()) {
                wrapAndWrite(EMPTY);
            }
        } catch (IOException ignored) {
            // The peer is gone or the socket closed: there is no one to tell.
        } finally {
            lock.unlock();
        }
    }

    /** After a failed handshake: the alert the engine holds for the peer, if the write lock is free. */
    void sendAlertQuietly() {
        // After a fatal error the engine holds an alert for the peer; one wrap sends it.
        if (!lock.tryLock()) {
            return;
        }
        try {
            engine.closeOutbound();
            netOut.clear();
            for (int i = 0; i < 4 && !engine.isOutboundDone(); i++) {
                engine.wrap(EMPTY, netOut);
            }
            writeNet();
        } catch (IOException | RuntimeException ignored) {
            // Telling the peer is a courtesy; the failure itself is what matters.
        } finally {
            netOut.clear();
            lock.unlock();
        }
    }
}
