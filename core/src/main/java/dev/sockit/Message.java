package dev.sockit;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * One unit of application data: a line, a frame's payload, a datagram, a WebSocket message.
 * The bytes are what travelled; {@link #text()} reads them as UTF-8, replacing malformed
 * sequences with U+FFFD. A message is text unless it says it is {@linkplain #isBinary()
 * binary}, which only WebSocket tells apart on the wire (its text and binary opcodes): an echo
 * of a binary WebSocket message goes back binary. Immutable; equal when the bytes and the
 * kind are.
 *
 * <pre>{@code
 * connection.send(Message.of("hello"));
 * String text = connection.receive().text();
 * }</pre>
 */
public final class Message {

    private final byte[] bytes;
    private final boolean binary;
    private String text;

    private Message(byte[] bytes, String text) {
        this(bytes, text, false);
    }

    private Message(byte[] bytes, String text, boolean binary) {
        this.bytes = bytes;
        this.text = text;
        this.binary = binary;
    }

    /**
     * {@return a text message holding the UTF-8 bytes of {@code text}}
     *
     * @param text the text; not null
     */
    public static Message of(String text) {
        return new Message(text.getBytes(UTF_8), text);
    }

    /**
     * {@return a text message holding a copy of {@code bytes}}, which need not be UTF-8.
     *
     * @param bytes the bytes; not null
     */
    public static Message of(byte[] bytes) {
        return new Message(bytes.clone(), null);
    }

    /**
     * A binary message holding a copy of {@code bytes}: over WebSocket it travels as a binary
     * message, not text; other framings carry the bytes the same either way.
     *
     * @param bytes the bytes; not null
     * @return the message
     */
    public static Message binary(byte[] bytes) {
        return new Message(bytes.clone(), null, true);
    }

    /** {@return true for a binary message (a WebSocket binary message), false for text} */
    public boolean isBinary() {
        return binary;
    }

    /** {@return this message's bytes as a binary message} The bytes are shared, not copied: both are immutable. */
    public Message asBinary() {
        return binary ? this : new Message(bytes, null, true);
    }

    /**
     * A message holding a copy of {@code length} bytes of {@code buffer} from {@code offset},
     * without moving the buffer's position. This is how decoders cut messages out of a
     * connection's reused read buffer.
     *
     * @param buffer the buffer to copy from; its position and limit are not changed
     * @param offset the index of the first byte, absolute
     * @param length how many bytes
     * @return a text message holding the copy
     * @throws IndexOutOfBoundsException when the range is not within the buffer's limit
     */
    public static Message copyOf(ByteBuffer buffer, int offset, int length) {
        if (buffer.hasArray()) {
            // Arrays.copyOfRange is compiled to an allocation without zeroing, then one copy.
            int from = buffer.arrayOffset() + offset;
            Objects.checkFromIndexSize(offset, length, buffer.limit());
            return new Message(Arrays.copyOfRange(buffer.array(), from, from + length), null);
        }
        byte[] copy = new byte[length];
        buffer.get(offset, copy);
        return new Message(copy, null);
    }

    /**
     * A message of {@code prefix} followed by this message's bytes, exactly as they are: how
     * a relay labels what it passes on without decoding it, so that bytes that are not valid
     * UTF-8 arrive as they were sent, not replaced.
     *
     * @param prefix the bytes to put first
     * @return the joined message, of this message's kind
     */
    public Message prefixed(byte[] prefix) {
        byte[] joined = Arrays.copyOf(prefix, prefix.length + bytes.length);
        System.arraycopy(bytes, 0, joined, prefix.length, bytes.length);
        return new Message(joined, null, binary);
    }

    /** {@return the number of bytes} */
    public int length() {
        return bytes.length;
    }

    /** {@return a copy of the bytes} */
    public byte[] bytes() {
        return bytes.clone();
    }

    /**
     * Puts the bytes into {@code out}, without copying them first.
     *
     * @param out a buffer in write mode with at least {@link #length()} bytes remaining
     * @throws java.nio.BufferOverflowException when {@code out} has not that room
     */
    public void writeTo(ByteBuffer out) {
        out.put(bytes);
    }

    /** {@return the bytes read as UTF-8}; malformed input is replaced, never an error. */
    public String text() {
        String t = text;
        if (t == null) {
            t = new String(bytes, UTF_8);
            text = t;
        }
        return t;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Message m && binary == m.binary && Arrays.equals(bytes, m.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes) + (binary ? 1 : 0);
    }

    /** The text, for logs and test failures. */
    @Override
    public String toString() {
        return text();
    }
}
