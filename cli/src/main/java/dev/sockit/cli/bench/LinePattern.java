package dev.sockit.cli.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.ByteBuffer;

/**
 * The lines a load generator sends, or expects back, without storing each one: line
 * {@code i} is {@code size} bytes of a base pattern starting at {@code i & variantMask},
 * followed by {@code '\n'}. Requests cycle through 16 variants so that an echo server that
 * loses, repeats or reorders replies is caught; an ack reply has one variant.
 *
 * <p>The base is one direct buffer of {@code size + 15} bytes, however large the line, so a
 * 1 MiB payload costs 1 MiB, not 16. Not thread-safe: the checker and writer move its
 * position and limit, so each event loop works on its own {@link #copy()}.
 */
final class LinePattern {

    /** How many distinct request lines cycle; a power of two, so the variant is a mask. */
    static final int REQUEST_VARIANTS = 16;

    private static final byte[] ALPHABET =
            "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".getBytes(UTF_8);

    private final ByteBuffer base;
    private final int size;
    private final int variantMask;
    // Before each line's bytes: nothing, or a WebSocket frame header (every line has the same size).
    private final byte[] prefix;
    private final boolean newline;

    private LinePattern(ByteBuffer base, int size, int variantMask) {
        this(base, size, variantMask, new byte[0], true);
    }

    private LinePattern(ByteBuffer base, int size, int variantMask, byte[] prefix, boolean newline) {
        this.base = base;
        this.size = size;
        this.variantMask = variantMask;
        this.prefix = prefix;
        this.newline = newline;
    }

    /**
     * These lines as a WebSocket client sends them: each one a text frame, its bytes after the
     * frame header, without the newline. The mask key is zero (a key the RFC allows: masking
     * is there against proxies that cache, not a secret), so the bytes need no masking pass.
     */
    LinePattern framed() {
        byte[] header = size < 126 ? new byte[] {(byte) 0x81, (byte) (0x80 | size), 0, 0, 0, 0}
                : size < 65536 ? new byte[] {(byte) 0x81, (byte) (0x80 | 126), (byte) (size >>> 8), (byte) size, 0, 0, 0, 0}
                : new byte[] {(byte) 0x81, (byte) (0x80 | 127), 0, 0, 0, 0, (byte) (size >>> 24), (byte) (size >>> 16),
                        (byte) (size >>> 8), (byte) size, 0, 0, 0, 0};
        return new LinePattern(base, size, variantMask, header, false);
    }

    /** Request lines of {@code size} printable ASCII bytes each, in 16 variants. */
    static LinePattern requests(int size) {
        ByteBuffer base = ByteBuffer.allocateDirect(size + REQUEST_VARIANTS - 1);
        for (int i = 0; i < base.capacity(); i++) {
            base.put(i, ALPHABET[i % ALPHABET.length]);
        }
        return new LinePattern(base, size, REQUEST_VARIANTS - 1);
    }

    /** One fixed line, as an ack server answers every request. */
    static LinePattern fixed(String text) {
        byte[] bytes = text.getBytes(UTF_8);
        ByteBuffer base = ByteBuffer.allocateDirect(bytes.length).put(bytes).clear();
        return new LinePattern(base, bytes.length, 0);
    }

    /** The same lines over buffers of its own, for one thread. */
    LinePattern copy() {
        return new LinePattern(base.duplicate().clear(), size, variantMask, prefix, newline);
    }

    /** Bytes in a line before its newline. */
    int size() {
        return size;
    }

    /** Bytes in a line as sent: frame header or newline included. */
    int length() {
        return prefix.length + size + (newline ? 1 : 0);
    }

    /** Where line {@code index} starts in the base. */
    int start(long index) {
        return (int) (index & variantMask);
    }

    /** The base buffer; callers address it absolutely, or set position and limit and restore them. */
    ByteBuffer base() {
        return base;
    }

    /**
     * Appends bytes {@code [from, from + n)} of line {@code index} to {@code out}; {@code n}
     * must fit in {@code out}. The newline is the line's last byte.
     */
    void copyTo(long index, int from, int n, ByteBuffer out) {
        int end = from + n;
        if (from < prefix.length) {
            int head = Math.min(end, prefix.length) - from;
            out.put(prefix, from, head);
            from += head;
        }
        int payloadFrom = from - prefix.length;
        int payload = Math.min(end, prefix.length + size) - from;
        if (payload > 0) {
            out.put(out.position(), base, start(index) + payloadFrom, payload);
            out.position(out.position() + payload);
        }
        if (newline && end > prefix.length + size) {
            out.put((byte) '\n');
        }
    }

    /** Line {@code index} as text without its newline, cut to {@code max} characters, for error messages. */
    String text(long index, int max) {
        byte[] bytes = new byte[Math.min(size, max)];
        base.get(start(index), bytes);
        return new String(bytes, UTF_8) + (size > max ? "…" : "");
    }
}
