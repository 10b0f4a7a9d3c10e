package dev.sockit.transport;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Base64;
import java.util.Locale;

/**
 * Asks a proxy, over a channel already connected to it, for a tunnel to a host and port:
 * SOCKS5 (RFC 1928, with no authentication or RFC 1929's user name and password) or HTTP
 * {@code CONNECT} (RFC 9110, section 9.3.6, with Basic authentication). Once a method returns,
 * the channel carries the target's bytes as if connected to it. Blocking; the caller bounds
 * the time (the client's connect timeout closes the channel).
 *
 * <p>The target's host name goes to the proxy as a name, unresolved here: the proxy resolves
 * it (what curl calls {@code socks5h}), so names that only the proxy's side knows work.
 */
public final class ProxyTunnel {

    // RFC 1928 and 1929 constants.
    private static final byte SOCKS_VERSION = 5;
    private static final byte NO_AUTH = 0;
    private static final byte USER_PASSWORD = 2;
    private static final byte NO_ACCEPTABLE = (byte) 0xff;
    private static final byte CONNECT = 1;
    private static final byte IPV4 = 1;
    private static final byte DOMAIN = 3;
    private static final byte IPV6 = 4;
    // An HTTP proxy's answer to CONNECT is a status line and headers, nothing more; more is not an answer.
    private static final int MAX_HTTP_HEAD = 16 * 1024;

    private ProxyTunnel() {}

    /**
     * Connects to {@code proxy} from {@code source} and asks it for a tunnel to {@code target},
     * all within {@code timeout}; the channel then carries the target's bytes.
     *
     * @throws IOException saying whether the proxy could not be reached, refused, or could not
     *     reach the target, with its words
     */
    public static SocketChannel connect(dev.sockit.ClientProxy proxy, dev.sockit.Endpoint target,
            java.time.Duration timeout, Tcp.Source source) throws IOException {
        SocketChannel channel;
        try {
            channel = Tcp.connect(proxy.endpoint(), timeout, source);
        } catch (IOException e) {
            throw new IOException("cannot reach the proxy " + proxy + " for " + target + ": " + e.getMessage(), e);
        }
        java.util.concurrent.atomic.AtomicBoolean settled = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.ScheduledFuture<?> deadline = Timer.after(timeout, () -> {
            if (settled.compareAndSet(false, true)) {
                Tcp.closeQuietly(channel);
            }
        });
        try {
            String name = proxy.toString();
            if (proxy.kind() == dev.sockit.ClientProxy.Kind.SOCKS5) {
                socks5(channel, target.host(), target.port(), proxy.user(), proxy.password(), name);
            } else {
                httpConnect(channel, target.host(), target.port(), proxy.user(), proxy.password(), name);
            }
            if (!settled.compareAndSet(false, true)) {
                throw new java.nio.channels.AsynchronousCloseException();
            }
            return channel;
        } catch (java.nio.channels.ClosedChannelException e) {
            Tcp.closeQuietly(channel);
            throw new java.net.SocketTimeoutException("proxy " + proxy + " did not open a tunnel to " + target
                    + " within " + Durations.format(timeout));
        } catch (IOException | RuntimeException e) {
            Tcp.closeQuietly(channel);
            throw e;
        } finally {
            deadline.cancel(false);
        }
    }

    /**
     * SOCKS5 CONNECT to {@code host:port}.
     *
     * @param user     null for no authentication
     * @param proxy    the proxy as written, for messages
     * @throws IOException saying what the proxy answered, in words
     */
    public static void socks5(SocketChannel channel, String host, int port, String user, String password, String proxy)
            throws IOException {
        boolean auth = user != null;
        write(channel, auth ? new byte[] {SOCKS_VERSION, 2, NO_AUTH, USER_PASSWORD} : new byte[] {SOCKS_VERSION, 1, NO_AUTH});
        byte[] choice = read(channel, 2, proxy);
        if (choice[0] != SOCKS_VERSION) {
            throw new ProtocolException("proxy " + proxy + " is not a SOCKS5 proxy (it answered version " + (choice[0] & 0xff)
                    + "); is it an HTTP proxy? then write http://");
        }
        if (choice[1] == NO_ACCEPTABLE) {
            throw new IOException("proxy " + proxy + " accepts none of our authentication methods ("
                    + (auth ? "none, or user name and password" : "none; give socks5://USER:PASSWORD@HOST:PORT") + ")");
        }
        if (choice[1] == USER_PASSWORD) {
            if (!auth) {
                throw new IOException("proxy " + proxy + " asks for a user name and password; write socks5://USER:PASSWORD@HOST:PORT");
            }
            byte[] u = user.getBytes(UTF_8);
            byte[] p = password.getBytes(UTF_8);
            if (u.length > 255 || p.length > 255) {
                throw new IllegalArgumentException("SOCKS5 user names and passwords are at most 255 bytes (RFC 1929)");
            }
            ByteBuffer request = ByteBuffer.allocate(3 + u.length + p.length);
            request.put((byte) 1).put((byte) u.length).put(u).put((byte) p.length).put(p);
            write(channel, request.array());
            byte[] status = read(channel, 2, proxy);
            if (status[1] != 0) {
                throw new IOException("proxy " + proxy + " refused the user name and password for " + user
                        + " (status " + (status[1] & 0xff) + ")");
            }
        } else if (choice[1] != NO_AUTH) {
            throw new ProtocolException("proxy " + proxy + " chose authentication method " + (choice[1] & 0xff)
                    + ", which we did not offer");
        }
        write(channel, connectRequest(host, port));
        byte[] head = read(channel, 4, proxy);
        if (head[1] != 0) {
            throw new IOException("proxy " + proxy + " cannot connect to " + host + ":" + port + ": " + socksReply(head[1]));
        }
        int skip = switch (head[3]) {
            case IPV4 -> 4;
            case IPV6 -> 16;
            case DOMAIN -> read(channel, 1, proxy)[0] & 0xff;
            default -> throw new ProtocolException("proxy " + proxy + " answered an unknown address type " + head[3]);
        };
        read(channel, skip + 2, proxy); // the proxy's bound address and port: not needed
    }

