package dev.sockit.cli.bench;

import dev.sockit.cli.DurationConverter;
import dev.sockit.Endpoint;
import java.time.Duration;
import java.util.Objects;

/**
 * What one load run does: where, how many connections, how many requests in flight on each,
 * how large, for how long, and how replies are checked.
 *
 * @param endpoint       the server: {@code tcp://HOST:PORT} or {@code unix:/PATH} (lines over a
 *                       stream), or {@code udp://HOST:PORT} (one datagram per request and reply)
 * @param conns          connections opened before the clock starts
 * @param depth          requests in flight per connection; with {@code rate}, the cap on them
 * @param size           bytes per request line, newline excluded; over UDP, bytes per datagram;
 *                       in discard mode, bytes per write
 * @param duration       how long replies are measured, after the warmup
 * @param warmup         how long load runs before measuring starts, so the server's JIT settles
 * @param mode           how replies are verified; {@link Mode#DISCARD}: none come, and the load
 *                       is a bulk transfer (depth, rate, threads and busy polling do not apply)
 * @param reply          the line an ack server answers (mode {@link Mode#ACK} only)
 * @param rate           open loop: total requests per second on a fixed schedule; 0 for closed loop
 * @param threads        event loops, each a platform thread with its own selector
 * @param connectTimeout how long one connection may take to open
 * @param serverPid      a local process whose CPU time per message is reported; 0 for none
 * @param busyPoll       poll the sockets without ever sleeping, so that waking the generator adds
 *                       nothing to a round trip; costs a whole CPU per thread
 * @param lossTimeout    UDP: how long a request may wait for its reply before it counts as lost
 *                       and its slot is reused
 * @param churn          connection churn: each of {@code conns} loops connects, sends one request,
 *                       awaits its reply and closes, over and over (see {@link ChurnGenerator});
 *                       depth, rate, threads and busy polling do not apply
 */
