package dev.sockit.transport;

import dev.sockit.CloseReason;
import dev.sockit.Heartbeat;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Future;
import java.util.function.LongSupplier;

/**
 * The deadlines one connection lives by, on one {@link Clock}: the heartbeat (ping after
 * silence, close after unanswered pings), the idle timeout, and the write timeout (a write
 * that waited that long for the peer to take a byte). Checks run on the clock's thread and
 * never block: what they decide goes to the {@link Target}, which pings or closes elsewhere.
 *
 * <p>Liveness does not depend on the handler reading: bytes the peer sent that wait unread in
 * the kernel prove it alive as well as bytes read do, so a push-only handler's live peers
 * are not closed as idle or silent.
 */
public final class Watchdogs {

    /** What the watchdogs act on: the connection. */
    public interface Target {
        /** Queue a ping carrying {@code stamp} (a value of the clock); must not block. */
        void ping(long stamp);

        /**
         * Close for {@code reason}; must not block. False when it was closing already: the
         * watchdogs ignore it, but a stream connection's one {@code Hooks} method serves this
         * and {@code Pusher.Owner.expire}, whose caller reports a slow reader only when true.
         */
        boolean expire(CloseReason reason);

        /** Bytes from the peer waiting unread in the kernel, or -1 when that cannot be asked. */
        long unread();
    }

    private final Clock clock;
    private final Target target;
    private final Heartbeating heartbeat; // null: neither pings nor an idle timeout
    private final long writeTimeoutNanos;      // 0: no write timeout
    private volatile boolean stopped;
    private volatile Future<?> writeCheck;
    // Since when a write has waited for the peer to take bytes (0: no write waits).
    private volatile long writingSince;
    // Whether a write check is scheduled: only while writes happen, so an idle connection
    // keeps no timer task (19,000 idle connections ran 630 needless checks a second).
    // A field (WRITE_WATCHED), not an AtomicBoolean: every idle connection holds one.
    private volatile boolean writeWatched;

    private static final VarHandle WRITE_WATCHED;

    static {
        try {
            WRITE_WATCHED = MethodHandles.lookup().findVarHandle(Watchdogs.class, "writeWatched", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    public Watchdogs(Heartbeat policy, Duration writeTimeout, Clock clock, Target target) {
        this.clock = clock;
        this.target = target;
        this.heartbeat = policy.watches() ? new Heartbeating(new HeartbeatDetector(policy, clock::nanos)) : null;
        this.writeTimeoutNanos = writeTimeout.toNanos();
    }

    /** Starts the heartbeat's checks; the write timeout arms itself with the first write. */
    public void start() {
        if (heartbeat != null) {
            scheduleHeartbeat();
        }
    }

    /** Cancels every check; nothing of this connection stays scheduled. */
    public void stop() {
        stopped = true;
        if (heartbeat != null) {
            cancel(heartbeat.check);
        }
        cancel(writeCheck);
    }

    private static void cancel(Future<?> task) {
        if (task != null) {
            task.cancel(false);
        }
    }

    /** The peer sent bytes: it is alive. Called by the reader once per read. */
    public void heard() {
        if (heartbeat != null) {
            heartbeat.detector.heard();
        }
    }

    /** The peer answered a ping stamped {@code stamp}; anything else it says counts as {@link #heard()}. */
    public void ponged(byte[] stamp) {
        if (heartbeat != null) {
            try {
                heartbeat.detector.ponged(Long.parseLong(new String(stamp, java.nio.charset.StandardCharsets.US_ASCII)));
            } catch (NumberFormatException notOurs) {
                heartbeat.detector.heard(); // a pong we did not ask for still proves the peer alive
            }
        }
    }

    /** The round trip the last answered ping measured, if any. */
    public Optional<Duration> roundTrip() {
        return heartbeat == null ? Optional.empty() : Optional.ofNullable(heartbeat.detector.roundTrip());
    }

    /** A write to the peer begins; it may wait for the peer to take bytes. */
    public void writeBegins() {
        if (writeTimeoutNanos > 0) {
            writingSince = nonZero(clock.nanos());
            if (!writeWatched && WRITE_WATCHED.compareAndSet(this, false, true)) {
                scheduleWriteCheck(writeTimeoutNanos);
            }
        }
    }

    /** The peer took some bytes of a write that goes on: a slow reader is not a stuck one. */
    public void writeProgressed() {
        if (writeTimeoutNanos > 0) {
            writingSince = nonZero(clock.nanos());
        }
    }

    /** The write is over, done or failed. */
    public void writeEnds() {
        if (writeTimeoutNanos > 0) {
            writingSince = 0;
        }
    }

    /** True while a write waits for the peer; for tests that advance the clock over it. */
    public boolean writeWaiting() {
        return writingSince != 0;
    }

    private void scheduleHeartbeat() {
        if (!stopped) {
            heartbeat.check = clock.after(heartbeat.detector.nextCheck(), this::checkHeartbeat);
            // A stop between the check above and the assignment missed this task: cancel it here.
            if (stopped) {
                cancel(heartbeat.check);
            }
        }
    }

    private void checkHeartbeat() {
        long unread = target.unread();
        HeartbeatDetector detector = heartbeat.detector;
        if (unread > 0 && unread != heartbeat.unreadBefore) {
            detector.heard(); // it spoke; the handler has not read it yet
        }
        heartbeat.unreadBefore = unread;
        HeartbeatDetector.Action action = detector.check();
        switch (action) {
            case PING -> target.ping(detector.now());
            case CLOSE_IDLE, CLOSE_NO_HEARTBEAT -> {
                target.expire(CloseReason.of(CloseReason.Code.TIMEOUT, detector.reason(action)));
                return;
            }
            case NOTHING -> { }
        }
        scheduleHeartbeat();
    }

    private void scheduleWriteCheck(long delayNanos) {
        if (!stopped) {
            writeCheck = clock.after(Duration.ofNanos(delayNanos), this::checkWrite);
            if (stopped) {
                cancel(writeCheck);
            }
        }
    }

    /**
     * Closes the connection when a write has waited the write timeout for the peer to take a
     * byte; closing wakes the blocked writer, whose send then fails with this reason. Checks
     * again when the oldest waiting write would time out, so a stuck write is found within the
     * timeout, never later; stops when no write waits (the next write schedules a check again).
     */
    private void checkWrite() {
        long since = writingSince;
        if (since == 0) {
            writeWatched = false;
            // A write that began after the read above may have seen the flag still set, and
            // relies on this check; one that began after the set schedules its own.
            since = writingSince;
            if (since == 0 || !WRITE_WATCHED.compareAndSet(this, false, true)) {
                return;
            }
        }
        long waited = clock.nanos() - since;
        if (waited >= writeTimeoutNanos) {
            target.expire(CloseReason.of(CloseReason.Code.TIMEOUT, "write timeout: the peer took none of our bytes for "
                    + Durations.format(Duration.ofNanos(writeTimeoutNanos)) + "; it is not reading"));
            return;
        }
        scheduleWriteCheck(writeTimeoutNanos - waited);
    }

    private static long nonZero(long nanos) {
        return nanos == 0 ? 1 : nanos;
    }

    /**
     * The heartbeat's own state, made only where there is a heartbeat: a connection without one
     * (the default) holds none of it (16 bytes in the watchdogs).
     */
    private static final class Heartbeating {
        final HeartbeatDetector detector;
        volatile Future<?> check;
        // What the kernel held unread at the last check: a change is the peer speaking.
        long unreadBefore;

        Heartbeating(HeartbeatDetector detector) {
            this.detector = detector;
        }
    }
}
