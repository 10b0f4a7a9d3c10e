package dev.sockit;

/**
 * The application: what to do with one connection, written as a plain blocking loop. The
 * server runs each connection's handler on a virtual thread of its own, so blocking costs
 * little; when {@code handle} returns, the connection is closed.
 *
 * <pre>{@code
 * Handler shout = connection -> {
 *     for (Message m; (m = connection.receive()) != null; ) {
 *         connection.send(m.text().toUpperCase());
 *     }
 * };
 * }</pre>
 *
 * <p>Exceptions end the connection: a {@link dev.sockit.framing.FramingException} closes it
 * with the framing's error to the peer, an {@link java.io.IOException} as broken, anything
 * else is logged as a bug in the handler. None of them disturbs other connections.
 */
@FunctionalInterface
public interface Handler {

    /**
     * Serves one connection until the peer leaves or the work is done, on the connection's own
     * virtual thread; the connection is closed when it returns.
     *
     * @param connection the connection to serve
     * @throws Exception anything; it ends this connection only, as said above
     */
    void handle(Connection connection) throws Exception;
}