public record BenchSettings(Endpoint endpoint, int conns, int depth, int size, Duration duration, Duration warmup,
        Mode mode, String reply, long rate, int threads, Duration connectTimeout, long serverPid, boolean busyPoll,
        Duration lossTimeout, boolean churn) {

    /** The largest line this tool sends: far above any server's default limit, well below memory trouble. */
    public static final int MAX_SIZE = 16 * 1024 * 1024;

    /** The largest UDP request: the most one datagram carries over IPv4. */
    public static final int MAX_DATAGRAM = 65_507;

    /** Echo over UDP: the first bytes of each request carry its sequence number, so late replies are known. */
    public static final int SEQUENCE_BYTES = 8;

    /**
     * Checks every setting.
     *
     * @throws IllegalArgumentException naming the option, its value and what is allowed
     */
    public BenchSettings {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(reply, "reply");
        Objects.requireNonNull(lossTimeout, "lossTimeout");
        if (endpoint.kind().isTls()) {
            throw new IllegalArgumentException("sockit bench cannot load " + endpoint + ": " + endpoint.kind().scheme()
                    + " is not supported; write tcp://HOST:PORT, udp://HOST:PORT, unix:/PATH or ws://HOST:PORT/PATH");
        }
        if (endpoint.kind() == Endpoint.Kind.WS && mode == Mode.DISCARD) {
            throw new IllegalArgumentException("sockit bench --mode discard measures a byte stream; over " + endpoint
                    + " use --mode echo or ack");
        }
        if (endpoint.kind() == Endpoint.Kind.UNIX_SEQPACKET || endpoint.isAbstract()) {
            throw new IllegalArgumentException("sockit bench cannot load " + endpoint + ": "
                    + (endpoint.isAbstract() ? "abstract Unix names are" : "unix+seqpacket is") + " not supported;"
                    + " write tcp://HOST:PORT, udp://HOST:PORT or unix:/PATH");
        }
        if (!endpoint.kind().isUnix() && endpoint.port() == 0) {
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
        if (lossTimeout.isNegative() || lossTimeout.isZero()) {
            throw new IllegalArgumentException("--loss-timeout must be longer than zero, not "
                    + DurationConverter.format(lossTimeout));
        }
        if (churn) {
            checkChurn(endpoint, mode, depth, rate, threads, busyPoll);
        }
        if (mode == Mode.DISCARD) {
            checkBulk(endpoint, depth, size, rate, threads, busyPoll);
        } else if (endpoint.kind() == Endpoint.Kind.UDP) { // fields are not set yet in a compact constructor
            if (size > MAX_DATAGRAM) {
                throw new IllegalArgumentException("--size " + size + " is over the " + MAX_DATAGRAM
                        + " bytes one UDP datagram carries; give a smaller --size");
            }
            if (mode == Mode.ECHO && size < SEQUENCE_BYTES) {
                throw new IllegalArgumentException("--size " + size + " is too small for echo over UDP: each request"
                        + " carries its " + SEQUENCE_BYTES + "-byte sequence number; give --size " + SEQUENCE_BYTES
                        + " or more");
            }
        } else if (mode == Mode.ACK && reply.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("--reply must be one line, without a newline");
        }
    }

    /** True for UDP: one datagram per request and per reply, and replies may be lost. */
    public boolean datagrams() {
        return endpoint.kind() == Endpoint.Kind.UDP;
    }

    /** True for a bulk transfer to a discard server: bytes out as fast as it takes them, no replies. */
    public boolean bulk() {
        return mode == Mode.DISCARD;
    }

    /** True for a fixed request rate, false for as fast as replies come. */
    public boolean openLoop() {
        return rate > 0;
    }

    // A bulk transfer has no requests to pipeline or pace: each connection's thread writes as fast as it can.
    private static void checkBulk(Endpoint endpoint, int depth, int size, long rate, int threads, boolean busyPoll) {
        String why = "; in discard mode each connection writes raw bytes on a thread of its own, as fast as the"
                + " server takes them";
        if (endpoint.kind() == Endpoint.Kind.UDP) {
            throw new IllegalArgumentException("--mode discard needs a stream, tcp://HOST:PORT or unix:/PATH, not "
                    + endpoint + ": UDP would drop what the server cannot take, without a word");
        }
        if (depth != 1) {
            throw new IllegalArgumentException("--depth does not apply to --mode discard" + why);
        }
        if (rate != 0) {
            throw new IllegalArgumentException("--rate does not apply to --mode discard" + why);
        }
        if (threads != 1) {
            throw new IllegalArgumentException("--threads does not apply to --mode discard" + why);
        }
        if (busyPoll) {
            throw new IllegalArgumentException("--busy-poll does not apply to --mode discard" + why
                    + ", blocking until it does");
        }
        atLeast("--size", size, 1);
    }

    // Churn opens one stream connection at a time per loop, asks one question on it and closes it.
    private static void checkChurn(Endpoint endpoint, Mode mode, int depth, long rate, int threads, boolean busyPoll) {
        String why = "; in churn mode each loop sends one request per connection, on a thread of its own, blocking";
        if (endpoint.kind() != Endpoint.Kind.TCP && endpoint.kind() != Endpoint.Kind.UNIX) {
            throw new IllegalArgumentException("--churn opens stream connections, tcp://HOST:PORT or unix:/PATH, not "
                    + endpoint);
        }
        if (mode == Mode.DISCARD) {
            throw new IllegalArgumentException("--churn awaits a reply to each connection's request; use --mode ack or echo");
        }
        if (depth != 1) {
            throw new IllegalArgumentException("--depth does not apply to --churn" + why);
        }
        if (rate != 0) {
            throw new IllegalArgumentException("--rate does not apply to --churn" + why);
        }
        if (threads != 1) {
            throw new IllegalArgumentException("--threads does not apply to --churn" + why);
        }
        if (busyPoll) {
            throw new IllegalArgumentException("--busy-poll does not apply to --churn" + why);
        }
    }

    private static void atLeast(String option, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(option + " must be at least " + min + ", not " + value);
        }
    }
}