    private static byte[] connectRequest(String host, int port) {
        byte[] address;
        byte type;
        if (isLiteral(host)) {
            try {
                address = InetAddress.getByName(host).getAddress();
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e); // a literal needs no lookup
            }
            type = address.length == 4 ? IPV4 : IPV6;
        } else {
            byte[] name = host.getBytes(UTF_8);
            if (name.length > 255) {
                throw new IllegalArgumentException("host name " + host + " is longer than SOCKS5 allows (255 bytes)");
            }
            address = ByteBuffer.allocate(1 + name.length).put((byte) name.length).put(name).array();
            type = DOMAIN;
        }
        return ByteBuffer.allocate(6 + address.length).put(SOCKS_VERSION).put(CONNECT).put((byte) 0).put(type)
                .put(address).putShort((short) port).array();
    }

    private static boolean isLiteral(String host) {
        return host.matches("[0-9.]+") || host.contains(":");
    }

    private static String socksReply(byte code) {
        return switch (code) {
            case 1 -> "general failure";
            case 2 -> "not allowed by the proxy's rules";
            case 3 -> "network unreachable";
            case 4 -> "host unreachable";
            case 5 -> "connection refused";
            case 6 -> "TTL expired";
            case 7 -> "command not supported";
            case 8 -> "address type not supported";
            default -> "reply code " + (code & 0xff);
        };
    }

    /**
     * HTTP CONNECT to {@code host:port}.
     *
     * @param user null for no authentication
     * @throws IOException with the proxy's status line when it says no
     */
    public static void httpConnect(SocketChannel channel, String host, int port, String user, String password,
            String proxy) throws IOException {
        String authority = (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        StringBuilder request = new StringBuilder("CONNECT ").append(authority).append(" HTTP/1.1\r\nHost: ")
                .append(authority).append("\r\n");
        if (user != null) {
            request.append("Proxy-Authorization: Basic ").append(Base64.getEncoder()
                    .encodeToString((user + ":" + password).getBytes(UTF_8))).append("\r\n");
        }
        write(channel, request.append("\r\n").toString().getBytes(ISO_8859_1));
        String head = readHead(channel, proxy);
        String statusLine = head.lines().findFirst().orElse("");
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new ProtocolException("proxy " + proxy + " is not an HTTP proxy (it answered \"" + printable(statusLine)
                    + "\"); is it a SOCKS5 proxy? then write socks5://");
        }
        if (!parts[1].startsWith("2")) {
            String advice = parts[1].equals("407") ? " (it wants a user name and password: http://USER:PASSWORD@HOST:PORT)" : "";
            throw new IOException("proxy " + proxy + " refused CONNECT " + authority + ": " + printable(statusLine) + advice);
        }
    }

    // Byte by byte up to the blank line: the tunnel's first bytes may follow at once, and they
    // are the target's, not ours to read.
    private static String readHead(SocketChannel channel, String proxy) throws IOException {
        ByteBuffer one = ByteBuffer.allocate(1);
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n") && !head.toString().endsWith("\n\n")) {
            one.clear();
            if (channel.read(one) < 0) {
                throw new IOException("proxy " + proxy + " closed the connection before answering CONNECT");
            }
            head.append((char) (one.get(0) & 0xff));
            if (head.length() > MAX_HTTP_HEAD) {
                throw new ProtocolException("proxy " + proxy + " answered CONNECT with more than " + MAX_HTTP_HEAD
                        + " bytes of headers");
            }
        }
        return head.toString();
    }

    private static String printable(String text) {
        return text.replaceAll("[^\\x20-\\x7e]", "?");
    }

    private static void write(SocketChannel channel, byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    private static byte[] read(SocketChannel channel, int n, String proxy) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(n);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new IOException("proxy " + proxy + " closed the connection in the middle of the SOCKS5 handshake");
            }
        }
        return buffer.array();
    }

}
