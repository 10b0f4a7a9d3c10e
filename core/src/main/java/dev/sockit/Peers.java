package dev.sockit;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Arrays;
import java.util.List;

/** How peers are named in logs and messages: {@code 127.0.0.1:50312}, {@code [::1]:50312}. */
public final class Peers {

    private Peers() {}

    /** {@code HOST:PORT} with the numeric address, brackets around IPv6; never a reverse DNS lookup. */
    public static String describe(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            InetAddress ip = inet.getAddress();
            String host = ip instanceof Inet6Address ? shortForm(ip.getHostAddress())
                    : ip != null ? ip.getHostAddress() : inet.getHostString();
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }

    /**
     * The JDK writes IPv6 addresses in full ({@code 0:0:0:0:0:0:0:1}); people and every other
     * tool write the short form of RFC 5952 ({@code ::1}): the longest run of two or more zero
     * groups, the first of equals, becomes {@code ::}. A zone ({@code %eth0}) is kept.
     */
    private static String shortForm(String full) {
        int percent = full.indexOf('%');
        String zone = percent < 0 ? "" : full.substring(percent);
        String[] groups = (percent < 0 ? full : full.substring(0, percent)).split(":");
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < groups.length; ) {
            int j = i;
            while (j < groups.length && groups[j].equals("0")) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = Math.max(j, i + 1);
        }
        if (bestStart < 0) {
            return full;
        }
        List<String> all = Arrays.asList(groups);
        return String.join(":", all.subList(0, bestStart)) + "::"
                + String.join(":", all.subList(bestStart + bestLength, groups.length)) + zone;
    }
}
