package dev.sockit;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One address or a CIDR range of addresses, IPv4 or IPv6, as an {@link AccessPolicy} rule
 * names it: {@code 192.168.1.7}, {@code 10.0.0.0/8}, {@code ::1}, {@code fe80::/10},
 * {@code 2001:db8::/32}. Immutable; parsed once into a network and a mask, so that
 * {@link #contains} is two ANDs and two compares.
 *
 * <pre>{@code
 * AddressRange lan = AddressRange.parse("192.168.0.0/16");
 * lan.contains(InetAddress.ofLiteral("192.168.1.7"));   // true
 * }</pre>
 *
 * <p>An IPv4 peer on a dual-stack socket may arrive as an IPv4-mapped IPv6 address
 * ({@code ::ffff:10.1.2.3}); it is matched as the IPv4 address it is. A range written in the
 * mapped form ({@code ::ffff:10.0.0.0/104}) is likewise the IPv4 range it names.
 */
public final class AddressRange {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final boolean ipv6;
    private final int prefix;
    // The network and the mask, 128 bits as two longs; IPv4 uses the low 32 bits of lo.
    private final long networkHi;
    private final long networkLo;
    private final long maskHi;
    private final long maskLo;
    private final String text;

    private AddressRange(boolean ipv6, int prefix, long networkHi, long networkLo, long maskHi, long maskLo, String text) {
        this.ipv6 = ipv6;
        this.prefix = prefix;
        this.networkHi = networkHi;
        this.networkLo = networkLo;
        this.maskHi = maskHi;
        this.maskLo = maskLo;
        this.text = text;
    }

    /**
     * Reads an address ({@code 192.168.1.7}, {@code ::1}: that address alone) or a range
     * ({@code ADDRESS/PREFIX}). Never looks a name up: only literal addresses are accepted.
     *
     * @param text the address or range; surrounding spaces are ignored
     * @return the range
     * @throws IllegalArgumentException starting with the text, saying what is wrong and what
     *     to write instead, e.g. {@code 10.0.0.0/33: a prefix of an IPv4 range is 0 to 32}
     */
    public static AddressRange parse(String text) {
        Objects.requireNonNull(text, "text");
        String written = text.strip();
        if (written.isEmpty()) {
            throw new IllegalArgumentException("\"" + text + "\": no address; write an address or a range,"
                    + " e.g. 192.168.1.7, 10.0.0.0/8, ::1 or 2001:db8::/32");
        }
        int slash = written.indexOf('/');
        String address = slash < 0 ? written : written.substring(0, slash);
        if (address.startsWith("[") && address.endsWith("]")) {
            address = address.substring(1, address.length() - 1);
        }
        byte[] bytes = literal(written, address);
        boolean writtenAsIpv6 = address.indexOf(':') >= 0;
        int bits = bytes.length * 8;
        int prefix;
        if (slash < 0) {
            prefix = bits;
        } else {
            // A mapped IPv4 range is counted over 128 bits as written, over 32 once read.
            int writtenBits = writtenAsIpv6 ? 128 : 32;
            String prefixText = written.substring(slash + 1);
            if (!prefixText.matches("\\d{1,3}")) {
                throw new IllegalArgumentException(written + ": the prefix after / must be a number from 0 to "
                        + writtenBits + ", e.g. " + address + "/" + (writtenBits == 32 ? 24 : 64));
            }
            prefix = Integer.parseInt(prefixText);
            if (prefix > writtenBits) {
                throw new IllegalArgumentException(written + ": a prefix of an " + (writtenBits == 32 ? "IPv4" : "IPv6")
                        + " range is 0 to " + writtenBits);
            }
            if (writtenAsIpv6 && bits == 32) {
                if (prefix < 96) {
                    throw new IllegalArgumentException(written + ": an IPv4-mapped range (::ffff:a.b.c.d) needs a prefix"
                            + " of 96 to 128; for IPv4 peers write the IPv4 range itself, e.g. 10.0.0.0/8");
                }
                prefix -= 96;
            }
        }
        long hi = 0, lo = 0;
        if (bytes.length == 16) {
            hi = longAt(bytes, 0);
            lo = longAt(bytes, 8);
        } else {
            lo = Integer.toUnsignedLong(intAt(bytes));
        }
        long maskHi, maskLo;
        if (bytes.length == 16) {
            maskHi = prefix == 0 ? 0 : prefix >= 64 ? -1L : -1L << (64 - prefix);
            maskLo = prefix <= 64 ? 0 : prefix == 128 ? -1L : -1L << (128 - prefix);
        } else {
            maskHi = 0;
            maskLo = prefix == 0 ? 0 : (0xFFFF_FFFFL << (32 - prefix)) & 0xFFFF_FFFFL;
        }
        if ((hi & ~maskHi) != 0 || (lo & ~maskLo) != 0) {
            // 10.1.2.3/8 is most likely a typo for 10.0.0.0/8, or for 10.1.2.3 alone: ask, do not guess.
            throw new IllegalArgumentException(written + ": the address has bits set past its /" + (slash < 0 ? bits
                    : written.substring(slash + 1)) + " prefix; write the network, "
                    + format(bytes.length == 16, hi & maskHi, lo & maskLo) + "/" + written.substring(slash + 1)
                    + ", or the address alone");
        }
        return new AddressRange(bytes.length == 16, prefix, hi, lo, maskHi, maskLo, written);
    }

    private static byte[] literal(String written, String address) {
        if (address.indexOf(':') >= 0) {
            if (address.indexOf('%') >= 0) {
                throw new IllegalArgumentException(written + ": a scoped address (with %) cannot be a rule;"
                        + " write it without the scope, e.g. fe80::1 or fe80::/10");
            }
            try {
                return Inet6Address.ofLiteral(address).getAddress();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(written + ": \"" + address + "\" is not an IPv6 address;"
                        + " write it like ::1, fe80::/10 or 2001:db8::/32");
            }
        }
        if (!IPV4.matcher(address).matches()) {
            throw new IllegalArgumentException(written + ": \"" + address + "\" is not an IP address; write four numbers"
                    + " like 192.168.1.7 or 10.0.0.0/8, or an IPv6 address like ::1 (host names are not looked up)");
        }
        try {
            return Inet4Address.ofLiteral(address).getAddress();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(written + ": \"" + address + "\" is not an IPv4 address;"
                    + " each of its four numbers is 0 to 255");
        }
    }

    /**
     * True when {@code address} is in this range. An IPv4-mapped IPv6 address is matched as
     * its IPv4 address; an IPv4 address never matches an IPv6 range, nor the reverse.
     *
     * @param address the address to look for
     * @return true when the range holds it
     */
    public boolean contains(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (bytes.length == 16 && isMapped(bytes)) {
            return !ipv6 && (Integer.toUnsignedLong(intAt(bytes, 12)) & maskLo) == networkLo;
        }
        if (bytes.length == 4) {
            return !ipv6 && (Integer.toUnsignedLong(intAt(bytes)) & maskLo) == networkLo;
        }
        return ipv6 && (longAt(bytes, 0) & maskHi) == networkHi && (longAt(bytes, 8) & maskLo) == networkLo;
    }

    /** {@return true for an IPv6 range}; false for IPv4 (including one written in the IPv4-mapped form). */
    public boolean isIpv6() {
        return ipv6;
    }

    /** {@return the prefix length}: 32 (IPv4) or 128 (IPv6) for a single address. */
    public int prefix() {
        return prefix;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof AddressRange r && r.ipv6 == ipv6 && r.prefix == prefix && r.networkHi == networkHi
                && r.networkLo == networkLo;
    }

    @Override
    public int hashCode() {
        return Objects.hash(ipv6, prefix, networkHi, networkLo);
    }

    /** The range as it was written, e.g. {@code 10.0.0.0/8}. */
    @Override
    public String toString() {
        return text;
    }

    private static boolean isMapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xFF && b[11] == (byte) 0xFF;
    }

    private static int intAt(byte[] b) {
        return intAt(b, 0);
    }

    private static int intAt(byte[] b, int at) {
        return (b[at] & 0xFF) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | (b[at + 3] & 0xFF);
    }

    private static long longAt(byte[] b, int at) {
        return (long) intAt(b, at) << 32 | Integer.toUnsignedLong(intAt(b, at + 4));
    }

    private static String format(boolean ipv6, long hi, long lo) {
        byte[] bytes = new byte[ipv6 ? 16 : 4];
        if (ipv6) {
            for (int i = 0; i < 8; i++) {
                bytes[i] = (byte) (hi >>> (56 - 8 * i));
                bytes[8 + i] = (byte) (lo >>> (56 - 8 * i));
            }
        } else {
            for (int i = 0; i < 4; i++) {
                bytes[i] = (byte) (lo >>> (24 - 8 * i));
            }
        }
        try {
            return InetAddress.getByAddress(bytes).getHostAddress(); // from bytes: no name lookup
        } catch (UnknownHostException impossible) {
            throw new AssertionError(impossible);
        }
    }
}
