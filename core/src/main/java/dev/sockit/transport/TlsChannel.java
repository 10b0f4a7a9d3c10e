package dev.sockit.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntSupplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;

/**
 * TLS over a blocking {@link SocketChannel}, with the JDK's {@link SSLEngine}: {@link #read}
 * and {@link #write} take and give plaintext, like the channel's own. One thread reads, any
 * number write (one at a time); both may run at once.
 *
 * <p>Each side has its own buffers: ciphertext read but not yet unwrapped ({@code netIn}),
 * plaintext unwrapped but not yet taken ({@code appIn}), ciphertext wrapped but not yet
 * written ({@code netOut}). What the engine asks for between application records is done
 * where it is found: delegated tasks run inline; messages after the handshake (TLS 1.3
 * session tickets and key updates, TLS 1.2 renegotiation) are unwrapped by the reader, which
 * also writes any answer they need under the write lock.
 *
 * <p>The handshake runs on the first call of {@link #handshake()}, {@code read} or
 * {@code write}; it has no timeout of its own: the caller's {@link Timer} closes the channel.
 */
public final class TlsChannel implements ByteChannel {

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    // A TLS record begins with its content type: 22 handshake, 21 alert. Anything else as the
    // first byte means the peer speaks something other than TLS.
    private static final int HANDSHAKE_RECORD = 22;
    private static final int ALERT_RECORD = 21;

    private final SocketChannel channel;
    private final SSLEngine engine;
    private final String peer;
    private final Duration handshakeTimeout;
    private final ReentrantLock handshakeLock = new ReentrantLock();
    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    // Writers wait here while a renegotiation needs the reader to unwrap before they can wrap.
    private final Condition progress = writeLock.newCondition();

    private ByteBuffer netIn;  // read mode
    private ByteBuffer appIn;  // read mode
    private ByteBuffer netOut; // write mode; empty between calls
    private volatile boolean handshaken;
    private volatile IOException failed;
    private boolean inboundDone;
    private boolean truncated;
    private long socketBytesRead;
    private boolean outboundClosed;

    /**
     * @param channel a connected channel in blocking mode, which this from now on reads and writes
     * @param engine  a fresh engine, in client or server mode
     * @param peer    the endpoint connected to, for a client's messages; null for a server,
     *     whose log names the peer
     * @param handshakeTimeout how long the handshake may take before the socket is closed
     */
    public TlsChannel(SocketChannel channel, SSLEngine engine, String peer, Duration handshakeTimeout) {
        this.channel = channel;
        this.engine = engine;
        this.peer = peer;
        this.handshakeTimeout = handshakeTimeout;
        SSLSession session = engine.getSession();
        this.netIn = ByteBuffer.allocate(session.getPacketBufferSize()).flip();
        this.appIn = ByteBuffer.allocate(session.getApplicationBufferSize()).flip();
        this.netOut = ByteBuffer.allocate(session.getPacketBufferSize());
    }

    /**
     * Takes bytes that were read from the socket before TLS began (those that came in the same
     * read as a PROXY header): the handshake reads them first, as if just read from the socket.
     * Called before the handshake, by the thread that will run it.
     */
    public void preload(ByteBuffer early) {
        netIn.compact();
        if (netIn.remaining() < early.remaining()) {
            netIn = ByteBuffer.allocate(netIn.position() + early.remaining()).put(netIn.flip());
        }
        netIn.put(early).flip();
    }

    /**
     * Bytes to write before the first TLS record, in the same write (a PROXY header a client
     * sends): they leave with the client hello. Called before the handshake.
     */
    public void prefix(ByteBuffer bytes) {
        if (netOut.remaining() < bytes.remaining()) {
            netOut = ByteBuffer.allocate(netOut.capacity() + bytes.remaining()).put(netOut.flip());
        }
        netOut.put(bytes);
    }

    /** The engine, for its session once the handshake is done. */
    public SSLEngine engine() {
        return engine;
    }

    /**
     * The session once the handshake has completed, as {@link dev.sockit.TlsSession}; empty before.
     * Made once and kept: a session's peer does not change (renegotiation keeps the identity).
     */
    public java.util.Optional<dev.sockit.TlsSession> session() {
        if (!handshaken) {
            return java.util.Optional.empty();
        }
        dev.sockit.TlsSession made = session;
        if (made == null) {
            SSLSession s = engine.getSession();
            java.security.Principal peer;
            java.util.List<java.security.cert.Certificate> chain;
            try {
                peer = s.getPeerPrincipal();
                chain = java.util.List.of(s.getPeerCertificates());
            } catch (javax.net.ssl.SSLPeerUnverifiedException noCertificate) {
                peer = null;
                chain = java.util.List.of();
            }
            made = new dev.sockit.TlsSession(s.getProtocol(), s.getCipherSuite(), java.util.Optional.ofNullable(peer), chain);
            session = made;
        }
        return java.util.Optional.of(made);
    }

