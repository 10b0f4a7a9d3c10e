package dev.sockit.transport;

import dev.sockit.TlsSession;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * The opening of a {@link TlsChannel}: the handshake, run once by the first thread that needs
 * it and bounded by its timeout (the {@link Timer} closes the socket), its failures told in
 * words an operator can act on (a peer that speaks no TLS, a refused certificate, a peer that
 * says nothing), and the {@link TlsSession} it established. A failure is remembered: whoever
 * asks again is given the same one. The {@link TlsReader} and {@link TlsWriter} move its records.
 */
final class TlsHandshake {

    // A TLS record begins with its content type: 22 handshake, 21 alert. Anything else as the
    // first byte means the peer speaks something other than TLS.
    private static final int HANDSHAKE_RECORD = 22;
    private static final int ALERT_RECORD = 21;

    private final TlsChannel tls;
    private final TlsReader reader;
    private final TlsWriter writer;
    private final SocketChannel channel;
    private final SSLEngine engine;
    private final String peer;
    private final Duration timeout;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile IOException failed;
    // Only the first record of the conversation says whether the peer speaks TLS at all
    // (TLS 1.3 sends the rest of its handshake in records typed as application data).
    private boolean sawRecord;
    private volatile TlsSession session;

    TlsHandshake(TlsChannel tls, TlsReader reader, TlsWriter writer, SocketChannel channel, SSLEngine engine,
            String peer, Duration timeout) {
        this.tls = tls;
        this.reader = reader;
        this.writer = writer;
        this.channel = channel;
        this.engine = engine;
        this.peer = peer;
        this.timeout = timeout;
    }

    /**
     * Performs the handshake, unless it is done; blocks until it completes, or until the
     * timeout closes the socket.
     *
     * @throws TlsHandshakeException saying why the handshake failed, in words
     * @throws IOException when the socket failed or was closed under it
     */
    void run() throws IOException {
        lock.lock();
        try {
            if (tls.isHandshaken()) {
                return;
            }
            if (failed != null) {
                throw failed;
            }
            AtomicBoolean expired = new AtomicBoolean();
            ScheduledFuture<?> deadline = Timer.after(timeout, () -> {
                expired.set(true);
                Tcp.closeQuietly(channel);
            });
            try {
                engine.beginHandshake();
                for (;;) {
                    switch (engine.getHandshakeStatus()) {
                        case NEED_TASK -> TlsChannel.runTasks(engine);
                        case NEED_WRAP -> writer.wrapEmpty();
                        case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                            if (reader.unwrapHandshake(this) < 0) {
                                throw new TlsHandshakeException(prefix() + "failed: the peer closed"
                                        + " the connection during the handshake" + (engine.getUseClientMode()
                                        ? " (is it a TLS server? does it accept our TLS version and certificate?)" : ""), null);
                            }
                        }
                        case FINISHED, NOT_HANDSHAKING -> {
                            tls.markHandshaken();
                            return;
                        }
                    }
                }
            } catch (TlsHandshakeException e) {
                throw remember(e);
            } catch (SSLException e) {
                writer.sendAlertQuietly();
                throw remember(new TlsHandshakeException(TlsTrust.describeHandshakeFailure(e, peer, engine), e));
            } catch (IOException e) {
                if (expired.get()) {
                    throw remember(new TlsHandshakeException(prefix() + "not finished within "
                            + Durations.format(timeout) + "; connection closed" + (engine.getUseClientMode()
                            ? " (is the server slow, or not a TLS server? raise --connect-timeout)"
                            : " (a peer that connects and says nothing; raise --handshake-timeout for very slow links)"),
                            e, true));
                }
                throw remember(e);
            } finally {
                deadline.cancel(false);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * The session once the handshake has completed; empty before. Made once and kept: a
     * session's peer does not change (renegotiation keeps the identity).
     */
    Optional<TlsSession> session() {
        if (!tls.isHandshaken()) {
            return Optional.empty();
        }
        TlsSession made = session;
        if (made == null) {
            SSLSession s = engine.getSession();
            Principal who;
            List<Certificate> chain;
            try {
                who = s.getPeerPrincipal();
                chain = List.of(s.getPeerCertificates());
            } catch (SSLPeerUnverifiedException noCertificate) {
                who = null;
                chain = List.of();
            }
            made = new TlsSession(s.getProtocol(), s.getCipherSuite(), Optional.ofNullable(who), chain);
            session = made;
        }
        return Optional.of(made);
    }

    /**
     * A peer that sends plain text to a TLS port is told so in plain text (which it can read)
     * and refused with words the operator can act on, rather than the engine's "unrecognized
     * SSL message". Called by the reader with the ciphertext it holds, {@code netIn} in read mode.
     */
    void checkSpeaksTls(ByteBuffer netIn) throws IOException {
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

    private String prefix() {
        return "TLS handshake " + (peer == null ? "" : "with " + peer + " ");
    }

    private IOException remember(IOException e) {
        failed = e;
        return e;
    }

    private static String printable(ByteBuffer buffer, int max) {
        StringBuilder b = new StringBuilder();
        for (int i = buffer.position(); i < buffer.limit() && b.length() < max; i++) {
            int c = buffer.get(i) & 0xff;
            b.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return b.toString();
    }
}
