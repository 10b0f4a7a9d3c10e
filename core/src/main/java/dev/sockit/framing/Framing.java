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

    /** {@return the framing's name as the command line writes it: {@code lines}, {@code raw}} */
    String name();

    /** {@return a new decoder for one connection's incoming bytes}; a decoder keeps state and is used by one thread. */
    Decoder decoder();

    /**
     * {@return how many bytes {@link #encode} will write for this message}
     *
     * @param message the message to be sent; not null
     */
    int encodedLength(Message message);

    /**
     * Writes the message, framed, into {@code out}, which has at least
     * {@link #encodedLength(Message)} bytes remaining.
     *
     * @param message the message to write; not null
     * @param out     the buffer to write into, in write mode; its position advances past the frame
     */
    void encode(Message message, ByteBuffer out);

    /**
     * A new decoder that reports control frames (ping, pong, close) to {@code control} as it
     * meets them, between the messages it returns. Framings without control frames ignore it.
     *
     * @param control told of each control frame, on the thread that decodes
     * @return a decoder for one connection
     */
    default Decoder decoder(Control control) {
        return decoder();
    }

    /** {@return the bytes each side sends first, before any message (a version handshake), or {@code null}} */
    default byte[] greeting() {
        return null;
    }

    /**
     * The last bytes to send before closing for this reason, or {@code null} for none. Lines
     * tell the peer about errors in one {@code error: ...} line; a framing with control frames
     * sends its close frame.
     *
     * @param reason why the connection closes
     * @return the bytes to send, or {@code null}
     */
    default byte[] farewell(CloseReason reason) {
        return null;
    }

    /**
     * The bytes that tell the peer this side sends nothing more, for a framing that says so
     * itself (WebSocket: a close frame, which the peer answers with its own once it has sent
     * the rest); null when a half-close of the stream says it (TCP's FIN), the default.
     *
     * @return the bytes to send, or {@code null}
     */
    default byte[] endOfOutput() {
        return null;
    }

    /** {@return true when the framing can ping the peer}, so that a heartbeat can expect an answer. */
    default boolean canPing() {
        return false;
    }

    /**
     * {@return a ping carrying {@code payload}} The peer answers with a pong carrying it back.
     *
     * @param payload the bytes to carry, at most what one control frame holds (125 for WebSocket)
     * @throws UnsupportedOperationException when {@link #canPing()} is false
     */
    default byte[] ping(byte[] payload) {
        throw new UnsupportedOperationException(name() + " framing has no ping");
    }

    /**
     * {@return the pong that answers a ping that carried {@code payload}}
     *
     * @param payload the ping's payload, carried back unchanged
     * @throws UnsupportedOperationException when {@link #canPing()} is false
     */
    default byte[] pong(byte[] payload) {
        throw new UnsupportedOperationException(name() + " framing has no pong");
    }

    /**
     * What a decoder reports besides messages. The connection answers pings, times pongs and
     * records the peer's close reason; handlers never see control frames.
     */
    interface Control {
        /**
         * The peer pinged; answer with {@link Framing#pong}.
         *
         * @param payload the ping's payload
         */
        default void pinged(byte[] payload) {}

        /**
         * The peer answered a ping of ours.
         *
         * @param payload the payload our ping carried
         */
        default void ponged(byte[] payload) {}

        /**
         * The peer is closing; end of stream follows.
         *
         * @param code   the close code the peer sent ; 1005 ({@code NO_STATUS}) when a WebSocket close frame carried none
         * @param reason the reason the peer gave, possibly empty
         */
        default void closing(int code, String reason) {}
    }

    /** Turns one connection's incoming bytes into messages. Not thread-safe: one reader at a time. */
    interface Decoder {

        /**
         * Takes the next whole message from {@code in} (read mode) and advances its position
         * past it; leaves an incomplete message where it is and returns {@code null}.
         *
         * @param in the bytes received and not yet decoded, in read mode
         * @return the message, or {@code null} when {@code in} holds no whole one yet
         * @throws FramingException when the bytes break the framing, for instance a message
         *     over the limit; the decoder is then unusable
         */
        Message decode(ByteBuffer in) throws FramingException;

        /**
         * Called once at end of stream with what is left: returns the last, unterminated
         * message if the framing accepts one, else {@code null}.
         *
         * @param in the bytes left undecoded, in read mode
         * @return the last message, or {@code null}
         * @throws FramingException when the stream ended inside a message that cannot be whole
         */
        default Message finish(ByteBuffer in) throws FramingException {
            return null;
        }
    }
}
