package dev.sockit.framing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Every case twice: in an array, and in a direct buffer (the waiting room's). */
class NewlineScannerTest {

    @Test
    void findsANewlineAtEveryOffsetOfEveryWord() {
        for (int length = 0; length <= 40; length++) {
            for (int at = 0; at < length; at++) {
                byte[] bytes = filled(length, (byte) 'x');
                bytes[at] = '\n';
                for (int from = 0; from <= at; from++) {
                    assertThat(indexOf(bytes, from, length)).as("length %d, at %d, from %d", length, at, from)
                            .isEqualTo(at);
                }
                assertThat(indexOf(bytes, at + 1, length)).isEqualTo(-1);
                assertThat(indexOf(bytes, 0, at)).as("the end bound excludes it").isEqualTo(-1);
            }
        }
    }

    @Test
    void bytesNextToANewlineNeverMatch() {
        // 0x0b and 0x09 differ from '\n' in one bit; 0x8a in the top bit; 0x00 and 0xff are the
        // extremes of the borrow in the zero-byte test.
        for (byte near : new byte[] {0x0b, 0x09, (byte) 0x8a, 0x00, (byte) 0xff, 0x0a ^ 0x40, 0x01}) {
            assertThat(indexOf(filled(37, near), 0, 37)).as("byte 0x%02x", near).isEqualTo(-1);
        }
    }

    @Test
    void findsTheFirstOfSeveralLikeAPlainLoop() {
        SplittableRandom random = new SplittableRandom(42);
        byte[] alphabet = {'\n', '\r', 0x0b, 0x09, 0x00, (byte) 0xff, (byte) 0x8a, 'a'};
        for (int round = 0; round < 20_000; round++) {
            byte[] bytes = new byte[random.nextInt(1, 64)];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = random.nextInt(6) == 0 ? alphabet[random.nextInt(alphabet.length)] : (byte) random.nextInt(256);
            }
            int from = random.nextInt(bytes.length + 1);
            int to = random.nextInt(from, bytes.length + 1);
            assertThat(indexOf(bytes, from, to)).isEqualTo(plain(bytes, from, to));
        }
    }

    /** The array's answer, after checking that a direct buffer of the same bytes gives the same. */
    private static int indexOf(byte[] bytes, int from, int to) {
        // Big-endian, the default, so that a scan that followed the buffer's order would fail.
        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).clear();
        int found = NewlineScanner.indexOf(bytes, from, to);
        assertThat(NewlineScanner.indexOf(direct, from, to)).as("in a direct buffer, from %d to %d", from, to)
                .isEqualTo(found);
        return found;
    }

    private static int plain(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static byte[] filled(int length, byte value) {
        byte[] bytes = new byte[length];
        java.util.Arrays.fill(bytes, value);
        return bytes;
    }
}
