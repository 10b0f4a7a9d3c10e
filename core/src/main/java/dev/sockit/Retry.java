package dev.sockit;

import dev.sockit.transport.DatagramConnection;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Objects;

/**
 * Request and reply over UDP, which loses datagrams without telling anyone: sends the
 * request, waits for a reply, and sends it again when none came in time, a bounded number of
 * times; then says plainly that no reply came. Immutable; share one.
 *
 * <pre>{@code
 * try (Connection udp = Client.connect(Endpoint.parse("udp://127.0.0.1:8001")).open()) {
 *     Message reply = Retry.defaults().attempts(5).request(udp, Message.of("hello"));
 * } catch (NoReplyException e) {
 *     System.err.println(e.getMessage());   // no reply from udp://127.0.0.1:8001 to 5 attempts, 1 s each (...)
 * }
 * }</pre>
 *
 * <p>The first datagram to arrive is the reply. Without ids in the messages, a reply that
 * comes after its attempt gave up is taken as the reply to whatever is asked next; a request
 * may also reach the server more than once, so retry only what is safe to repeat.
 */
public final class Retry {

    /** Attempts unless told otherwise: the first send and two more. */
    public static final int DEFAULT_ATTEMPTS = 3;

    /** How long each attempt waits for a reply unless told otherwise: 1 s. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);

    private static final Retry DEFAULTS = new Retry(DEFAULT_ATTEMPTS, DEFAULT_TIMEOUT);

    private final int attempts;
    private final Duration timeout;

    private Retry(int attempts, Duration timeout) {
        this.attempts = attempts;
        this.timeout = timeout;
    }

    /** {@return {@value #DEFAULT_ATTEMPTS} attempts of 1 s each} */
    public static Retry defaults() {
        return DEFAULTS;
    }

    /**
     * The same, with {@code attempts} sends in all (1: no retry).
     *
     * @param attempts at least 1
     * @return a copy with that many attempts
     * @throws IllegalArgumentException when {@code attempts} is below 1
     */
    public Retry attempts(int attempts) {
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be at least 1 (the first send), not " + attempts);
        }
        return new Retry(attempts, timeout);
    }

    /**
     * The same, waiting {@code timeout} for each attempt's reply.
     *
     * @param timeout a positive duration
     * @return a copy with that timeout
     * @throws IllegalArgumentException when {@code timeout} is not positive
     */
    public Retry timeout(Duration timeout) {
        if (Objects.requireNonNull(timeout, "timeout").isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, not " + timeout);
        }
        return new Retry(attempts, timeout);
    }

    /** {@return how many sends in all} */
    public int attempts() {
        return attempts;
    }

    /** {@return how long each attempt waits for its reply} */
    public Duration timeout() {
        return timeout;
    }

    /**
     * Sends {@code request} and returns the first message that comes back, sending again
     * after each timeout until the attempts are used up.
     *
     * @param connection a UDP connection from {@link Client#open()}
     * @param request    the message to send, the same each attempt
     * @return the first message received after a send; it may answer an earlier attempt
     * @throws NoReplyException when no reply came to any attempt; the connection stays open
     * @throws ClosedConnectionException when the connection closed meanwhile
     * @throws IllegalArgumentException when {@code connection} is not UDP: a stream does not
     *     lose messages, and its receive cannot time out without closing it
     * @throws IOException when sending fails
     */
    public Message request(Connection connection, Message request) throws IOException {
        if (!(connection instanceof DatagramConnection datagrams)) {
            throw new IllegalArgumentException("Retry is for UDP, which loses datagrams; " + connection + " is "
                    + connection.protocol() + ", which does not: send and receive on it instead");
        }
        for (int attempt = 1; attempt <= attempts; attempt++) {
            datagrams.send(request);
            try {
                Message reply = datagrams.receive(timeout);
                if (reply == null) {
                    CloseReason reason = connection.closeReason();
                    throw new ClosedConnectionException(connection.toString(), reason != null ? reason : CloseReason.closed());
                }
                return reply;
            } catch (SocketTimeoutException noReplyYet) {
                // Lost on the way there or back, or the server is slow: the loop sends again.
            }
        }
        throw new NoReplyException(datagrams.describeRemote(), attempts, timeout, datagrams.peerUnreachable());
    }

    @Override
    public String toString() {
        return attempts + " attempts of " + timeout;
    }
}
