package dev.sockit.cli;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** {@code --bind ADDR[:PORT]} and {@code -p PORT}: where a client connects from. */
final class SourceAddress {

    private SourceAddress() {}

    /**
     * The local address to bind, or null when neither is given: {@code 10.0.0.7},
     * {@code 10.0.0.7:5555}, {@code [::1]:5555}, {@code ::1}, {@code :5555} (any address).
     *
     * @throws IllegalArgumentException naming the text and how to write it
     */
    static InetSocketAddress parse(String bind, Integer port) {
        if (bind == null && port == null) {
            return null;
        }
        String host = null;
        Integer bound = null;
        if (bind != null) {
            String text = bind.strip();
            if (text.startsWith("[")) {
                int close = text.indexOf(']');
                if (close < 0) {
                    throw usage(bind, "the [ has no ]");
                }
                host = text.substring(1, close);
                String rest = text.substring(close + 1);
                if (!rest.isEmpty()) {
                    if (!rest.startsWith(":")) {
                        throw usage(bind, "write [IPv6]:PORT");
                    }
                    bound = port(bind, rest.substring(1));
                }
            } else if (text.indexOf(':') != text.lastIndexOf(':')) {
                host = text; // a bare IPv6 address, no port
            } else if (text.contains(":")) {
                host = text.substring(0, text.indexOf(':'));
                bound = port(bind, text.substring(text.indexOf(':') + 1));
            } else {
                host = text;
            }
        }
        if (bound != null && port != null && !bound.equals(port)) {
            throw new IllegalArgumentException("--bind " + bind + " and -p " + port + " name two source ports; give one");
        }
        int chosen = bound != null ? bound : port != null ? checked(String.valueOf(port), port) : 0;
        if (host == null || host.isEmpty()) {
            return new InetSocketAddress(chosen);
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), chosen);
        } catch (UnknownHostException e) {
            throw usage(bind, "unknown host " + host);
        }
    }

    private static int port(String bind, String text) {
        try {
            return checked(text, Integer.parseInt(text));
        } catch (NumberFormatException e) {
            throw usage(bind, "\"" + text + "\" is not a port");
        }
    }

    private static int checked(String text, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("source port " + text + " is not a port (0 to 65535; 0: any)");
        }
        return port;
    }

    private static IllegalArgumentException usage(String bind, String why) {
        return new IllegalArgumentException("--bind " + bind + ": " + why + "; write ADDR, ADDR:PORT, [IPv6]:PORT or :PORT,"
                + " e.g. --bind 127.0.0.1:5555");
    }
}
