package dev.sockit.framing;

import dev.sockit.CloseReason;
import dev.sockit.Message;
import java.nio.ByteBuffer;

/**
 * How a byte stream becomes messages and back. A framing is immutable and shared by every
 * connection; each connection gets its own {@link Decoder}, which may keep state between
 * reads. Framings know nothing of sockets, so they are tested by feeding them buffers.
 *
 * <pre>{@code
 * Framing lines = Lines.maxLength(64 * 1024);
 * Framing.Decoder decoder = lines.decoder();
 * Message first = decoder.decode(ByteBuffer.wrap("a\nb".getBytes(UTF_8)));   // "a"
 * }</pre>
 */
public interface Framing {

    /** The framing's name as the command line writes it: {@code lines}, {@code raw}. */
    String name();

    /** A new decoder for one connection's incoming bytes. */
    Decoder decoder();

    /** How many bytes {@link #encode} will write for this message. */
    int encodedLength(Message message);

    /**
     * Writes the message, framed, into {@code out}, which has at least
     * {@link #encodedLength(Message)} bytes remaining.
     */
    void encode(Message message, ByteBuffer out);

    /**
     * The last message to send before closing for this reason, or {@code null} for none. Lines
     * tell the peer about errors in one {@code error: ...} line; a framing with control frames
     * sends its close frame.
     */
    default Message farewell(CloseReason reason) {
        return null;
    }

    /** Turns one connection's incoming bytes into messages. Not thread-safe: one reader at a time. */
    interface Decoder {

        /**
         * Takes the next whole message from {@code in} (read mode) and advances its position
         * past it; leaves an incomplete message where it is and returns {@code null}.
         *
         * @throws FramingException when the bytes break the framing, for instance a message
         *     over the limit; the decoder is then unusable
         */
        Message decode(ByteBuffer in) throws FramingException;

        /**
         * Called once at end of stream with what is left: returns the last, unterminated
         * message if the framing accepts one, else {@code null}.
         *
         * @throws FramingException when the stream ended inside a message that cannot be whole
         */
        default Message finish(ByteBuffer in) throws FramingException {
            return null;
        }
    }
}
