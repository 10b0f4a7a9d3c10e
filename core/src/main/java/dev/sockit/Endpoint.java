package dev.sockit;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Where to listen or connect, written as a URI: {@code tcp://127.0.0.1:8001},
 * {@code tcp://[::1]:8001}, {@code tcp://[fe80::1%eth0]:8001}, {@code udp://127.0.0.1:8001}, {@code tls://127.0.0.1:8443},
 * {@code unix:/run/app.sock}, {@code unix:@app} (Linux's abstract namespace: no file),
 * {@code unix+seqpacket:/run/app.sock} (Linux: each message kept whole), {@code unixgram:/run/app.sock}
 * (Linux: Unix datagrams), {@code ws://127.0.0.1:8080/chat}, {@code wss://127.0.0.1:8443/chat}
 * (WebSocket, with the path it is served on; {@code /} when none is written). One parser serves the library and the command line. A bare
 * {@code HOST:PORT} means TCP. A zone id may be written plainly ({@code %eth0}) or as RFC 6874
 * has it in URIs ({@code %25eth0}).
 *
 * <pre>{@code
 * Endpoint endpoint = Endpoint.parse("tcp://127.0.0.1:8001");
 * endpoint.host();   // "127.0.0.1"
 * endpoint.port();   // 8001
 * }</pre>
 *
 * @param kind the socket kind
 * @param host the host name or address literal, without IPv6 brackets; null for Unix sockets
 * @param port the port, 0 to let the system choose when listening; -1 for Unix sockets
 * @param path the socket file of a Unix endpoint, else null
 * @param resource the path a WebSocket endpoint is served on, such as {@code /chat}; null for
 *     other kinds
 */
public record Endpoint(Kind kind, String host, int port, Path path, String resource) {

    /**
     * An endpoint of any kind but WebSocket; a WebSocket one is served on {@code /}.
     *
     * @param kind the socket kind
     * @param host the host name or address literal, without IPv6 brackets; null for Unix sockets
     * @param port the port, 0 to let the system choose when listening; -1 for Unix sockets
     * @param path the socket file of a Unix endpoint, else null
     * @throws IllegalArgumentException as the canonical constructor
     */
    public Endpoint(Kind kind, String host, int port, Path path) {
        this(kind, host, port, path, kind == Kind.WS || kind == Kind.WSS ? "/" : null);
    }

    /** The endpoint a server listens on and a client connects to when none is given. */
    public static final String DEFAULT = "tcp://127.0.0.1:8001";

    /** The socket kinds an endpoint can name. */
    public enum Kind {
        /** TCP: a byte stream. */
        TCP,
        /** UDP: datagrams, each one message; none resent, so some may be lost. */
        UDP,
        /** A Unix {@code SOCK_STREAM} socket: a byte stream between processes of one machine. */
        UNIX,
        /** TLS over TCP. */
        TLS,
        /** A Unix {@code SOCK_SEQPACKET} socket: connected, each message kept whole (Linux). */
        UNIX_SEQPACKET,
        /** A Unix {@code SOCK_DGRAM} socket: datagrams, each one message, none lost (Linux). */
        UNIXGRAM,
        /** WebSocket over TCP (RFC 6455). */
        WS,
        /** WebSocket over TLS. */
        WSS;

        /** {@return the scheme as written in an endpoint}: {@code tcp}, {@code unix+seqpacket}. */
        public String scheme() {
            return this == UNIX_SEQPACKET ? "unix+seqpacket" : name().toLowerCase(Locale.ROOT); // unixgram
        }

        /**
         * {@return true for the Unix domain kinds}, whose endpoints have a path (or an abstract
         * {@code @name}), not a host.
         */
        public boolean isUnix() {
            return this == UNIX || this == UNIX_SEQPACKET || this == UNIXGRAM;
        }

        /** {@return true for {@code ws} and {@code wss}} */
        public boolean isWebSocket() {
            return this == WS || this == WSS;
        }

        /** {@return true for the kinds that run over TLS: {@code tls} and {@code wss}} */
        public boolean isTls() {
            return this == TLS || this == WSS;
        }

        // The kinds whose socket keeps each message whole, so that no framing, ping or push queue applies.
        boolean carriesMessages() {
            return this == UDP || this == UNIX_SEQPACKET || this == UNIXGRAM;
        }
    }

    // The kinds this build can open. The others parse, so that the refusal can name them.
    private static final Set<Kind> SUPPORTED = EnumSet.of(Kind.TCP, Kind.UDP, Kind.UNIX, Kind.TLS, Kind.UNIX_SEQPACKET,
            Kind.UNIXGRAM, Kind.WS, Kind.WSS);

    /**
     * Reads an endpoint.
     *
     * @param text the endpoint as written, e.g. {@code tcp://127.0.0.1:8001}; surrounding spaces
     *     are ignored
     * @return the endpoint; a host name is not resolved until {@link #socketAddress()}
     * @throws IllegalArgumentException naming what is wrong and how to write it
     */
    public static Endpoint parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("endpoint is empty; write tcp://HOST:PORT, e.g. " + DEFAULT);
        }
        String s = text.strip();
        int colonSlashSlash = s.indexOf("://");
        if (colonSlashSlash < 0 && s.regionMatches(true, 0, "unix:", 0, 5)) {
            return parseUnix(text, Kind.UNIX, s.substring(5));
        }
        if (colonSlashSlash < 0 && s.regionMatches(true, 0, "unix+seqpacket:", 0, 15)) {
            return parseUnix(text, Kind.UNIX_SEQPACKET, s.substring(15));
        }
        if (colonSlashSlash < 0 && s.regionMatches(true, 0, "unixgram:", 0, 9)) {
            return parseUnix(text, Kind.UNIXGRAM, s.substring(9));
        }
        Kind kind = Kind.TCP;
        String rest = s;
        if (colonSlashSlash >= 0) {
            String scheme = s.substring(0, colonSlashSlash).toLowerCase(Locale.ROOT);
            kind = switch (scheme) {
                case "tcp" -> Kind.TCP;
                case "udp" -> Kind.UDP;
                case "tls" -> Kind.TLS;
                case "unix" -> Kind.UNIX;
                case "ws" -> Kind.WS;
                case "wss" -> Kind.WSS;
                default -> throw new IllegalArgumentException("endpoint \"" + text + "\" has unknown scheme \""
                        + scheme + "\"; " + supportedSentence());
            };
            rest = s.substring(colonSlashSlash + 3);
            if (kind == Kind.UNIX) {
                return parseUnix(text, Kind.UNIX, rest.startsWith("/") || rest.startsWith("@") ? rest : "/" + rest);
            }
        }
        String resource = null;
        if (kind.isWebSocket()) {
            int slash = rest.indexOf('/');
            resource = slash < 0 ? "/" : rest.substring(slash);
            rest = slash < 0 ? rest : rest.substring(0, slash);
            if (resource.contains("?") || resource.contains("#") || resource.contains(" ")) {
                throw new IllegalArgumentException("endpoint \"" + text + "\" has a query, fragment or space in its path;"
                        + " write " + kind.scheme() + "://HOST:PORT/PATH, e.g. ws://127.0.0.1:8080/chat");
            }
        }
        if (rest.endsWith("/")) {
            rest = rest.substring(0, rest.length() - 1);
        }
        if (rest.contains("/")) {
            throw new IllegalArgumentException("endpoint \"" + text + "\" has a path; write " + kind.scheme()
                    + "://HOST:PORT, e.g. " + DEFAULT);
        }
        String host;
        String portText;
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("endpoint \"" + text + "\" opens an IPv6 address with [ but never closes it; write "
                        + kind.scheme() + "://[::1]:8001");
            }
            // RFC 6874 writes the zone separator in a URI as "%25"; the resolver wants "%".
            host = rest.substring(1, close).replace("%25", "%");
            if (!host.contains(":")) {
                throw new IllegalArgumentException("endpoint \"" + text + "\" has \"" + host
                        + "\" in brackets, which is not an IPv6 address");
            }
            String after = rest.substring(close + 1);
            if (!after.startsWith(":")) {
                throw noPort(text, kind, "[" + host + "]");
            }
            portText = after.substring(1);
        } else {
            int colon = rest.lastIndexOf(':');
            if (colon < 0) {
                throw noPort(text, kind, rest);
            }
            host = rest.substring(0, colon);
            if (host.contains(":")) {
                throw new IllegalArgumentException("endpoint \"" + text
                        + "\" has an IPv6 address without brackets; write " + kind.scheme() + "://[" + host + "]:"
                        + rest.substring(colon + 1));
            }
            portText = rest.substring(colon + 1);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("endpoint \"" + text + "\" has no host; write " + kind.scheme()
                    + "://HOST:PORT, e.g. " + DEFAULT);
        }
        int port = parsePort(text, portText);
        return checked(text, new Endpoint(kind, host, port, null, resource));
    }

    /**
     * {@return a TCP endpoint}
     *
     * @param host a host name or address literal, without IPv6 brackets
     * @param port 0 to 65535; 0 lets the system choose when listening
     * @throws IllegalArgumentException for a null host or a port out of range
     */
    public static Endpoint tcp(String host, int port) {
        return new Endpoint(Kind.TCP, host, port, null);
    }

    /**
     * {@return a UDP endpoint}
     *
     * @param host a host name or address literal, without IPv6 brackets
     * @param port 0 to 65535; 0 lets the system choose when listening
     * @throws IllegalArgumentException for a null host or a port out of range
     */
    public static Endpoint udp(String host, int port) {
        return new Endpoint(Kind.UDP, host, port, null);
    }

    /**
     * {@return a TLS (over TCP) endpoint}
     *
     * @param host a host name or address literal, without IPv6 brackets
     * @param port 0 to 65535; 0 lets the system choose when listening
     * @throws IllegalArgumentException for a null host or a port out of range
     */
    public static Endpoint tls(String host, int port) {
        return new Endpoint(Kind.TLS, host, port, null);
    }

    /**
     * {@return a WebSocket endpoint}, e.g. {@code ws("127.0.0.1", 8080, "/chat")}.
     *
     * @param host     a host name or address literal, without IPv6 brackets
     * @param port     0 to 65535; 0 lets the system choose when listening
     * @param resource the path it is served on, starting with {@code /}
     * @throws IllegalArgumentException for a null host, a port out of range, or a path without a leading {@code /}
     */
    public static Endpoint ws(String host, int port, String resource) {
        return new Endpoint(Kind.WS, host, port, null, resource);
    }

    /**
     * The endpoint of an address the system reports, such as where a passed socket listens:
     * the address in digits, IPv6 in its short form ({@code tcp://[::1]:8001}).
     *
     * @param kind    a kind with a host and port, not a Unix one
     * @param address a resolved address
     * @return the endpoint
     */
    public static Endpoint of(Kind kind, InetSocketAddress address) {
        return new Endpoint(kind, Peers.numeric(address.getAddress()), address.getPort(), null);
    }

    /**
     * {@return a Unix domain (stream) socket endpoint}
     *
     * @param path the socket file, or {@code @name} for Linux's abstract namespace
     * @throws IllegalArgumentException when {@code path} is null
     */
    public static Endpoint unix(Path path) {
        return new Endpoint(Kind.UNIX, null, -1, path);
    }

    /**
     * Checks that the parts make an endpoint of {@code kind}.
     *
     * @throws IllegalArgumentException for a null kind, a host or port missing or out of range
     *     (a path missing, for a Unix kind), or a WebSocket path missing, or given to another kind
     */
    public Endpoint {
        if (kind == null) {
            throw new IllegalArgumentException("an endpoint needs a kind");
        }
        if (kind.isUnix() ? path == null : host == null || port < 0 || port > 65535) {
            throw new IllegalArgumentException("incomplete endpoint: " + kind + " " + host + " " + port + " " + path);
        }
        if (kind.isWebSocket() != (resource != null) || resource != null && !resource.startsWith("/")) {
            throw new IllegalArgumentException("a WebSocket endpoint, and only one, has a path starting with /: "
                    + kind + " " + resource);
        }
    }

    /**
     * {@return the same endpoint with another port}, as a server reports the one the system chose.
     *
     * @param newPort 0 to 65535
     * @throws IllegalArgumentException for a port out of range
     */
    public Endpoint withPort(int newPort) {
        return new Endpoint(kind, host, newPort, path, resource);
    }

    /** {@return {@code HOST:PORT}, with brackets around an IPv6 address; the path for Unix sockets} */
    public String authority() {
        if (kind.isUnix()) {
            return path.toString();
        }
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /**
     * The address to bind or connect to; resolves a host name.
     *
     * @return the address, unresolved when the name does not resolve (a later bind or connect says so)
     * @throws IllegalStateException for a Unix endpoint, which has a {@link #path()} instead
     */
    public InetSocketAddress socketAddress() {
        if (kind.isUnix()) {
            throw new IllegalStateException(this + " is a socket file, not a host and port; use path()");
        }
        return new InetSocketAddress(host, port);
    }

    /** {@return the URI form, which {@link #parse} reads back} */
    @Override
    public String toString() {
        return kind.isUnix() ? kind.scheme() + ":" + path
                : kind.scheme() + "://" + authority() + (resource == null ? "" : resource);
    }

    /**
     * True for a Unix socket name in Linux's abstract namespace, written {@code unix:@name}:
     * no file, gone when its server closes it (a file whose name starts with {@code @} is
     * written {@code unix:./@name}).
     *
     * @return true for an abstract name
     */
    public boolean isAbstract() {
        return path != null && path.toString().startsWith("@");
    }

    private static Endpoint parseUnix(String text, Kind kind, String path) {
        if (path.isEmpty() || path.equals("@")) {
            throw new IllegalArgumentException("endpoint \"" + text + "\" has no " + (path.isEmpty() ? "path" : "name")
                    + "; write " + kind.scheme() + ":/path/to.sock, or " + kind.scheme() + ":@NAME (abstract, Linux)");
        }
        return checked(text, new Endpoint(kind, null, -1, Path.of(path)));
    }

    private static Endpoint checked(String text, Endpoint endpoint) {
        if (!SUPPORTED.contains(endpoint.kind())) {
            throw new IllegalArgumentException("endpoint \"" + text + "\": " + endpoint.kind().scheme()
                    + " is not supported yet; " + supportedSentence());
        }
        return endpoint;
    }

    private static String supportedSentence() {
        return "supported: " + SUPPORTED.stream().map(k -> k.isUnix() ? k.scheme() + ":/PATH"
                        : k.scheme() + "://HOST:PORT" + (k.isWebSocket() ? "/PATH" : ""))
                .collect(Collectors.joining(", ")) + ", e.g. " + DEFAULT;
    }

    private static IllegalArgumentException noPort(String text, Kind kind, String host) {
        return new IllegalArgumentException("endpoint \"" + text + "\" has no port; write " + kind.scheme() + "://"
                + host + ":PORT, e.g. " + DEFAULT);
    }

    private static int parsePort(String text, String portText) {
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535 || portText.startsWith("+")) {
            throw new IllegalArgumentException("endpoint \"" + text + "\" has port \"" + portText
                    + "\"; a port is a number from 0 to 65535 (0: any free port)");
        }
        return port;
    }
}
