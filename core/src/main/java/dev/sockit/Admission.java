package dev.sockit;

import dev.sockit.transport.MemoryBudget;
import dev.sockit.transport.SocketConnection;
import dev.sockit.transport.WebSocketUpgrade;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A server's admission: who may connect (the access policy) and how many (the connection
 * limit, the limit per source address, the memory budget), and turning away those refused.
 * Every step is cheap and none waits on the peer, as it runs on the accept thread; a slot
 * taken here is given back by whoever took it, or the server fills up for good.
 */
final class Admission {

    // What a new connection needs of the memory budget to be worth admitting: a busy read buffer.
    private static final long ROOM_FOR_ONE = 8 * 1024;
    // Refusals still saying goodbye; see reject().
    private static final int REFUSALS_IN_FLIGHT = 64;

    private final ServerSettings settings;
    private final Semaphore permits;
    private final Semaphore refusals = new Semaphore(REFUSALS_IN_FLIGHT);
    // Connections open per source address, for maxPerSource; an address leaves at zero.
    private final Map<InetAddress, Integer> perSource = new ConcurrentHashMap<>();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong proxyHeaderRefused = new AtomicLong();

    Admission(ServerSettings settings) {
        this.settings = settings;
        this.permits = new Semaphore(settings.maxConnections());
    }

    /** How many peers were turned away at a connection limit. */
    long rejected() {
        return rejected.get();
    }

    /** How many peers the access policy refused. */
    long refused() {
        return refused.get();
    }

    /** How many connections from trusted proxies were closed for their PROXY header. */
    long proxyHeaderRefused() {
        return proxyHeaderRefused.get();
    }

    /** Counts and reports a connection from {@code proxy} closed for its PROXY header, and why. */
    void refuseProxyHeader(SocketAddress proxy, String why) {
        proxyHeaderRefused.incrementAndGet();
        settings.observer().proxyHeaderRefused(proxy, why);
    }

    /** True, having counted and reported it, when the access policy refuses {@code peer}. */
    boolean refuses(SocketAddress peer) {
        Optional<String> why = settings.access().refusal(peer);
        if (why.isEmpty()) {
            return false;
        }
        refused.incrementAndGet();
        settings.observer().refused(peer, why.get());
        return true;
    }

    /**
     * Takes a connection permit and a slot of {@code peer}'s address; null when both were
     * taken, else (having taken neither) the limit that was reached.
     */
    CloseReason takeSlot(SocketAddress peer) {
        CloseReason limit = takePermit();
        if (limit == null) {
            limit = takeSource(peer);
            if (limit != null) {
                permits.release();
            }
        }
        return limit;
    }

    /** Takes a connection permit; null when taken, else (having taken none) the limit reached. */
    CloseReason takePermit() {
        MemoryBudget budget = settings.connection().readBudget();
        if (budget.nearlyExhausted(ROOM_FOR_ONE)) {
            return CloseReason.of(CloseReason.Code.LIMIT, "server busy: its connections' read buffers hold "
                    + budget.used() + " bytes of its memory budget of " + budget.max() + "; try again later");
        }
        return permits.tryAcquire() ? null : busy();
    }

    /** Gives back what {@link #takePermit} took. */
    void releasePermit() {
        permits.release();
    }

    /** Takes a slot of {@code peer}'s address; null when taken (or not counted), else the limit reached. */
    CloseReason takeSource(SocketAddress peer) {
        InetAddress source = limitedSource(peer);
        if (source != null) {
            int open = perSource.merge(source, 1, Integer::sum);
            if (open > settings.maxPerSource()) {
                releaseSource(source);
                return CloseReason.perSourceLimit(source.getHostAddress(), settings.maxPerSource());
            }
        }
        return null;
    }

    /** Gives back what {@link #takeSlot} took for {@code peer}. */
    void releaseSlot(SocketAddress peer) {
        releaseSource(peer);
        permits.release();
    }

    /** Gives back what {@link #takeSource} took for {@code peer}. */
    void releaseSource(SocketAddress peer) {
        InetAddress source = limitedSource(peer);
        if (source != null) {
            releaseSource(source);
        }
    }

    private void releaseSource(InetAddress source) {
        perSource.computeIfPresent(source, (address, open) -> open == 1 ? null : open - 1);
    }

    /** The address whose connections are counted, or null when there is none (Unix) or no need. */
    private InetAddress limitedSource(SocketAddress peer) {
        // A limit no larger than the total cannot be reached before it: skip the map.
        return settings.maxPerSource() < settings.maxConnections() && peer instanceof InetSocketAddress inet
                ? inet.getAddress() : null;
    }

    /** Counts and reports a peer turned away at {@code limit} that is told nothing (a datagram's). */
    void turnedAway(SocketAddress peer, CloseReason limit) {
        rejected.incrementAndGet();
        settings.observer().rejected(peer, limit);
    }

    /**
     * Turns a peer away at a connection limit. A TCP or Unix peer is told why, on a virtual
     * thread (saying goodbye may wait on a slow peer), but only {@link #REFUSALS_IN_FLIGHT} at
     * once: under a flood the rest are closed unanswered, so refusals cost bounded descriptors
     * and threads. A TLS peer is closed before its handshake: telling it would cost a full
     * handshake per refusal, which is what a flood against a full server would buy.
     */
    void reject(SocketChannel channel, SocketAddress remote, CloseReason reason, Site site) {
        turnedAway(remote, reason);
        if (site.tls() || !refusals.tryAcquire()) {
            Acceptor.closeQuietly(channel);
            return;
        }
        try {
            // A WebSocket peer has sent an HTTP request, not a framing's greeting: it is answered 503.
            SocketConnection connection = new SocketConnection(0, channel, site.websocket() == null
                    ? site.connection() : site.connection().withFraming(WebSocketUpgrade.refusals()));
            Thread.ofVirtual().name("sockit-reject").start(() -> {
                try {
                    connection.refuse(reason);
                } finally {
                    refusals.release();
                }
            });
        } catch (IOException | RuntimeException e) {
            refusals.release();
            Acceptor.closeQuietly(channel);
        }
    }

    private CloseReason busy() {
        return CloseReason.of(CloseReason.Code.LIMIT, "server busy: " + settings.maxConnections()
                + " connections open, the most it takes; try again later");
    }
}
