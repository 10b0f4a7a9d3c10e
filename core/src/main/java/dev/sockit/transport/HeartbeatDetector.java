package dev.sockit.transport;

import dev.sockit.Heartbeat;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Decides, from a clock, what one connection's heartbeat should do now: nothing, ping, or
 * close. Pure logic with an injectable nanosecond clock, so tests advance time instead of
 * waiting for it. Thread-safe: the reader reports traffic while the timer checks.
 */
public final class HeartbeatDetector {

    /** What to do now. */
    public enum Action { NOTHING, PING, CLOSE_IDLE, CLOSE_NO_HEARTBEAT }

    private final Heartbeat policy;
    private final LongSupplier nanoClock;
    private volatile long lastHeard;
    private volatile long lastPingSent;
    private volatile int unanswered;
    private volatile long roundTripNanos = -1;

    /** @param nanoClock a monotonic clock in nanoseconds, such as {@code System::nanoTime} */
    public HeartbeatDetector(Heartbeat policy, LongSupplier nanoClock) {
        this.policy = policy;
        this.nanoClock = nanoClock;
        this.lastHeard = nanoClock.getAsLong();
    }

    /** The peer sent something: any bytes prove it alive. Called by the reader, once per read. */
    public void heard() {
        lastHeard = nanoClock.getAsLong();
        unanswered = 0;
    }

    /** A pong came back for the ping sent at {@code sentAt} (a value of this detector's clock). */
    public void ponged(long sentAt) {
        long now = nanoClock.getAsLong();
        roundTripNanos = now - sentAt;
        lastHeard = now;
        unanswered = 0;
    }

    /** The decision at this moment; a PING is counted as sent. */
    public synchronized Action check() {
        long now = nanoClock.getAsLong();
        long silent = now - lastHeard;
        if (!policy.idleTimeout().isZero() && silent >= policy.idleTimeout().toNanos()) {
            return Action.CLOSE_IDLE;
        }
        if (!policy.pings()) {
            return Action.NOTHING;
        }
        long interval = policy.interval().toNanos();
        long sincePing = unanswered == 0 ? silent : now - lastPingSent;
        if (sincePing < interval) {
            return Action.NOTHING;
        }
        if (unanswered >= policy.misses()) {
            return Action.CLOSE_NO_HEARTBEAT;
        }
        unanswered++;
        lastPingSent = now;
        return Action.PING;
    }

    /** When the next check is due, from now: the sooner of the ping and the idle deadline. */
    public Duration nextCheck() {
        long now = nanoClock.getAsLong();
        long next = Long.MAX_VALUE;
        if (policy.pings()) {
            long base = unanswered == 0 ? lastHeard : lastPingSent;
            next = Math.min(next, base + policy.interval().toNanos() - now);
        }
        if (!policy.idleTimeout().isZero()) {
            next = Math.min(next, lastHeard + policy.idleTimeout().toNanos() - now);
        }
        return Duration.ofNanos(Math.max(next, Duration.ofMillis(1).toNanos()));
    }

    /** The clock's now, for stamping a ping. */
    public long now() {
        return nanoClock.getAsLong();
    }

    /** Pings sent since the peer was last heard from. */
    public int unanswered() {
        return unanswered;
    }

    /** The last measured round-trip time, or null before the first pong. */
    public Duration roundTrip() {
        long rtt = roundTripNanos;
        return rtt < 0 ? null : Duration.ofNanos(rtt);
    }

    /** Why the connection is being closed, in words, for an action that closes. */
    public String reason(Action action) {
        return switch (action) {
            case CLOSE_IDLE -> "idle for " + Durations.format(policy.idleTimeout()) + " (idle timeout)";
            case CLOSE_NO_HEARTBEAT -> "no heartbeat: " + policy.misses() + " ping" + (policy.misses() == 1 ? "" : "s")
                    + " unanswered, silent for over "
                    + Durations.format(policy.interval().multipliedBy(policy.misses() + 1L));
            default -> throw new IllegalArgumentException(action + " does not close");
        };
    }
}
