package dev.sockit.transport;

import dev.sockit.TlsSession;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Optional;
import java.util.function.IntSupplier;
import javax.net.ssl.SSLEngine;

/**
 * TLS over a blocking {@link SocketChannel}, with the JDK's {@link SSLEngine}: {@link #read}
 * and {@link #write} take and give plaintext, like the channel's own. One thread reads, any
 * number write (one at a time); both may run at once.
 *
 * <p>It is made of three parts: the {@link TlsReader} (records read and unwrapped, with
 * what the engine asks for between them), the {@link TlsWriter} (records wrapped and
 * written), and the {@link TlsHandshake}, which runs on the first call of
 * {@link #handshake()}, {@code read} or {@code write}, bounded by its timeout. What the engine
 * asks for is done where it is found: delegated tasks run inline, on the caller's thread.
 */
public final class TlsChannel implements ByteChannel {

    private final SocketChannel channel;
    private final SSLEngine engine;
    private final TlsWriter writer;
    private final TlsReader reader;
    private final TlsHandshake handshake;
    private volatile boolean handshaken;

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
        this.writer = new TlsWriter(channel, engine, peer);
        this.reader = new TlsReader(channel, engine, peer, writer);
        this.handshake = new TlsHandshake(this, reader, writer, channel, engine, peer, handshakeTimeout);
    }

    /**
     * Takes bytes that were read from the socket before TLS began (those that came in the same
     * read as a PROXY header): the handshake reads them first, as if just read from the socket.
     * Called before the handshake, by the thread that will run it.
     */
    public void preload(ByteBuffer early) {
        reader.preload(early);
    }

    /**
     * Bytes to write before the first TLS record, in the same write (a PROXY header a client
     * sends): they leave with the client hello. Called before the handshake.
     */
    public void prefix(ByteBuffer bytes) {
        writer.prefix(bytes);
    }

    /** The engine, for its session once the handshake is done. */
    public SSLEngine engine() {
        return engine;
    }

    /** The session once the handshake has completed, as {@link TlsSession}; empty before. */
    public Optional<TlsSession> session() {
        return handshake.session();
    }

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
        if (!handshaken) {
            handshake.run();
        }
    }

    /** The handshake has completed: reads and writes go straight to the records from now on. */
    void markHandshaken() {
        handshaken = true;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (!handshaken) {
            handshake();
        }
        return reader.read(dst, null);
    }

    /**
     * Reads plaintext without waiting for the peer: what is already decrypted or whole in our
     * buffers, and from the socket only while {@code socketBytes} says bytes wait there (the
     * reader's share of a graceful stop). Returns -1 when a read would have to wait.
     */
    public int readNow(ByteBuffer dst, IntSupplier socketBytes) throws IOException {
        if (!handshaken) {
            handshake();
        }
        return reader.read(dst, socketBytes);
    }

    /** Ciphertext bytes read from the socket so far; the reader's own count. */
    public long socketBytesRead() {
        return reader.socketBytesRead();
    }

    /**
     * True when the peer ended the TCP stream without close_notify: what came last may have
     * been cut by an attacker or a crash, so a partial message must not pass for a whole one.
     */
    public boolean truncated() {
        return reader.truncated();
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        if (!handshaken) {
            handshake();
        }
        return writer.write(src);
    }

    /** Runs the engine's delegated tasks inline: the caller is a virtual thread already. */
    static void runTasks(SSLEngine engine) {
        for (Runnable task; (task = engine.getDelegatedTask()) != null; ) {
            task.run();
        }
    }

    /**
     * Sends close_notify: the peer's read ends cleanly. Does nothing before the handshake
     * completed or when already sent. Never throws.
     */
    public void closeOutbound() {
        if (handshaken) {
            writer.closeOutbound();
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
