package dev.sockit;

import java.time.Duration;
import java.util.Objects;

/**
 * How a connection stays alive through NAT and firewalls, and how a dead peer is found: the
 * one liveness policy, gathering what would otherwise be flags scattered over classes.
 *
 * <ul>
 *   <li><b>ping</b>: when the peer has been silent for {@code interval}, ping it (framings
 *       with control frames, such as {@code frames}); after {@code misses} unanswered pings in
 *       a row, close it with reason "no heartbeat". Pongs measure the round-trip time.
 *   <li><b>idle timeout</b>: close a peer silent for {@code idleTimeout}, in every framing.
 *   <li><b>TCP keepalive</b>: the kernel's probes on every TCP socket, on by default, so that
 *       even a framing that cannot ping keeps NAT entries fresh and finds vanished hosts.
 *   <li><b>TCP user timeout</b> ({@code TCP_USER_TIMEOUT}, Linux): a write the peer has not
 *       acknowledged for this long ends the connection, where the kernel would otherwise
 *       retransmit for about 15 minutes; off (the system's rule) by default.
 * </ul>
 *
 * <pre>{@code
 * Server.listen(endpoint)
 *       .heartbeat(Heartbeat.every(Duration.ofSeconds(30)).misses(2).idleTimeout(Duration.ofMinutes(5)))
 * }</pre>
 *
 * @param interval    silence after which the peer is pinged; {@link Duration#ZERO} for no pings
 * @param misses      unanswered pings in a row after which the peer is closed, at least 1
 * @param idleTimeout silence after which the peer is closed; {@link Duration#ZERO} for none
 * @param keepalive   the kernel's TCP keepalive, or {@link Keepalive#OFF}
 * @param userTimeout how long sent data may go unacknowledged before the kernel ends the
 *                    connection; {@link Duration#ZERO} for the system's rule
 */
public record Heartbeat(Duration interval, int misses, Duration idleTimeout, Keepalive keepalive, Duration userTimeout) {

    /** No pings, no idle timeout; TCP keepalive with the defaults below. The default policy. */
    public static final Heartbeat DEFAULT = new Heartbeat(Duration.ZERO, 2, Duration.ZERO, Keepalive.DEFAULT);

    /** Nothing at all, not even TCP keepalive: for benchmarks of idle connections. */
    public static final Heartbeat OFF = new Heartbeat(Duration.ZERO, 2, Duration.ZERO, Keepalive.OFF);

    /**
     * Checks the policy.
     *
     * @throws IllegalArgumentException for a negative duration, {@code misses} below 1, or an idle
     *     timeout not longer than the ping interval (pings could then never keep a connection open)
     * @throws NullPointerException     for a null part
     */
    public Heartbeat {
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(keepalive, "keepalive");
        Objects.requireNonNull(userTimeout, "userTimeout");
        if (userTimeout.isNegative()) {
            throw new IllegalArgumentException("TCP user timeout must not be negative, not " + userTimeout);
        }
        if (interval.isNegative()) {
            throw new IllegalArgumentException("heartbeat interval must not be negative, not " + interval);
        }
        if (idleTimeout.isNegative()) {
            throw new IllegalArgumentException("idle timeout must not be negative, not " + idleTimeout);
        }
        if (misses < 1) {
            throw new IllegalArgumentException("heartbeat misses must be at least 1, not " + misses);
        }
        if (!interval.isZero() && !idleTimeout.isZero() && idleTimeout.compareTo(interval) <= 0) {
            throw new IllegalArgumentException("idle timeout (" + idleTimeout + ") must be longer than the heartbeat interval ("
                    + interval + "), or pings could never keep a connection open");
        }
    }

    /**
     * The policy without a TCP user timeout (the system's rule).
     *
     * @param interval    silence after which the peer is pinged; {@link Duration#ZERO} for no pings
     * @param misses      unanswered pings in a row after which the peer is closed, at least 1
     * @param idleTimeout silence after which the peer is closed; {@link Duration#ZERO} for none
     * @param keepalive   the kernel's TCP keepalive, or {@link Keepalive#OFF}
     * @throws IllegalArgumentException as the canonical constructor
     */
    public Heartbeat(Duration interval, int misses, Duration idleTimeout, Keepalive keepalive) {
        this(interval, misses, idleTimeout, keepalive, Duration.ZERO);
    }

