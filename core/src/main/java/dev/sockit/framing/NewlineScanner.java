package dev.sockit.framing;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Finds the next {@code '\n'} eight bytes at a time. The byte-at-a-time loop was the largest
 * user-space cost of echoing 1 KiB lines (bench/results/2026-11-25-hot-path.md); reading a
 * {@code long} and testing all eight bytes at once takes decoding a 4 KiB line from 1.4 µs
 * to about 0.6 µs (JMH, the copy into the message included), in plain Java, without the
 * incubating Vector API.
 */
final class NewlineScanner {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    // The same over a buffer without an array: the waiting room reads into a direct one, and
    // a byte at a time there held 1 KiB lines served in line to 0.61-0.84x Netty's rate.
    private static final VarHandle BUFFER_LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long NEWLINES = 0x0a0a0a0a0a0a0a0aL;
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    private NewlineScanner() {}

    /** The index of the first {@code '\n'} in {@code bytes[from, to)}, or -1. */
    static int indexOf(byte[] bytes, int from, int to) {
        int i = from;
        for (; i <= to - Long.BYTES; i += Long.BYTES) {
            int found = firstNewline((long) LONGS.get(bytes, i));
            if (found >= 0) {
                return i + found;
            }
        }
        for (; i < to; i++) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** The index of the first {@code '\n'} in {@code buffer}'s bytes {@code [from, to)}, or -1. */
    static int indexOf(ByteBuffer buffer, int from, int to) {
        int i = from;
        for (; i <= to - Long.BYTES; i += Long.BYTES) {
            int found = firstNewline((long) BUFFER_LONGS.get(buffer, i));
            if (found >= 0) {
                return i + found;
            }
        }
        for (; i < to; i++) {
            if (buffer.get(i) == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** Which of eight bytes, read little-endian, is the first {@code '\n'}; -1 if none. */
    private static int firstNewline(long eight) {
        // Bytes equal to '\n' become zero; (x - 1s) & ~x & 0x80s marks zero bytes. A false
        // mark can only sit above a true one, so the lowest mark (little-endian: the first
        // byte in memory) is exact.
        long x = eight ^ NEWLINES;
        long zeros = (x - ONES) & ~x & HIGHS;
        return zeros == 0 ? -1 : Long.numberOfTrailingZeros(zeros) >>> 3;
    }
}
