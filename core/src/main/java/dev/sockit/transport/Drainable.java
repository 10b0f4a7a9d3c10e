package dev.sockit.transport;

import dev.sockit.CloseReason;
import dev.sockit.Connection;
import dev.sockit.MessageHandler;
import java.io.IOException;

/**
 * A connection as its server sees it: one it can drain when stopping, and ask afterwards why
 * {@link Connection#receive()} ended, so that the close is logged with the right reason.
 */
public interface Drainable extends Connection {

    /**
     * Starts the conversation (a TLS handshake, a framing's greeting, the heartbeat); called
     * once, on the connection's own thread, before the handler runs.
     *
     * @throws IOException when the connection cannot start, e.g. its TLS handshake failed
     */
    default void start() throws IOException {}

    /**
     * Stops taking input for a graceful shutdown: {@link #receive()} returns what has already
     * arrived, then end of stream, so the handler finishes its loop and its replies go out.
     * The connection then closes with {@code reason}.
     */
    void drain(CloseReason reason);

    /**
     * A stop's last resort, once the drain timeout has passed: closes with {@code reason}, on a
     * thread of its own (a close may wait for a peer that does not read), and interrupts the
     * handler's thread, for a handler that waits on anything but this connection.
     */
    default void cutOff(CloseReason reason) {
        Thread.ofVirtual().name("sockit-stop-" + id()).start(() -> close(reason));
        Thread handler = handlerThread();
        if (handler != null) {
            handler.interrupt();
        }
    }

    /** Why receive() ended before the peer ended it (a drain, an idle session), or null. */
    CloseReason drainReason();

    /** True once the peer ended its stream (or the connection was closed under the reader). */
    boolean endOfStream();

    /**
     * Records the thread that runs this connection's handler, for a server that must tell its
     * handlers' threads from others and interrupt them at a stop. Kept on the connection rather
     * than in a map of the server's: an entry and a boxed id less for each idle connection.
     */
    void handlerThread(Thread thread);

    /** The thread given to {@link #handlerThread(Thread)}, or null. */
    Thread handlerThread();

    /**
     * Serves {@code handler} message by message on the calling thread. Returns true once the
     * connection's input ended (as {@link MessageHandler#handle} returns), or false when the
     * connection went to wait without a thread in its server's {@link WaitingRoom}: the
     * calling thread must then leave it alone and end, and the room has the server call this
     * again on a new thread when the connection is needed. This default never waits there.
     *
     * @throws Exception what the handler or {@link #receive()} threw
     */
    default boolean serveEach(MessageHandler handler) throws Exception {
        handler.handle(this);
        return true;
    }
}
