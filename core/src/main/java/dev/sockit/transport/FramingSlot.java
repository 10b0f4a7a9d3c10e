package dev.sockit.transport;

import dev.sockit.CloseReason;
import dev.sockit.Message;
import java.nio.ByteBuffer;
import dev.sockit.framing.Framing;

/**
 * The framing a stream connection speaks, which an {@link Opening} chooses: until then it
 * says nothing (no farewell, no ping), so that a peer refused during a WebSocket upgrade is
 * not sent a close frame it never agreed to. The parts of the connection ({@link Output},
 * {@link Pusher}, {@link Closer}) hold the slot, not the framing, and so follow the swap.
 */
final class FramingSlot implements Framing {

    // Before the opening chose: what is written then is the opening's own bytes, never a message.
    private static final Framing UNOPENED = new Silent("still opening", reason -> null);

    private volatile Framing current;
    // The step that chooses the framing (the WebSocket upgrade), until it has: kept here, where
    // the connection looks for it, rather than in a field of every connection.
    private Opening opening;
    // Set once the framing's end of output went out: its close was said, and is not said twice.
    private volatile boolean outputEnded;

    FramingSlot(Framing framing) {
        this.current = framing;
    }

    /** A slot waiting for {@code opening} to choose. */
    static FramingSlot unopened(Opening opening) {
        FramingSlot slot = new FramingSlot(UNOPENED);
        slot.opening = opening;
        return slot;
    }

    /** The step that chooses the framing, until it has chosen; null when there is none. By the reader. */
    Opening opening() {
        return opening;
    }

    boolean opened() {
        return current != UNOPENED;
    }

    void choose(Framing framing) {
        current = framing;
        opening = null;
    }

    Framing current() {
        return current;
    }

    @Override
    public String name() {
        return current.name();
    }

    @Override
    public Decoder decoder() {
        return current.decoder();
    }

    @Override
    public Decoder decoder(Control control) {
        return current.decoder(control);
    }

    @Override
    public int encodedLength(Message message) {
        return current.encodedLength(message);
    }

    @Override
    public void encode(Message message, ByteBuffer out) {
        current.encode(message, out);
    }

    @Override
    public byte[] greeting() {
        return current.greeting();
    }

    @Override
    public byte[] farewell(CloseReason reason) {
        return outputEnded ? null : current.farewell(reason);
    }

    @Override
    public byte[] endOfOutput() {
        return current.endOfOutput();
    }

    /** The end of output was written: no farewell follows it. */
    void outputEnded() {
        outputEnded = true;
    }

    @Override
    public boolean canPing() {
        return current.canPing();
    }

    @Override
    public byte[] ping(byte[] payload) {
        return current.ping(payload);
    }

    @Override
    public byte[] pong(byte[] payload) {
        return current.pong(payload);
    }
}
