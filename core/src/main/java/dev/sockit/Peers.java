package dev.sockit;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/** How peers are named in logs and messages: {@code 127.0.0.1:50312}, {@code [::1]:50312}. */
public final class Peers {

    private Peers() {}

    /** {@code HOST:PORT} with the numeric address, brackets around IPv6; never a reverse DNS lookup. */
    public static String describe(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            String host = inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }
}