    private volatile dev.sockit.TlsSession session;

    /** True once the handshake has completed. */
    public boolean isHandshaken() {
        return handshaken;
    }

    /**
     * Performs the handshake, if it has not been done; blocks until it completes, or until
     * the handshake timeout closes the socket.
     *
     * @throws TlsHandshakeException saying why the handshake failed, in words
     * @throws IOException when the socket failed or was closed under it
     */
    public void handshake() throws IOException {
        if (handshaken) {
            return;
        }
        handshakeLock.lock();
        try {
            if (handshaken) {
                return;
            }
            if (failed != null) {
                throw failed;
            }
            AtomicBoolean expired = new AtomicBoolean();
            ScheduledFuture<?> deadline = Timer.after(handshakeTimeout, () -> {
                expired.set(true);
                Tcp.closeQuietly(channel);
            });
            try {
                engine.beginHandshake();
                for (;;) {
                    switch (engine.getHandshakeStatus()) {
                        case NEED_TASK -> runTasks();
                        case NEED_WRAP -> wrapHandshake();
                        case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                            if (unwrapHandshake() < 0) {
                                throw new TlsHandshakeException(prefix() + "failed: the peer closed"
                                        + " the connection during the handshake" + (engine.getUseClientMode()
                                        ? " (is it a TLS server? does it accept our TLS version and certificate?)" : ""), null);
                            }
                        }
                        case FINISHED, NOT_HANDSHAKING -> {
                            handshaken = true;
                            return;
                        }
                    }
                }
            } catch (TlsHandshakeException e) {
                throw remember(e);
            } catch (SSLException e) {
                sendAlertQuietly();
                throw remember(new TlsHandshakeException(TlsTrust.describeHandshakeFailure(e, peer, engine), e));
            } catch (IOException e) {
                if (expired.get()) {
                    throw remember(new TlsHandshakeException(prefix() + "not finished within "
                            + Durations.format(handshakeTimeout) + "; connection closed" + (engine.getUseClientMode()
                            ? " (is the server slow, or not a TLS server? raise --connect-timeout)"
                            : " (a peer that connects and says nothing; raise --handshake-timeout for very slow links)"),
                            e, true));
                }
                throw remember(e);
            } finally {
                deadline.cancel(false);
            }
        } finally {
            handshakeLock.unlock();
        }
    }

    private String prefix() {
        return "TLS handshake " + (peer == null ? "" : "with " + peer + " ");
    }

    private IOException remember(IOException e) {
        failed = e;
        return e;
    }

    private void wrapHandshake() throws IOException {
        writeLock.lock();
        try {
            wrapAndWrite(EMPTY);
        } finally {
            writeLock.unlock();
        }
    }

    /** Reads and unwraps one step of the handshake; -1 if the peer closed. */
    private int unwrapHandshake() throws IOException {
        readLock.lock();
        try {
            if (netIn.hasRemaining()) {
                checkSpeaksTls();
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
            checkSpeaksTls();
            return n;
        } finally {
            readLock.unlock();
        }
    }

    /**
     * A peer that sends plain text to a TLS port is told so in plain text (which it can read)
     * and refused with words the operator can act on, rather than the engine's "unrecognized
     * SSL message".
     */
    private void checkSpeaksTls() throws IOException {
        if (sawRecord || !netIn.hasRemaining()) {
            return;
        }
        sawRecord = true;
        int first = netIn.get(netIn.position()) & 0xff;
        if (first == HANDSHAKE_RECORD || first == ALERT_RECORD) {
            return;
        }
        String sample = printable(netIn, 24);
        if (engine.getUseClientMode()) {
            throw remember(new TlsHandshakeException(prefix() + "failed: the server does not speak"
                    + " TLS (it answered \"" + sample + "\"); connect with tcp:// instead, or check the port", null));
        }
        // Best effort: a plain-text peer reads this line and learns why it is cut off.
        try {
            channel.write(ByteBuffer.wrap("error: this port speaks TLS; connect with a TLS client (tls://)\n"
                    .getBytes(StandardCharsets.US_ASCII)));
        } catch (IOException ignored) {
            // It is being refused anyway.
        }
        throw remember(new TlsHandshakeException(prefix() + "failed: the peer does not speak TLS"
                + " (it sent \"" + sample + "\"); it must connect with a TLS client, e.g. sockit client tls://HOST:PORT"
                + " or openssl s_client", null));
    }

    // Only the first record of the conversation says whether the peer speaks TLS at all
    // (TLS 1.3 sends the rest of its handshake in records typed as application data).
    private boolean sawRecord;

    private static String printable(ByteBuffer buffer, int max) {
        StringBuilder b = new StringBuilder();
        for (int i = buffer.position(); i < buffer.limit() && b.length() < max; i++) {
            int c = buffer.get(i) & 0xff;
            b.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return b.toString();
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return read(dst, null);
    }

    /**
     * Reads plaintext without waiting for the peer: what is already decrypted or whole in our
     * buffers, and from the socket only while {@code socketBytes} says bytes wait there (the
     * reader's share of a graceful stop). Returns -1 when a read would have to wait.
     */
    public int readNow(ByteBuffer dst, IntSupplier socketBytes) throws IOException {
        return read(dst, socketBytes);
    }

    /** Ciphertext bytes read from the socket so far; the reader's own count. */
    public long socketBytesRead() {
        return socketBytesRead;
    }

    /**
     * True when the peer ended the TCP stream without close_notify: what came last may have
     * been cut by an attacker or a crash, so a partial message must not pass for a whole one.
     */
    public boolean truncated() {
        return truncated;
    }

    private int read(ByteBuffer dst, IntSupplier socketBytes) throws IOException {
        if (!handshaken) {
            handshake();
        }
        readLock.lock();
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
            readLock.unlock();
        }
    }

    /** Answers what the engine needs after an unwrap outside the initial handshake. */
    private void afterUnwrap(HandshakeStatus status) throws IOException {
        for (;;) {
            switch (status) {
                case NEED_TASK -> runTasks();
                case NEED_WRAP -> {
                    writeLock.lock();
                    try {
                        wrapAndWrite(EMPTY);
                    } finally {
                        writeLock.unlock();
                    }
                }
                default -> {
                    signalProgress();
                    return;
                }
            }
            status = engine.getHandshakeStatus();
        }
    }

    private void signalProgress() {
        if (writeLock.hasQueuedThreads() || writeLock.isLocked()) {
            writeLock.lock();
            try {
                progress.signalAll();
            } finally {
                writeLock.unlock();
            }
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

    @Override
    public int write(ByteBuffer src) throws IOException {
        if (!handshaken) {
            handshake();
        }
        writeLock.lock();
        try {
            int before = src.remaining();
            while (src.hasRemaining()) {
                if (wrapAndWrite(src) == 0 && src.hasRemaining()) {
                    awaitProgress();
                }
            }
            return before;
        } finally {
            writeLock.unlock();
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
            throw new java.io.InterruptedIOException("interrupted while TLS renegotiates");
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
            runTasks();
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

    private void runTasks() {
        // Inline: the caller is a virtual thread already, and a handshake is one task at a time.
        for (Runnable task; (task = engine.getDelegatedTask()) != null; ) {
            task.run();
        }
    }

    /**
     * Sends close_notify: the peer's read ends cleanly. Does nothing before the handshake
     * completed or when already sent. Never throws.
     */
    public void closeOutbound() {
        if (!handshaken) {
            return;
        }
        try {
            // A writer stuck on a peer that does not read holds the lock: then there is no one to tell.
            if (!writeLock.tryLock(200, TimeUnit.MILLISECONDS)) {
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
            writeLock.unlock();
        }
    }

    /**
     * Ends our output: TLS 1.3 sends close_notify, which closes one direction only, then the
     * TCP half-close follows. TLS 1.2 treats close_notify as the end of both directions (the
     * peer could no longer answer), so there only TCP is half-closed.
     */
    public void shutdownOutput() throws IOException {
        if (handshaken && "TLSv1.3".equals(engine.getSession().getProtocol())) {
            closeOutbound();
        }
        channel.shutdownOutput();
    }

    private void sendAlertQuietly() {
        // After a fatal error the engine holds an alert for the peer; one wrap sends it.
        if (!writeLock.tryLock()) {
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
            writeLock.unlock();
        }
    }

    @Override
    public boolean isOpen() {
        return channel.isOpen();
    }

    /** Sends close_notify if it can, then closes the socket. */
    @Override
    public void close() throws IOException {
        closeOutbound();
        channel.close();
    }
}
