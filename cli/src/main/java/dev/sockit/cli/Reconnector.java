package dev.sockit.cli;

import dev.sockit.Backoff;
import dev.sockit.Client;
import dev.sockit.CloseReason;
import dev.sockit.Connection;
import dev.sockit.Endpoint;
import java.io.IOException;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * The client's {@code --reconnect}: connects again with exponential backoff and jitter
 * ({@link Backoff#exponential()}: 250 ms, ×2, at most 10 s, ±50%), saying each step in one
 * line: {@code sockit: connection lost (server closed the connection); reconnecting in 0.4s
 * (attempt 1)…}, then {@code sockit: reconnected to tcp://…}. Gives up after
 * {@code --reconnect-max} attempts in a row, if set.
 */
final class Reconnector {

    private final Client client;
    private final Endpoint endpoint;
    private final Backoff backoff;
    private final int maxAttempts;
    private java.util.function.UnaryOperator<Connection> decorate = java.util.function.UnaryOperator.identity();

    /** {@code maxAttempts}: attempts in a row before giving up; 0 for never. */
    Reconnector(Client client, Endpoint endpoint, Backoff backoff, int maxAttempts) {
        this.client = client;
        this.endpoint = endpoint;
        this.backoff = backoff;
        this.maxAttempts = maxAttempts;
    }

    /** Wraps each connection made, the first and every new one (a hex dump sees them all). */
    Reconnector decorate(java.util.function.UnaryOperator<Connection> decorate) {
        this.decorate = decorate;
        return this;
    }

    /**
     * The first connection: tries at once, then again until it succeeds.
     *
     * @throws IOException after {@code maxAttempts} failures, with the last one's reason
     */
    Connection first(Consumer<String> say) throws IOException, InterruptedException {
        try {
            return decorate.apply(client.open());
        } catch (IOException e) {
            return retry(e.getMessage(), "retrying", "connected to ", say);
        }
    }

    /**
     * A new connection after {@code lost}, a phrase such as {@code connection lost (server
     * closed the connection)}; see {@link #lost(Connection)}.
     *
     * @throws IOException after {@code maxAttempts} failures, with the last one's reason
     */
    Connection after(String lost, Consumer<String> say) throws IOException, InterruptedException {
        return retry(lost, "reconnecting", "reconnected to ", say);
    }

    private Connection retry(String why, String doing, String done, Consumer<String> say)
            throws IOException, InterruptedException {
        backoff.reset();
        for (;;) {
            if (maxAttempts > 0 && backoff.attempts() >= maxAttempts) {
                throw new IOException("gave up on " + endpoint + " after " + maxAttempts + " attempt"
                        + (maxAttempts == 1 ? "" : "s") + " (--reconnect-max): " + why);
            }
            Duration delay = backoff.next();
            say.accept("sockit: " + why + "; " + doing + " in " + DurationConverter.format(delay) + " (attempt "
                    + backoff.attempts() + ")…");
            Thread.sleep(delay);
            try {
                Connection connection = decorate.apply(client.open());
                say.accept("sockit: " + done + endpoint);
                return connection;
            } catch (IOException e) {
                why = e.getMessage();
            }
        }
    }

    /** Why {@code connection} ended, in a phrase: {@code connection lost (server closed the connection)}. */
    static String lost(Connection connection) {
        CloseReason reason = connection.closeReason();
        if (reason == null) {
            // receive() gave end of stream and nobody closed it here: the server ended its stream.
            return "connection lost (server closed the connection)";
        }
        return "connection lost (" + (reason.code() == CloseReason.Code.PEER_CLOSED ? "server closed the connection"
                : reason.text()) + ")";
    }
}
