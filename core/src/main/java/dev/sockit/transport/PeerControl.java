package dev.sockit.transport;

import dev.sockit.CloseReason;
import dev.sockit.framing.Frames;
import dev.sockit.framing.Framing;
import java.io.IOException;
import java.util.function.BooleanSupplier;

/**
 * What a stream connection's decoder reports besides messages, answered here and never seen
 * by handlers: a ping is answered with a pong, a pong times the round trip, a peer's close is
 * kept as its farewell (which ends the reader's {@code receive()}).
 */
final class PeerControl implements Framing.Control {

    private final FramingSlot framing;
    private final Output output;
    private final Pusher pusher;
    private final Intake intake;
    private final Watchdogs watchdogs;
    // True on the connection's reader thread, the only one that may answer in line.
    private final BooleanSupplier onReader;
    private volatile CloseReason farewell;

    PeerControl(FramingSlot framing, Output output, Pusher pusher, Intake intake, Watchdogs watchdogs,
            BooleanSupplier onReader) {
        this.framing = framing;
        this.output = output;
        this.pusher = pusher;
        this.intake = intake;
        this.watchdogs = watchdogs;
        this.onReader = onReader;
    }

    /** The peer's reason for closing, as it gave it; null until it closes. */
    CloseReason farewell() {
        return farewell;
    }

    @Override
    public void pinged(byte[] payload) {
        byte[] pong = framing.pong(payload);
        if (onReader.getAsBoolean() && output.tryLockNow()) {
            // The reader met the ping: its pong goes before the replies to what follows
            // it, as the peer expects (a ping between fragments is answered first).
            try {
                pusher.moveLocked();
                output.put(pong, intake.quiet());
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
        watchdogs.ponged(payload);
    }

    @Override
    public void closing(int code, String reason) {
        // The peer's words as it meant them (its code's kind, its reason), for whoever shows them.
        farewell = CloseReason.of(Frames.reasonCode(code),
                reason.isEmpty() ? "code " + code + " (" + Frames.closeCodeName(code) + ")" : reason);
    }
}
