package dev.sockit.transport;

import dev.sockit.CloseReason;
import dev.sockit.framing.Frames;
import dev.sockit.framing.Framing;
import java.io.IOException;

/**
 * What a stream connection's decoder reports besides messages, answered here and never seen
 * by handlers: a ping is answered with a pong, a pong times the round trip, a peer's close is
 * kept as its farewell (which ends the reader's {@code receive()}).
 *
 * <p>It reaches the parts it answers through (framing, output, outbox, watchdogs) through its
 * connection, rather than holding each: every idle connection holds one of these.
 */
final class PeerControl implements Framing.Control {

    private final StreamCore connection;
    private volatile CloseReason farewell;

    PeerControl(StreamCore connection) {
        this.connection = connection;
    }

    /** The peer's reason for closing, as it gave it; null until it closes. */
    CloseReason farewell() {
        return farewell;
    }

    @Override
    public void pinged(byte[] payload) {
        byte[] pong = connection.framing.pong(payload);
        Output output = connection.output;
        Pusher pusher = connection.pusher;
        // Only the connection's reader may answer in line.
        if (connection.onReader() && output.tryLockNow()) {
            // The reader met the ping: its pong goes before the replies to what follows
            // it, as the peer expects (a ping between fragments is answered first).
            try {
                pusher.moveLocked();
                output.put(pong, connection.intake.quiet());
                return;
            } catch (IOException e) {
                return; // the write failed: the reader finds out at its next flush
            } finally {
                output.unlock();
            }
        }
        pusher.pushControl(pong);
    }

    @Override
    public void ponged(byte[] payload) {
        connection.watchdogs.ponged(payload);
    }

    @Override
    public void closing(int code, String reason) {
        // The peer's words as it meant them (its code's kind, its reason), for whoever shows them.
        farewell = CloseReason.of(Frames.reasonCode(code),
                reason.isEmpty() ? "code " + code + " (" + Frames.closeCodeName(code) + ")" : reason);
    }
}
