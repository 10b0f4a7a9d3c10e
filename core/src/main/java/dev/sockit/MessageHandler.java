package dev.sockit;

/**
 * A {@link Handler} written for one message at a time: {@link #onMessage} is called for each
 * message the peer sends, in order, and the connection closes when the peer ends (or the
 * server stops) as with any handler. The loop is the server's, not the application's, so
 * between messages the server may let the connection wait without a thread of its own: a
 * TCP or WebSocket connection whose peer has said nothing for a second waits in the server's
 * waiting room (one selector for all), and a new virtual thread serves its next message. An idle
 * TCP connection then holds about half the memory (1,184 B of heap against 2,224 B at 19,000;
 * docs/performance.md, "Idle connections").
 *
 * <pre>{@code
 * MessageHandler shout = (connection, message) -> connection.send(message.text().toUpperCase());
 * Server.listen(endpoint).handler(shout).start();
 * }</pre>
 *
 * <p>{@link Handlers#ack} and {@link Handlers#echo} are written so. Anything that must live
 * across messages lives outside the call (a field, a map keyed by connection), since a
 * waiting connection has no stack; {@link Connection#send} from other threads (push) works
 * the same while it waits. Called on any thread, never on two at once for one connection.
 * Exceptions end the connection as {@link Handler}'s say. A server that measures handler time
 * ({@code Server.Builder.handlerTiming}) serves it as a plain loop, with its thread.
 */
@FunctionalInterface
public interface MessageHandler extends Handler {

    /**
     * Handles one message from {@code connection}'s peer: answer it, push it elsewhere, or
     * close the connection.
     *
     * @param connection the connection it came on
     * @param message    the message
     * @throws Exception anything; it ends this connection only, as {@link Handler} says
     */
    void onMessage(Connection connection, Message message) throws Exception;

    /**
     * The loop a server runs when it keeps the thread: {@link #onMessage} for every message
     * until the peer ends.
     */
    @Override
    default void handle(Connection connection) throws Exception {
        for (Message message; (message = connection.receive()) != null; ) {
            onMessage(connection, message);
        }
    }
}
