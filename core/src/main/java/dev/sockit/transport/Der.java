package dev.sockit.transport;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.Instant;

/**
 * Just enough DER (ITU-T X.690) to write an X.509 certificate: tag, length, value. Each
 * method returns one complete element; {@link #sequence} and friends nest them.
 */
public final class Der {

    private Der() {}

    /** A complete element with {@code tag} around {@code contents}. */
    public static byte[] element(int tag, byte[]... contents) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] c : contents) {
            body.writeBytes(c);
        }
        int length = body.size();
        ByteArrayOutputStream out = new ByteArrayOutputStream(length + 6);
        out.write(tag);
        if (length < 0x80) {
            out.write(length);
        } else {
            // Long form: 0x80 | number of length bytes, then the length big-endian.
            byte[] bytes = BigInteger.valueOf(length).toByteArray();
            int skip = bytes[0] == 0 ? 1 : 0;
            out.write(0x80 | (bytes.length - skip));
            out.write(bytes, skip, bytes.length - skip);
        }
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    public static byte[] sequence(byte[]... contents) {
        return element(0x30, contents);
    }

    public static byte[] set(byte[]... contents) {
        return element(0x31, contents);
    }

    public static byte[] integer(BigInteger value) {
        return element(0x02, value.toByteArray());
    }

    public static byte[] bool(boolean value) {
        return element(0x01, new byte[] {(byte) (value ? 0xff : 0)});
    }

    public static byte[] octetString(byte[] value) {
        return element(0x04, value);
    }

    /** A BIT STRING with no unused bits. */
    public static byte[] bitString(byte[] value) {
        return element(0x03, new byte[] {0}, value);
    }

    public static byte[] utf8String(String value) {
        return element(0x0c, value.getBytes(StandardCharsets.UTF_8));
    }

    public static byte[] nul() {
        return new byte[] {0x05, 0x00};
    }

    /** A context-specific constructed tag, [n] EXPLICIT. */
    public static byte[] explicit(int n, byte[] contents) {
        return element(0xa0 | n, contents);
    }

    /** A context-specific primitive tag, [n] IMPLICIT, around raw contents. */
    public static byte[] implicit(int n, byte[] contents) {
        return element(0x80 | n, contents);
    }

    /** An OBJECT IDENTIFIER written in dotted form, "1.2.840.10045.4.3.2". */
    public static byte[] oid(String dotted) {
        String[] parts = dotted.split("\\.");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(Integer.parseInt(parts[0]) * 40 + Integer.parseInt(parts[1]));
        for (int i = 2; i < parts.length; i++) {
            long arc = Long.parseLong(parts[i]);
            // Base 128, most significant group first, continuation bit on all but the last.
            int groups = 1;
            for (long v = arc >>> 7; v != 0; v >>>= 7) {
                groups++;
            }
            for (int g = groups - 1; g >= 0; g--) {
                int b = (int) ((arc >>> (7 * g)) & 0x7f);
                out.write(g == 0 ? b : b | 0x80);
            }
        }
        return element(0x06, out.toByteArray());
    }

    /** UTCTime up to 2049, GeneralizedTime from 2050, as RFC 5280 section 4.1.2.5 requires. */
    public static byte[] time(Instant instant) {
        ZonedDateTime t = instant.atZone(ZoneOffset.UTC);
        if (t.getYear() < 2050 && t.getYear() >= 1950) {
            return element(0x17, t.format(DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'")).getBytes(StandardCharsets.US_ASCII));
        }
        return element(0x18, t.format(DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'")).getBytes(StandardCharsets.US_ASCII));
    }
}
