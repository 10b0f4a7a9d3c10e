package dev.sockit.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntSupplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * The reading half of a {@link TlsChannel}: reads records from the socket and unwraps them,
 * for the one reading thread. Its buffers are ciphertext read but not yet unwrapped
 * ({@code netIn}) and plaintext unwrapped but not yet taken ({@code appIn}), both in read
 * mode. Messages the peer sends after the handshake (TLS 1.3 session tickets and key
 * updates, TLS 1.2 renegotiation) are unwrapped here, and any answer they need is written
 * through the {@link TlsWriter}.
 */
final class TlsReader {

    private final SocketChannel channel;
    private final SSLEngine engine;
    private final String peer;
    private final TlsWriter writer;
    private final ReentrantLock lock = new ReentrantLock();

    private ByteBuffer netIn; // read mode
    private ByteBuffer appIn; // read mode
    private boolean inboundDone;
    private boolean truncated;
    private long socketBytesRead;

    TlsReader(SocketChannel channel, SSLEngine engine, String peer, TlsWriter writer) {
        this.channel = channel;
        this.engine = engine;
        this.peer = peer;
        this.writer = writer;
        this.netIn = ByteBuffer.allocate(engine.getSession().getPacketBufferSize()).flip();
        this.appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize()).flip();
    }

    /** Bytes read from the socket before TLS began; see {@link TlsChannel#preload}. */
    void preload(ByteBuffer early) {
        netIn.compact();
        if (netIn.remaining() < early.remaining()) {
            netIn = ByteBuffer.allocate(netIn.position() + early.remaining()).put(netIn.flip());
        }
        netIn.put(early).flip();
    }

    /** Ciphertext bytes read from the socket so far; the reader's own count. */
    long socketBytesRead() {
        return socketBytesRead;
    }

    /** True when the peer ended the TCP stream without close_notify; see {@link TlsChannel#truncated}. */
    boolean truncated() {
        return truncated;
    }

    /**
     * Reads and unwraps one step of the handshake; -1 if the peer closed. The first bytes are
     * shown to {@code handshake}, which refuses a peer that does not speak TLS.
     */
    int unwrapHandshake(TlsHandshake handshake) throws IOException {
        lock.lock();
        try {
            if (netIn.hasRemaining()) {
                handshake.checkSpeaksTls(netIn);
                SSLEngineResult result = unwrap();
                if (result.getStatus() != SSLEngineResult.Status.BUFFER_UNDERFLOW) {
                    if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
                        inboundDone = true;
                        return -1;
                    }
                    return 0;
                }
            }
            int n = readNet();
            if (n < 0) {
                inboundDone = true;
                return -1;
            }
            handshake.checkSpeaksTls(netIn);
            return n;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Reads plaintext into {@code dst}; the handshake is done. With {@code socketBytes}, from
     * the socket only while it says bytes wait there, and -1 when a read would have to wait.
     */
    int read(ByteBuffer dst, IntSupplier socketBytes) throws IOException {
        lock.lock();
        try {
            for (;;) {
                if (appIn.hasRemaining()) {
                    return transfer(appIn, dst);
                }
                if (inboundDone) {
                    return -1;
                }
                boolean needMore = !netIn.hasRemaining();
                if (!needMore) {
                    SSLEngineResult result;
                    try {
                        result = unwrap();
                    } catch (TlsHandshakeException e) {
                        throw e;
                    } catch (SSLException e) {
                        // TLS 1.3: a server that refuses our certificate says so after our
                        // handshake has finished, in an alert read here.
                        throw new TlsHandshakeException(TlsTrust.describeHandshakeFailure(e, peer, engine), e);
                    }
                    switch (result.getStatus()) {
                        case CLOSED -> inboundDone = true; // close_notify: end of stream once appIn is taken
                        case BUFFER_UNDERFLOW -> needMore = true;
                        default -> { }
                    }
                    afterUnwrap(result.getHandshakeStatus());
                }
                if (needMore && socketBytes != null && socketBytes.getAsInt() <= 0) {
                    return -1;
                }
                if (needMore && readNet() < 0) {
                    inboundDone = true;
                    try {
                        engine.closeInbound();
                    } catch (SSLException noCloseNotify) {
                        // The peer closed TCP without close_notify. Many do, after whole
                        // messages; but a message cut here is not whole (truncated()).
                        truncated = true;
                    }
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Answers what the engine needs after an unwrap outside the initial handshake. */
    private void afterUnwrap(HandshakeStatus status) throws IOException {
        for (;;) {
            switch (status) {
                case NEED_TASK -> TlsChannel.runTasks(engine);
                case NEED_WRAP -> writer.wrapEmpty();
                default -> {
                    writer.signalProgress();
                    return;
                }
            }
            status = engine.getHandshakeStatus();
        }
    }

    /** Unwraps one record from netIn into appIn, growing appIn when a record does not fit. */
    private SSLEngineResult unwrap() throws SSLException {
        appIn.compact();
        try {
            for (;;) {
                SSLEngineResult result = engine.unwrap(netIn, appIn);
                if (result.getStatus() != SSLEngineResult.Status.BUFFER_OVERFLOW) {
                    return result;
                }
                int need = engine.getSession().getApplicationBufferSize() + appIn.position();
                appIn = ByteBuffer.allocate(Math.max(need, appIn.capacity() * 2)).put(appIn.flip());
            }
        } finally {
            appIn.flip();
        }
    }

    /** Reads once from the socket into netIn, growing it when a record does not fit; -1 at end of stream. */
    private int readNet() throws IOException {
        netIn.compact();
        if (!netIn.hasRemaining()) {
            int need = Math.max(engine.getSession().getPacketBufferSize(), netIn.capacity() * 2);
            netIn = ByteBuffer.allocate(need).put(netIn.flip());
        }
        try {
            int n = channel.read(netIn);
            socketBytesRead += Math.max(n, 0);
            return n;
        } finally {
            netIn.flip();
        }
    }

    private static int transfer(ByteBuffer from, ByteBuffer to) {
        int n = Math.min(from.remaining(), to.remaining());
        if (n == from.remaining()) {
            to.put(from);
        } else {
            int limit = from.limit();
            from.limit(from.position() + n);
            to.put(from);
            from.limit(limit);
        }
        return n;
    }
}
