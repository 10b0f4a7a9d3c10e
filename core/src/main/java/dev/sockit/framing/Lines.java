package dev.sockit.framing;

import dev.sockit.CloseReason;
import dev.sockit.Message;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The {@code lines} framing: each message is one UTF-8 line ended by {@code \n} or
 * {@code \r\n}; sent messages end with {@code \n}. A line longer than the limit is refused as
 * soon as the limit is passed, before the rest arrives, and the peer is told in one line:
 * {@code error: line longer than 65536 bytes}.
 *
 * <p>Splitting on the byte {@code \n} is safe for UTF-8: no byte of a multi-byte character
 * is below 0x80, so a character cut across two reads is simply joined before it is decoded.
 * A last line without a terminator is delivered at end of stream, as {@code nc} sends it.
 *
 * <pre>{@code Server.listen(endpoint).framing(Lines.maxLength(1024))}</pre>
 */
public final class Lines implements Framing {

    /** The default limit on a line's length, terminator excluded: 64 KiB. */
    public static final int DEFAULT_MAX_LENGTH = 64 * 1024;

    private static final Lines DEFAULTS = new Lines(DEFAULT_MAX_LENGTH);
    private final int maxLength;

    private Lines(int maxLength) {
        if (maxLength < 1) {
            throw new IllegalArgumentException("line limit must be at least 1 byte, not " + maxLength);
        }
        this.maxLength = maxLength;
    }

    /** {@return lines of at most {@value #DEFAULT_MAX_LENGTH} bytes} */
    public static Lines defaults() {
        return DEFAULTS;
    }

    /**
     * Lines of at most {@code maxLength} bytes, not counting the terminator.
     *
     * @param maxLength the longest line accepted, in bytes of UTF-8, terminator excluded
     * @return lines with that limit
     * @throws IllegalArgumentException when {@code maxLength} is below 1
     */
    public static Lines maxLength(int maxLength) {
        return maxLength == DEFAULT_MAX_LENGTH ? DEFAULTS : new Lines(maxLength);
    }

    /** {@return the limit on a line's length in bytes, terminator excluded} */
    public int maxLength() {
        return maxLength;
    }

    @Override
    public String name() {
        return "lines";
    }

    @Override
    public Decoder decoder() {
        return new LineDecoder(maxLength);
    }

    @Override
    public int encodedLength(Message message) {
        return message.length() + 1;
    }

    @Override
    public void encode(Message message, ByteBuffer out) {
        message.writeTo(out);
        out.put((byte) '\n');
    }

    @Override
    public byte[] farewell(CloseReason reason) {
        return reason.isError() ? ("error: " + reason.text() + "\n").getBytes(StandardCharsets.UTF_8) : null;
    }

    @Override
    public String toString() {
        return "lines (max " + maxLength + " bytes)";
    }

    private static final class LineDecoder implements Decoder {
        private final int maxLength;
        // Where the search for '\n' resumes, relative to the buffer's position: bytes before
        // it were searched by an earlier call, so a long line is scanned once, not per read.
        private int scanned;

        LineDecoder(int maxLength) {
            this.maxLength = maxLength;
        }

        @Override
        public Message decode(ByteBuffer in) throws FramingException {
            int start = in.position();
            int limit = in.limit();
            int newline = indexOfNewline(in, start + scanned, limit);
            if (newline < 0) {
                scanned = limit - start;
                // Past the limit the line is too long now, not when its end arrives. The one
                // exception: a '\r' just after the limit may be the start of a "\r\n" terminator.
                if (scanned > maxLength && !(scanned == maxLength + 1 && in.get(limit - 1) == '\r')) {
                    throw new MessageTooLongException("line", maxLength);
                }
                return null;
            }
            scanned = 0;
            int end = newline > start && in.get(newline - 1) == '\r' ? newline - 1 : newline;
            if (end - start > maxLength) {
                throw new MessageTooLongException("line", maxLength);
            }
            Message line = Message.copyOf(in, start, end - start);
            in.position(newline + 1);
            return line;
        }

        @Override
        public Message finish(ByteBuffer in) throws FramingException {
            int length = in.remaining();
            if (length == 0) {
                return null;
            }
            int end = in.limit();
            if (in.get(end - 1) == '\r') {
                end--;
            }
            // Measured without the stray '\r', as decode() measures a line without its "\r\n".
            if (end - in.position() > maxLength) {
                throw new MessageTooLongException("line", maxLength);
            }
            Message line = Message.copyOf(in, in.position(), end - in.position());
            in.position(in.limit());
            scanned = 0;
            return line;
        }

        private static int indexOfNewline(ByteBuffer in, int from, int limit) {
            if (in.hasArray()) {
                int offset = in.arrayOffset();
                int found = NewlineScanner.indexOf(in.array(), offset + from, offset + limit);
                return found < 0 ? -1 : found - offset;
            }
            return NewlineScanner.indexOf(in, from, limit);
        }
    }
}
