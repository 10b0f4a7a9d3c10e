package dev.sockit.websocket;

import java.nio.ByteBuffer;

/**
 * Checks UTF-8 as it arrives, piece by piece: a text message may be cut anywhere by its
 * fragments (inside a character too), and a WebSocket endpoint must fail it as soon as a
 * byte cannot continue valid UTF-8 (RFC 6455 8.1), not only once it is whole. Rejects what
 * RFC 3629 rejects: overlong forms, surrogates (U+D800 to U+DFFF), code points past U+10FFFF.
 */
final class Utf8Validator {

    private int pending;     // continuation bytes the current character still needs
    private int lower = 0x80; // the range the next continuation byte must be in
    private int upper = 0xBF;

    /** Takes {@code length} bytes of {@code in} from {@code index}; false at the first byte that cannot be UTF-8. */
    boolean feed(ByteBuffer in, int index, int length) {
        int end = index + length;
        int i = index;
        while (i < end) {
            if (pending == 0) {
                // Most text is ASCII: skip it eight bytes at a time (no top bit set in a long),
                // then a byte at a time, with no state to keep; again after each character.
                while (i + 8 <= end && (in.getLong(i) & 0x8080808080808080L) == 0) {
                    i += 8;
                }
                while (i < end && in.get(i) >= 0) {
                    i++;
                }
                if (i == end) {
                    break;
                }
            }
            if (!take(in.get(i++) & 0xFF)) {
                return false;
            }
        }
        return true;
    }

    /** Takes one byte. */
    boolean take(int b) {
        if (pending > 0) {
            if (b < lower || b > upper) {
                return false;
            }
            lower = 0x80;
            upper = 0xBF;
            pending--;
            return true;
        }
        if (b < 0x80) {
            return true;
        }
        if (b >= 0xC2 && b <= 0xDF) {
            pending = 1;
        } else if (b >= 0xE0 && b <= 0xEF) {
            pending = 2;
            if (b == 0xE0) {
                lower = 0xA0; // else overlong
            } else if (b == 0xED) {
                upper = 0x9F; // else a surrogate
            }
        } else if (b >= 0xF0 && b <= 0xF4) {
            pending = 3;
            if (b == 0xF0) {
                lower = 0x90; // else overlong
            } else if (b == 0xF4) {
                upper = 0x8F; // else past U+10FFFF
            }
        } else {
            return false; // a continuation byte without a start, C0, C1 or F5 to FF
        }
        return true;
    }

    /** True when no character is left unfinished: the message may end here. */
    boolean complete() {
        return pending == 0;
    }

    void reset() {
        pending = 0;
        lower = 0x80;
        upper = 0xBF;
    }

    /** True when the bytes are whole, valid UTF-8. */
    static boolean isValid(ByteBuffer in, int index, int length) {
        Utf8Validator v = new Utf8Validator();
        return v.feed(in, index, length) && v.complete();
    }
}
