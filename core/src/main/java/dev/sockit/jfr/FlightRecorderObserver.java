package dev.sockit.jfr;

import dev.sockit.CloseReason;
import dev.sockit.Connection;
import dev.sockit.ConnectionStats;
import dev.sockit.Message;
import dev.sockit.Observer;
import dev.sockit.Peers;
import dev.sockit.ServerStats;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import jdk.jfr.FlightRecorder;

/**
 * Turns a server's {@link Observer} callbacks into Flight Recorder events. Each callback
 * first asks whether a recording wants its event, so when none does it costs a check and
 * nothing is built: the per-message event, off by default, costs no more than that on the
 * hot path. Every server has one; {@link #watch} adds the periodic statistics, registered once
 * Flight Recorder runs.
 */
public final class FlightRecorderObserver implements Observer, AutoCloseable {

    private volatile Runnable statistics;
    private volatile boolean registered;

    /**
     * Emits {@code dev.sockit.ServerStatistics} for this server at each period a recording
     * asks for (5 s by default), until {@link #close}. When no recording has run yet, from the
     * first connection after one starts.
     */
    public void watch(String endpoint, Supplier<ServerStats> stats) {
        Runnable hook = () -> {
            ServerStatistics event = new ServerStatistics();
            if (event.isEnabled()) {
                ServerStats now = stats.get();
                event.endpoint = endpoint;
                event.open = now.open();
                event.accepted = now.accepted();
                event.rejected = now.rejected();
                event.refused = now.refused();
                event.proxyHeaderRefused = now.proxyHeaderRefused();
                event.messagesReceived = now.messagesIn();
                event.messagesSent = now.messagesOut();
                event.bytesReceived = now.bytesIn();
                event.bytesSent = now.bytesOut();
                event.commit();
            }
        };
        statistics = hook;
        registerWhenRecording();
    }

    /**
     * Registers the periodic statistics once Flight Recorder runs. Registering starts it (its
     * metadata, a tenth of a second and more of a server's start, docs/performance.md), which most
     * runs never use; so a server started before any recording registers at its first connection
     * after one starts (-XX:StartFlightRecording, a Recording, jcmd JFR.start).
     */
    private void registerWhenRecording() {
        Runnable hook = statistics;
        if (hook == null || registered || !FlightRecorder.isInitialized()) {
            return;
        }
        synchronized (this) {
            if (!registered && statistics == hook) {
                FlightRecorder.addPeriodicEvent(ServerStatistics.class, hook);
                registered = true;
            }
        }
    }

    /** Stops the periodic statistics: the server has stopped. */
    @Override
    public void close() {
        Runnable hook;
        synchronized (this) {
            hook = registered ? statistics : null;
            statistics = null;
        }
        if (hook != null) {
            FlightRecorder.removePeriodicEvent(hook);
        }
    }

    @Override
    public void connected(Connection connection) {
        registerWhenRecording();
        ConnectionOpened event = new ConnectionOpened();
        if (event.shouldCommit()) {
            event.connection = connection.id();
            event.protocol = connection.protocol();
            event.local = Peers.describe(connection.local());
            event.remote = Peers.describe(connection.remote());
            event.commit();
        }
    }

    @Override
    public void received(Connection connection, Message message) {
        MessageReceived event = new MessageReceived();
        if (event.shouldCommit()) {
            event.connection = connection.id();
            event.size = message.length();
            event.commit();
        }
    }

    /** {@return true while a recording wants the per-message event}: off by default. */
    @Override
    public boolean watchesMessages() {
        return new MessageReceived().isEnabled();
    }

    @Override
    public void closed(Connection connection, CloseReason reason) {
        ConnectionClosed event = new ConnectionClosed();
        if (event.shouldCommit()) {
            ConnectionStats stats = connection.stats();
            event.connection = connection.id();
            event.protocol = connection.protocol();
            event.remote = Peers.describe(connection.remote());
            event.lifetime = stats.age(Instant.now()).toNanos();
            event.messagesReceived = stats.messagesIn();
            event.messagesSent = stats.messagesOut();
            event.bytesReceived = stats.bytesIn();
            event.bytesSent = stats.bytesOut();
            event.reasonCode = reason.code().name().toLowerCase(Locale.ROOT);
            event.reason = reason.text();
            event.commit();
        }
    }

    @Override
    public void rejected(SocketAddress peer, CloseReason reason) {
        refused(peer, reason.isPerSourceLimit() ? "per_source" : "limit", reason.text());
    }

    @Override
    public void refused(SocketAddress peer, String why) {
        refused(peer, "denied", why);
    }

    @Override
    public void proxyHeaderRefused(SocketAddress proxy, String why) {
        refused(proxy, "proxy_header", why);
    }

    private static void refused(SocketAddress peer, String cause, String why) {
        ConnectionRefused event = new ConnectionRefused();
        if (event.shouldCommit()) {
            event.remote = Peers.describe(peer);
            event.cause = cause;
            event.reason = why;
            event.commit();
        }
    }

    @Override
    public void handshakeFailed(Connection connection, CloseReason reason) {
        TlsHandshakeFailure event = new TlsHandshakeFailure();
        if (event.shouldCommit()) {
            event.connection = connection.id();
            event.remote = Peers.describe(connection.remote());
            event.timedOut = reason.code() == CloseReason.Code.TIMEOUT;
            event.reason = reason.text();
            event.commit();
        }
    }

    @Override
    public void slowReader(Connection connection, long queuedBytes, CloseReason reason) {
        SlowReaderDisconnect event = new SlowReaderDisconnect();
        if (event.shouldCommit()) {
            event.connection = connection.id();
            event.remote = Peers.describe(connection.remote());
            event.queuedBytes = queuedBytes;
            event.reason = reason.text();
            event.commit();
        }
    }

    @Override
    public void tlsReloaded(List<Path> files) {
        reload(files, null);
    }

    @Override
    public void tlsReloadFailed(List<Path> files, Exception failure) {
        reload(files, failure);
    }

    private static void reload(List<Path> files, Exception failure) {
        TlsCertificateReload event = new TlsCertificateReload();
        if (event.shouldCommit()) {
            event.files = String.join(", ", files.stream().map(String::valueOf).toList());
            event.succeeded = failure == null;
            event.failure = failure == null ? null : failure.getMessage();
            event.commit();
        }
    }
}
