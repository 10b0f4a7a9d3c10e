package dev.sockit;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;

/**
 * A proxy a {@link Client} connects through: SOCKS5 or HTTP {@code CONNECT}, written as a URI,
 * with an optional user name and password.
 *
 * <pre>{@code
 * Client.connect(Endpoint.parse("tcp://internal.example:6379"))
 *       .proxy(ClientProxy.parse("socks5://alice:secret@127.0.0.1:1080"))
 *       .open();
 * }</pre>
 *
 * Not to be confused with the PROXY protocol a server may read from a load balancer: this is
 * the other direction, a client reaching its target through a proxy.
 *
 * @param kind     SOCKS5 or HTTP CONNECT
 * @param host     the proxy's host
 * @param port     the proxy's port
 * @param user     the user name, or null for none
 * @param password the password, or null for none
 */
public record ClientProxy(Kind kind, String host, int port, String user, String password) {

    /** The ways of asking a proxy for a tunnel. */
    public enum Kind {
        /** SOCKS5 (RFC 1928), with user name and password authentication (RFC 1929) when given. */
        SOCKS5,
        /** HTTP CONNECT, with Basic authentication when given. */
        HTTP
    }

    /**
     * Checks the parts.
     *
     * @throws IllegalArgumentException for a port outside 1 to 65535, or a user without a password or the reverse
     * @throws NullPointerException     for a null kind or host
     */
    public ClientProxy {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("proxy port " + port + " is not a port (1 to 65535)");
        }
        if ((user == null) != (password == null)) {
            throw new IllegalArgumentException("a proxy user needs a password too: write USER:PASSWORD@");
        }
    }

    /**
     * Reads {@code socks5://[USER:PASSWORD@]HOST:PORT} or {@code http://[USER:PASSWORD@]HOST:PORT}
     * ({@code socks5h://} is taken as {@code socks5://}: the name always goes to the proxy).
     *
     * @param text the proxy as written; a user or password with {@code @} or {@code :} in it is
     *     percent-encoded
     * @return the proxy
     * @throws IllegalArgumentException naming the text and how to write it
     */
    public static ClientProxy parse(String text) {
        URI uri;
        try {
            uri = new URI(text.strip());
        } catch (URISyntaxException e) {
            throw usage(text, e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        Kind kind = switch (scheme) {
            case "socks5", "socks5h" -> Kind.SOCKS5;
            case "http" -> Kind.HTTP;
            default -> throw usage(text, "the scheme must be socks5:// or http://");
        };
        if (uri.getHost() == null || uri.getPort() < 0) {
            throw usage(text, "it needs a host and a port");
        }
        String user = null;
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            if (parts.length != 2) {
                throw usage(text, "write the user and password as USER:PASSWORD@");
            }
            user = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
            password = URLDecoder.decode(parts[1], StandardCharsets.UTF_8);
        }
        String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1) : uri.getHost();
        return new ClientProxy(kind, host, uri.getPort(), user, password);
    }

    private static IllegalArgumentException usage(String text, String why) {
        return new IllegalArgumentException("proxy \"" + text + "\": " + why + "; write socks5://HOST:PORT or"
                + " http://HOST:PORT, with USER:PASSWORD@ before the host if the proxy asks, e.g. socks5://127.0.0.1:1080");
    }

    /** {@return the proxy's address as a tcp:// endpoint}, to connect to it. */
    public Endpoint endpoint() {
        return Endpoint.tcp(host, port);
    }

    /** The URI form without the password, for messages and logs. */
    @Override
    public String toString() {
        String authority = (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        return (kind == Kind.SOCKS5 ? "socks5://" : "http://") + (user != null ? user + ":***@" : "") + authority;
    }
}