    /**
     * {@return a policy that pings a peer silent for {@code interval}}, closes it after 2
     * unanswered pings, and keeps the default TCP keepalive.
     *
     * @param interval the silence before a ping, positive
     * @throws IllegalArgumentException when {@code interval} is negative
     */
    public static Heartbeat every(Duration interval) {
        return DEFAULT.withInterval(interval);
    }

    /**
     * {@return the same policy pinging after {@code newInterval} of silence}
     *
     * @param newInterval the silence before a ping; zero for no pings
     * @throws IllegalArgumentException as the canonical constructor
     */
    public Heartbeat withInterval(Duration newInterval) {
        return new Heartbeat(newInterval, misses, idleTimeout, keepalive, userTimeout);
    }

    /**
     * {@return the same policy closing after {@code newMisses} unanswered pings in a row}
     *
     * @param newMisses at least 1
     * @throws IllegalArgumentException when {@code newMisses} is below 1
     */
    public Heartbeat misses(int newMisses) {
        return new Heartbeat(interval, newMisses, idleTimeout, keepalive, userTimeout);
    }

    /**
     * {@return the same policy closing peers silent for {@code timeout}}
     *
     * @param timeout longer than the ping interval; zero for never
     * @throws IllegalArgumentException as the canonical constructor
     */
    public Heartbeat idleTimeout(Duration timeout) {
        return new Heartbeat(interval, misses, timeout, keepalive, userTimeout);
    }

    /**
     * {@return the same policy with this TCP keepalive}
     *
     * @param newKeepalive the keepalive, or {@link Keepalive#OFF}
     */
    public Heartbeat keepalive(Keepalive newKeepalive) {
        return new Heartbeat(interval, misses, idleTimeout, newKeepalive, userTimeout);
    }

    /**
     * The same policy ending a TCP connection whose sent data has gone unacknowledged for
     * {@code timeout} ({@code TCP_USER_TIMEOUT}, Linux only: elsewhere opening a TCP socket with
     * it fails, saying so); zero for the system's rule. It finds a peer that vanished while
     * data was on its way, which keepalive cannot: keepalive probes only an idle connection.
     *
     * @param timeout zero or more; the kernel counts it in milliseconds
     * @return the same policy with that user timeout
     * @throws IllegalArgumentException when {@code timeout} is negative
     */
    public Heartbeat userTimeout(Duration timeout) {
        return new Heartbeat(interval, misses, idleTimeout, keepalive, timeout);
    }

    /** {@return true when the policy pings} */
    public boolean pings() {
        return !interval.isZero();
    }

    /** {@return true when anything must be watched on a clock: pings or an idle timeout} */
    public boolean watches() {
        return pings() || !idleTimeout.isZero();
    }

    /** {@return the longest a dead peer can go unnoticed by pings: {@code interval × (misses + 1)}} */
    public Duration deadAfter() {
        return interval.multipliedBy(misses + 1L);
    }

    /**
     * The kernel's TCP keepalive: after {@code idle} without traffic, a probe every
     * {@code interval}; after {@code count} unanswered probes the connection is reset.
     * Zero durations keep the system's values (on Linux 2 h, 75 s, 9).
     *
     * @param enabled  whether SO_KEEPALIVE is set
     * @param idle     silence before the first probe
     * @param interval time between probes
     * @param count    unanswered probes before the kernel gives up
     */
    public record Keepalive(boolean enabled, Duration idle, Duration interval, int count) {

        /**
         * On, probing after 60 s of silence every 10 s, giving up after 6: a dead peer is found
         * within two minutes, and NAT tables (which commonly forget after a few minutes) stay fresh.
         */
        public static final Keepalive DEFAULT = new Keepalive(true, Duration.ofSeconds(60), Duration.ofSeconds(10), 6);

        /** No keepalive probes. */
        public static final Keepalive OFF = new Keepalive(false, Duration.ZERO, Duration.ZERO, 0);

        /**
         * Checks the settings.
         *
         * @throws IllegalArgumentException for a negative duration or count
         * @throws NullPointerException     for a null duration
         */
        public Keepalive {
            Objects.requireNonNull(idle, "idle");
            Objects.requireNonNull(interval, "interval");
            if (idle.isNegative() || interval.isNegative() || count < 0) {
                throw new IllegalArgumentException("keepalive idle, interval and count must not be negative: "
                        + idle + ", " + interval + ", " + count);
            }
        }
    }
}
