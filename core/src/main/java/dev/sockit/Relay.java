package dev.sockit;

import dev.sockit.framing.Raw;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Joins each connection a server accepts to a new connection of its own to a target, bytes as
 * they come, both ways: socat's core job, as a {@link Handler}.
 *
 * <pre>{@code
 * Client target = Client.connect(Endpoint.parse("tls://backend.example:443"));
 * try (Server relay = Relay.listen(Endpoint.parse("tcp://127.0.0.1:8080"), target).start()) {
 *     relay.awaitClosed();
 * }
 * }</pre>
 *
 * <p>Any kind of endpoint on either side: the server's TLS settings terminate TLS on the
 * accepted side, the client's originate it towards the target; a WebSocket endpoint
 * ({@code ws://}, {@code wss://}) joins in the same way, each chunk of the stream one WebSocket
 * message and each message's bytes one chunk, since the relay asks nothing of either side but
 * {@link Connection}.
 *
 * <ul>
 *   <li><b>Bytes as they are.</b> Both sides use the {@code raw} framing: whatever one peer
 *       sends reaches the other unchanged, in order, nothing added (no farewell text).</li>
 *   <li><b>Half-close carried across.</b> When one peer ends its output (FIN, TLS
 *       close_notify), the relay ends its output to the other ({@link Connection#shutdownOutput()})
 *       and goes on relaying the other way until that side ends too. UDP has no half-close:
 *       a datagram side is closed instead, after {@link #datagramLinger} for late replies.</li>
 *   <li><b>Backpressure end to end.</b> Each direction is one thread that reads a chunk and
 *       sends it on; the send waits while the other side's outbox holds {@link #OUTBOUND}'s
 *       bytes, so the thread stops reading, the kernel's buffers fill and the sending peer is
 *       slowed by TCP itself. What one relayed connection holds is bounded, per direction: the
 *       read buffer (at most 64 KiB), the outbox (256 KiB), the write buffer (at most 64 KiB).</li>
 *   <li><b>A broken side ends both.</b> A reset, a failed write or a close on one side closes
 *       the other.</li>
 * </ul>
 */
public final class Relay implements Handler {

    /**
     * What may wait for one side of a relay: 256 KiB (or 1024 chunks), then the relaying
     * thread waits for room, so a slow reader slows its sender rather than filling memory.
     */
    public static final OutboundLimit OUTBOUND = OutboundLimit.of(256 * 1024, 1024, OutboundLimit.Overflow.BLOCK);

    // The largest datagram payload over IPv4; a chunk read from a stream may be 64 KiB.
    private static final int MAX_DATAGRAM = 65_507;
    // How often the handler looks whether the accepted side closed while the target still
    // talks: only in the half-closed phase, so the cost is a wake-up per 250 ms per relay.
    private static final Duration WATCH = Duration.ofMillis(250);

    /** Which way bytes go. */
    public enum Direction {
        /** From the accepted peer to the target. */
        FORWARD,
        /** From the target back to the accepted peer. */
        BACK
    }

    /**
     * Told of each relayed connection: joined, carried, ended, or its target unreachable. Called
     * on the relay's threads; must return quickly. Each method does nothing by default.
     */
    public interface Observer {
        /**
         * The target answered; the two connections are now joined.
         *
         * @param accepted the connection the server accepted
         * @param target   the connection to the target
         */
        default void joined(Connection accepted, Connection target) {}

        /**
         * A chunk was read from one side and is being sent on to the other.
         *
         * @param from      the side it was read from
         * @param direction which way it goes
         * @param chunk     the bytes, as one read gave them
         */
        default void carried(Connection from, Direction direction, Message chunk) {}

        /**
         * Both directions have ended and both connections are closing.
         *
         * @param accepted the connection the server accepted
         * @param target   the connection to the target
         * @param summary  what the two carried, and how it ended
         */
        default void ended(Connection accepted, Connection target, Summary summary) {}

        /**
         * The target could not be reached; the accepted connection is closed.
         *
         * @param accepted the connection the server accepted
         * @param why      what the connect threw, naming the target
         */
        default void unreachable(Connection accepted, IOException why) {}
    }

    /**
     * What one relayed connection carried.
     *
     * @param forward  bytes from the accepted peer to the target
     * @param back     bytes from the target to the accepted peer
     * @param duration from the accept (the handler's start) to the end of both directions
     * @param ending   how it ended, in words: {@code both sides closed}, or what broke
     */
    public record Summary(long forward, long back, Duration duration, String ending) {}

    private final Client target;
    private final Observer observer;
    private final Duration datagramLinger;

    private Relay(Client target, Observer observer, Duration datagramLinger) {
        this.target = target;
        this.observer = observer;
        this.datagramLinger = datagramLinger;
    }

    /**
     * A relay to the endpoint {@code target} connects to. The relay sets the client's framing
     * to {@code raw} and its outbound limit to {@link #OUTBOUND}; TLS settings and timeouts
     * given to the client are kept.
     *
     * @param target the client to connect with, once per accepted connection; changed as said
     * @return the relay, a handler for a server
     */
    public static Relay to(Client target) {
        Objects.requireNonNull(target, "target");
        target.framing(Raw.bytes()).outbound(OUTBOUND);
        return new Relay(target, new Observer() {}, Duration.ofSeconds(1));
    }

    /**
     * A server on {@code from} that relays each connection it accepts to {@code target}: the
     * {@code raw} framing, the relay's {@link #OUTBOUND} limit (for a stream; sends to a UDP,
     * seqpacket or unixgram peer are not queued) and no write timeout (a relay waits on a slow
     * peer as long as the other peer does). Add TLS, limits and an observer
     * before {@code start()}.
     *
     * @param from   where to listen
     * @param target where to relay to
     * @return the server's builder, not started
     */
    public static Server.Builder listen(Endpoint from, Client target) {
        return listen(from, to(target));
    }

    /**
     * {@return a server on {@code from} that runs {@code relay}}; see {@link #listen(Endpoint, Client)}.
     *
     * @param from  where to listen
     * @param relay the relay, with its observer
     */
    public static Server.Builder listen(Endpoint from, Relay relay) {
        Server.Builder server = Server.listen(from).framing(Raw.bytes()).writeTimeout(Duration.ZERO).handler(relay);
        // Sends to UDP, seqpacket and unixgram peers are not queued, and the server refuses a limit it would ignore.
        return from.kind().carriesMessages() ? server : server.outbound(OUTBOUND);
    }

    /**
     * {@return a copy of this relay that tells {@code observer} of each connection}
     *
     * @param observer the observer, replacing any given before
     */
    public Relay observer(Observer observer) {
        return new Relay(target, Objects.requireNonNull(observer, "observer"), datagramLinger);
    }

    /**
     * How long a UDP side stays open after the other side ended, for replies still on their
     * way (UDP cannot be half-closed). Default: 1 s.
     *
     * @param linger zero or more
     * @return a copy of this relay with that linger
     * @throws IllegalArgumentException when {@code linger} is negative
     */
    public Relay datagramLinger(Duration linger) {
        if (linger.isNegative()) {
            throw new IllegalArgumentException("datagramLinger must not be negative, not " + linger);
        }
        return new Relay(target, observer, linger);
    }

    @Override
    public void handle(Connection accepted) throws Exception {
        Instant start = Instant.now();
        Connection joined;
        try {
            joined = target.open();
        } catch (IOException e) {
            observer.unreachable(accepted, e);
            accepted.close(CloseReason.of(CloseReason.Code.BROKEN, "relay target unreachable: " + e.getMessage()));
            return;
        }
        try (Connection other = joined) {
            observer.joined(accepted, other);
            Pump forward = new Pump(accepted, other, Direction.FORWARD);
            Pump back = new Pump(other, accepted, Direction.BACK);
            Thread backThread = Thread.ofVirtual().name("sockit-relay-back-" + accepted.id()).start(back);
            forward.run();
            Instant forwardEnded = Instant.now();
            while (!backThread.join(WATCH)) {
                // The target may go on talking after the accepted peer stopped; but once the
                // accepted side is gone (closed by the server's stop, broken), or a UDP target
                // had its linger, nothing more can be carried: end the target too.
                if (!accepted.isOpen()) {
                    other.close(CloseReason.of(CloseReason.Code.CLOSED, "the relayed peer is gone"));
                } else if (isDatagram(other) && forward.clean
                        && Duration.between(forwardEnded, Instant.now()).compareTo(datagramLinger) >= 0) {
                    other.close();
                }
            }
            observer.ended(accepted, other, new Summary(forward.bytes, back.bytes,
                    Duration.between(start, Instant.now()), ending(forward, back)));
        }
    }

    private static String ending(Pump forward, Pump back) {
        if (forward.failure != null) {
            return forward.failure;
        }
        if (back.failure != null) {
            return back.failure;
        }
        return forward.clean && back.clean ? "both sides closed" : "closed";
    }

    private static boolean isDatagram(Connection connection) {
        return "udp".equals(connection.protocol());
    }

    /** One direction: read a chunk from one side, send it to the other, until the first side ends. */
    private final class Pump implements Runnable {
        private final Connection from;
        private final Connection to;
        private final Direction direction;
        volatile long bytes;
        volatile boolean clean;
        volatile String failure;

        Pump(Connection from, Connection to, Direction direction) {
            this.from = from;
            this.to = to;
            this.direction = direction;
        }

        @Override
        public void run() {
            try {
                for (Message chunk; (chunk = from.receive()) != null; ) {
                    observer.carried(from, direction, chunk);
                    send(chunk);
                    bytes += chunk.length();
                }
                CloseReason reason = from.closeReason();
                if (reason == null) {
                    // The peer ended its output as it meant to: carry the half-close across.
                    clean = true;
                    if (!isDatagram(to)) {
                        to.shutdownOutput();
                    } else if (isDatagram(from)) {
                        to.close(); // a UDP session ended by silence ends its counterpart
                    }
                } else {
                    if (reason.code() != CloseReason.Code.CLOSED) {
                        failure = describe(from, reason.text());
                    }
                    to.close(CloseReason.of(CloseReason.Code.CLOSED, "the relayed peer is gone: " + reason.text()));
                }
            } catch (IOException | RuntimeException e) {
                if (failure == null) {
                    failure = String.valueOf(e.getMessage());
                }
                CloseReason broken = CloseReason.of(CloseReason.Code.BROKEN, "relay " + direction.name().toLowerCase(
                        java.util.Locale.ROOT) + ": " + e.getMessage());
                from.close(broken);
                to.close(broken);
            }
        }

        private void send(Message chunk) throws IOException {
            if (!isDatagram(to) || chunk.length() <= MAX_DATAGRAM) {
                to.send(chunk);
                return;
            }
            byte[] bytes = chunk.bytes();
            for (int at = 0; at < bytes.length; at += MAX_DATAGRAM) {
                to.send(Message.of(java.util.Arrays.copyOfRange(bytes, at, Math.min(bytes.length, at + MAX_DATAGRAM))));
            }
        }

        private String describe(Connection side, String what) {
            return (direction == Direction.FORWARD ? "peer " : "target ") + Peers.describe(side.remote()) + ": " + what;
        }
    }
}
