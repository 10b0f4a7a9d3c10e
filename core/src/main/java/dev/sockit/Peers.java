package dev.sockit;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;

/**
 * How peers are named in logs and messages: {@code 127.0.0.1:50312}, {@code [::1]:50312},
 * {@code [fe80::1%eth0]:50312}, {@code unix:/run/app.sock}, and {@code unix:(unnamed)} for the
 * address of the usual Unix client, which connects without binding a name of its own. A
 * connection with such a peer is named by {@link #describe(Connection)} after the socket it
 * came in on and its id, {@code unix:/run/app.sock#3}, so that two of them can be told apart.
 */
public final class Peers {

    private Peers() {}

    /**
     * {@code HOST:PORT} with the numeric address, IPv6 in brackets and in its short form
     * (RFC 5952), never a reverse DNS lookup; {@code unix:PATH} for a Unix socket.
     *
     * @param address a socket's address
     * @return the address as logs show it
     */
    public static String describe(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            InetAddress ip = inet.getAddress();
            String host = ip == null ? inet.getHostString() : numeric(ip);
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + inet.getPort();
        }
        if (address instanceof UnixDomainSocketAddress unix) {
            String path = unix.getPath().toString();
            return path.isEmpty() ? "unix:(unnamed)" : "unix:" + path;
        }
        return String.valueOf(address);
    }

    /**
     * How a connection's peer is named in logs: {@link #describe(SocketAddress)} of its remote
     * address, except for a Unix peer without a name of its own (the usual client), which is
     * named by the path of the socket it came in on and the connection's id:
     * {@code unix:/tmp/sockit.sock#3}. Ids are unique within a server, so each such peer has a
     * name of its own; {@code #id} matches what {@code /list} shows.
     *
     * @param connection the connection whose peer to name
     * @return the peer as logs show it
     */
    public static String describe(Connection connection) {
        SocketAddress remote = connection.remote();
        if (remote instanceof UnixDomainSocketAddress unix && unix.getPath().toString().isEmpty()) {
            String path = connection.local() instanceof UnixDomainSocketAddress local ? local.getPath().toString() : "";
            return "unix:" + (path.isEmpty() ? "(unnamed)" : path) + "#" + connection.id();
        }
        return describe(remote);
    }

    /** The address as digits; IPv6 in the short form people type, with its zone if it has one. */
    static String numeric(InetAddress address) {
        if (!(address instanceof Inet6Address v6)) {
            return address.getHostAddress();
        }
        byte[] b = v6.getAddress();
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = (b[2 * i] & 0xff) << 8 | b[2 * i + 1] & 0xff;
        }
        // RFC 5952: "::" replaces the longest run of two or more zero groups, the first if tied.
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder text = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        String zone = v6.getScopedInterface() != null ? v6.getScopedInterface().getName()
                : v6.getScopeId() != 0 ? Integer.toString(v6.getScopeId()) : null;
        return zone == null ? text.toString() : text + "%" + zone;
    }
}
