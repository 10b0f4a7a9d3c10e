package dev.sockit.cli.bench;

import dev.sockit.Endpoint;
import java.time.Duration;
import java.util.Objects;

/**
 * What one load run does: where, how many connections, how many requests in flight on each,
 * how large, for how long, and how replies are checked.
 *
 * @param endpoint       the server, {@code tcp://HOST:PORT}
 * @param conns          connections opened before the clock starts
 * @param depth          requests in flight per connection; with {@code rate}, the cap on them
 * @param size           bytes per request line, newline excluded
 * @param duration       how long replies are measured, after the warmup
 * @param warmup         how long load runs before measuring starts, so the server's JIT settles
 * @param mode           how replies are verified
 * @param reply          the line an ack server answers (mode {@link Mode#ACK} only)
 * @param rate           open loop: total requests per second on a fixed schedule; 0 for closed loop
 * @param threads        event loops, each a platform thread with its own selector
 * @param connectTimeout how long one connection may take to open
 * @param serverPid      a local process whose CPU time per message is reported; 0 for none
 * @param busyPoll       poll the sockets without ever sleeping, so that waking the generator adds
 *                       nothing to a round trip; costs a whole CPU per thread
 */
public record BenchSettings(Endpoint endpoint, int conns, int depth, int size, Duration duration, Duration warmup,
        Mode mode, String reply, long rate, int threads, Duration connectTimeout, long serverPid, boolean busyPoll) {

    /** The largest line this tool sends: far above any server's default limit, well below memory trouble. */
    public static final int MAX_SIZE = 16 * 1024 * 1024;

    /**
     * Checks every setting.
     *
     * @throws IllegalArgumentException naming the option, its value and what is allowed
     */
    public BenchSettings {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(reply, "reply");
        if (endpoint.kind() != Endpoint.Kind.TCP) {
            throw new IllegalArgumentException("sockit bench speaks lines over TCP, not " + endpoint.kind().scheme()
                    + " (" + endpoint + "); write tcp://HOST:PORT");
        }
        if (endpoint.port() == 0) {
            throw new IllegalArgumentException("endpoint " + endpoint + " has port 0; give the port the server listens on");
        }
        atLeast("--conns", conns, 1);
        atLeast("--depth", depth, 1);
        atLeast("--size", size, 0);
        atLeast("--threads", threads, 1);
        if (size > MAX_SIZE) {
            throw new IllegalArgumentException("--size " + size + " is over the limit of " + MAX_SIZE + " bytes");
        }
        if (depth > 1 << 20) {
            throw new IllegalArgumentException("--depth " + depth + " is over the limit of " + (1 << 20));
        }
        if (threads > conns) {
            throw new IllegalArgumentException("--threads " + threads + " is more than --conns " + conns
                    + "; a thread without a connection has nothing to do");
        }
        if (rate < 0) {
            throw new IllegalArgumentException("--rate must be positive (requests per second), not " + rate);
        }
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("--duration must be longer than zero, not " + DurationConverter.format(duration));
        }
        if (warmup.isNegative()) {
            throw new IllegalArgumentException("--warmup must not be negative, not " + warmup);
        }
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("--connect-timeout must be longer than zero, not " + connectTimeout);
        }
        if (mode == Mode.ACK && reply.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("--reply must be one line, without a newline");
        }
    }

    /** True for a fixed request rate, false for as fast as replies come. */
    public boolean openLoop() {
        return rate > 0;
    }

    private static void atLeast(String option, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(option + " must be at least " + min + ", not " + value);
        }
    }
}
