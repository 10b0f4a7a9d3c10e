package dev.sockit.transport;

import dev.sockit.Message;
import dev.sockit.framing.Frames;
import dev.sockit.framing.Framing;
import dev.sockit.framing.Lines;
import dev.sockit.framing.Raw;
import dev.sockit.websocket.WebSocketFrames;
import java.nio.ByteBuffer;

/**
 * One message's encoding, made once and shared by every connection it is pushed to: a
 * broadcast to 10,000 members encodes its message once, not 10,000 times, and a quiet member's
 * {@link Output} writes it from where it is, with no write buffer of its own (one per member
 * per push was 320 bytes each, most of what a broadcast allocated: docs/performance.md,
 * "Broadcast fan-out").
 *
 * <p>Only the framings whose frame depends on nothing but the message are shared: lines,
 * frames, raw and a server's WebSocket frames. A WebSocket client's frames are each masked
 * with a key of their own, and a framing not of sockit's own may keep state: those encode per
 * connection as before. The last frame made is kept for the next connection that asks (a
 * broadcast asks for one message many times in a row); what another message asks meanwhile
 * replaces it, and the broadcast's next member then encodes again, never wrongly. It is asked
 * only for a push that will be written from the frame itself (nothing waits before it): one
 * that follows other bytes is encoded into the connection's buffer, where a shared frame
 * would only be copied.
 */
final class SharedFrame {

    // A frame larger than this is not kept between pushes (a rare large push would otherwise
    // stay in memory until the next); it is encoded per connection as before.
    static final int MAX_SHARED = 64 * 1024;

    private record Last(Framing framing, Message message, byte[] frame) {}

    private static volatile Last last;

    private SharedFrame() {}

    /**
     * {@return {@code message} as {@code framing} frames it, shared: never to be changed}, or
     * null when this framing's frames are made per connection or the frame is large.
     *
     * @param length the frame's length, {@code framing.encodedLength(message)}, which the caller has
     */
    static byte[] of(Framing framing, Message message, int length) {
        Last kept = last;
        if (kept != null && kept.message == message && kept.framing == framing) {
            return kept.frame;
        }
        if (!alike(framing)) {
            return null;
        }
        if (length > MAX_SHARED) {
            return null;
        }
        byte[] frame = new byte[length];
        framing.encode(message, ByteBuffer.wrap(frame));
        last = new Last(framing, message, frame);
        return frame;
    }

    /** True for the framings whose frame of a message is the same on every connection. */
    private static boolean alike(Framing framing) {
        return framing instanceof Lines || framing instanceof Frames || framing instanceof Raw
                || (framing instanceof WebSocketFrames webSocket && !webSocket.isClient());
    }
}
