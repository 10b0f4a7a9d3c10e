package dev.sockit.cli.bench;

import java.nio.ByteBuffer;

/**
 * Turns the WebSocket frames a server sends into the lines {@link ReplyChecker} verifies:
 * each frame's header is dropped and a newline put after its payload. A frame may be cut
 * anywhere between reads; what one read holds comes out at once (one byte more at most: a
 * header begun in an earlier read leaves its newline for this one). Pings and pongs are
 * skipped; a close frame, a fragment, a masked or a compressed frame ends the connection.
 */
final class FrameStripper {

    private final byte[] header = new byte[10];
    private int headerHave;
    private long payloadLeft = -1; // -1: between frames
    private boolean skip; // the current payload is a control frame's
    private String failure;

    /** Room {@link #strip} needs in its output for a read of {@code capacity} bytes. */
    static int outputFor(int capacity) {
        return capacity + 1;
    }

    /**
     * Writes the lines the frames in {@code in} (read mode) carry into {@code out}, cleared
     * first and flipped after; false, with {@link #failure()} saying why, when the server sent
     * what a loaded echo server should not.
     */
    boolean strip(ByteBuffer in, ByteBuffer out) {
        out.clear();
        int read = in.position();
        int limit = in.limit();
        while (read < limit) {
            if (payloadLeft < 0) {
                header[headerHave++] = in.get(read++);
                if (headerHave < headerNeeded()) {
                    continue;
                }
                int opcode = header[0] & 0x0F;
                if (opcode == 0x8) {
                    failure = "closed by the server (a WebSocket close frame)";
                    return false;
                }
                if ((header[1] & 0x80) != 0 || (header[0] & 0x80) == 0 || (header[0] & 0x70) != 0) {
                    failure = "the server sent a masked, fragmented or compressed frame";
                    return false;
                }
                payloadLeft = length();
                skip = opcode == 0x9 || opcode == 0xA;
                headerHave = 0;
            }
            int n = (int) Math.min(payloadLeft, limit - read);
            if (!skip) {
                out.put(out.position(), in, read, n);
                out.position(out.position() + n);
            }
            read += n;
            payloadLeft -= n;
            if (payloadLeft == 0) {
                payloadLeft = -1;
                if (!skip) {
                    out.put((byte) '\n');
                }
            }
        }
        in.position(limit);
        out.flip();
        return true;
    }

    private int headerNeeded() {
        if (headerHave < 2) {
            return 2;
        }
        int length7 = header[1] & 0x7F;
        return length7 == 126 ? 4 : length7 == 127 ? 10 : 2;
    }

    private long length() {
        int length7 = header[1] & 0x7F;
        if (length7 < 126) {
            return length7;
        }
        long value = 0;
        for (int i = 2; i < (length7 == 126 ? 4 : 10); i++) {
            value = value << 8 | header[i] & 0xFF;
        }
        return value;
    }

    /** Why {@link #strip} refused, for the report. */
    String failure() {
        return failure;
    }
}
