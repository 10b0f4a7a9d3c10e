package dev.sockit;

import dev.sockit.framing.Framing;
import dev.sockit.framing.Lines;
import dev.sockit.proxy.ProxyHeader;
import dev.sockit.proxy.ProxyProtocol;
import dev.sockit.transport.ConnectionSettings;
import dev.sockit.transport.DatagramConnection;
import dev.sockit.transport.DatagramSettings;
import dev.sockit.transport.PacketConnection;
import dev.sockit.transport.SocketConnection;
import dev.sockit.transport.Tcp;
import dev.sockit.transport.TlsChannel;
import dev.sockit.transport.Udp;
import dev.sockit.transport.Unix;
import dev.sockit.transport.WebSocketHandshake;
import dev.sockit.websocket.WebSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Connects to an endpoint and gives back a {@link Connection}, framed like the server's.
 *
 * <pre>{@code
 * try (Connection connection = Client.connect(Endpoint.parse("tcp://127.0.0.1:8001")).open()) {
 *     connection.send("hello");
 *     System.out.println(connection.receive().text());
 * }
 * }</pre>
 *
 * <p>Every kind of endpoint gives the same {@link Connection}: {@code tcp://HOST:PORT} tries
 * each address the host name resolves to in turn; {@code unix:/PATH} connects to the socket
 * file; {@code udp://HOST:PORT} sends each message as one datagram and receives one datagram
 * per message. UDP loses datagrams without telling anyone, so for request and reply over UDP
 * set a {@link #receiveTimeout} or use {@link Retry}:
 *
 * <pre>{@code
 * try (Connection udp = Client.connect(Endpoint.parse("udp://127.0.0.1:8001")).open()) {
 *     Message reply = Retry.defaults().request(udp, Message.of("hello"));   // or NoReplyException
 * }
 * }</pre>
 *
 * <p>A {@code Client} is a description, set up on one thread; each {@link #open()} makes a new
 * connection from it, so one description serves every reconnection.
 */
public final class Client {

    private static final AtomicLong IDS = new AtomicLong();

    private final Endpoint endpoint;
    private Framing framing = Lines.defaults();
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Heartbeat heartbeat = Heartbeat.DEFAULT;
    private OutboundLimit outbound = OutboundLimit.CLIENT_DEFAULT;
    private Duration receiveTimeout;
    private WebSocket websocket = WebSocket.defaults();
    private final Map<String, String> headers = new LinkedHashMap<>();
    private Tls tls;
    private Tcp.Source source = Tcp.Source.ANY;
    private ClientProxy proxy;
    private ProxyProtocol.Version sendProxy;
    // Built once per client, so that reconnections can resume the TLS session.
    private javax.net.ssl.SSLContext tlsContext;

    private Client(Endpoint endpoint) {
        this.endpoint = endpoint;
    }

    /**
     * Starts describing a connection to {@code endpoint}; nothing is opened until {@link #open()}.
     *
     * @param endpoint where to connect; not null
     * @return a description with every setting at its default
     */
    public static Client connect(Endpoint endpoint) {
        return new Client(Objects.requireNonNull(endpoint, "endpoint"));
    }

    /**
     * How bytes become messages; must match the server's. Default: lines of at most 64 KiB
     * for TCP and Unix stream sockets; over UDP, unixgram and seqpacket each message is kept
     * whole, and only {@code raw}, which means the same, may be given.
     *
     * @param framing the framing; not null
     * @return this client
     * @throws IllegalArgumentException for a framing other than raw on a UDP, unixgram or
     *     seqpacket endpoint
     */
    public Client framing(Framing framing) {
        Objects.requireNonNull(framing, "framing");
        Udp.checkFraming(endpoint, framing);
        this.framing = framing;
        return this;
    }

    /**
     * How long to wait for the server to answer the connect (TCP and Unix), and for a TLS or
     * WebSocket handshake after it. Default: 10 s.
     *
     * @param connectTimeout a positive duration
     * @return this client
     * @throws IllegalArgumentException when {@code connectTimeout} is zero or negative
     */
    public Client connectTimeout(Duration connectTimeout) {
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("connectTimeout must be positive, not " + connectTimeout);
        }
        this.connectTimeout = connectTimeout;
        return this;
    }

    /**
     * How the connection stays alive: pings (framings that can ping), idle timeout, TCP
     * keepalive. Pings from the server are answered whatever this says. Default:
     * {@link Heartbeat#DEFAULT}, TCP keepalive only.
     *
     * @param heartbeat the policy; not null
     * @return this client
     */
    public Client heartbeat(Heartbeat heartbeat) {
        this.heartbeat = Objects.requireNonNull(heartbeat, "heartbeat");
        return this;
    }

    /**
     * UDP only: how long {@link Connection#receive()} waits for a datagram before it throws
     * {@link java.net.SocketTimeoutException} (the connection stays open). Default: no limit,
     * as for streams. Ignored for TCP and Unix sockets.
     *
     * @param receiveTimeout a positive duration
     * @return this client
     * @throws IllegalArgumentException when {@code receiveTimeout} is zero or negative
     */
    public Client receiveTimeout(Duration receiveTimeout) {
        if (receiveTimeout.isNegative() || receiveTimeout.isZero()) {
            throw new IllegalArgumentException("receiveTimeout must be positive, not " + receiveTimeout);
        }
        this.receiveTimeout = receiveTimeout;
        return this;
    }

    /**
     * WebSocket only: the largest message taken from the server and the subprotocols
     * offered. Default: {@link WebSocket#defaults()}. Ignored for other endpoints.
     *
     * @param websocket the settings; not null
     * @return this client
     */
    public Client websocket(WebSocket websocket) {
        this.websocket = Objects.requireNonNull(websocket, "websocket");
        return this;
    }

    /**
     * WebSocket only: a header to send with the upgrade request, such as {@code Origin} or
     * {@code Authorization}; the handshake's own headers cannot be replaced. Ignored for
     * other endpoints. A second value for one name replaces the first.
     *
     * @param name  the header's name, e.g. {@code Origin}
     * @param value its value, on one line
     * @return this client
     * @throws IllegalArgumentException for a name that is not an HTTP token, a value with a
     *     line break, or one of the handshake's own headers
     */
    public Client header(String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        if (name.isEmpty() || !name.chars().allMatch(c -> c > 0x20 && c < 0x7F && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0)) {
            throw new IllegalArgumentException("header name \"" + name + "\" is not an HTTP token");
        }
        if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("header " + name + " has a line break in its value");
        }
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        if (lower.equals("host") || lower.equals("upgrade") || lower.equals("connection") || lower.startsWith("sec-websocket-")) {
            throw new IllegalArgumentException("header " + name + " is the handshake's own; it cannot be set");
        }
        headers.put(name, value);
        return this;
    }

    /**
     * How much another thread may queue to send, and what a send beyond it does. Default:
     * {@link OutboundLimit#CLIENT_DEFAULT}: the sender waits, so nothing is lost.
     *
     * @param outbound the limit; not null
     * @return this client
     */
    public Client outbound(OutboundLimit outbound) {
        this.outbound = Objects.requireNonNull(outbound, "outbound");
        return this;
    }

    /**
     * How a {@code tls://} endpoint is verified: whom to trust, which versions, a client
     * certificate for mutual TLS. Default for {@code tls://}: {@link Tls#client()}, the JDK's
     * trust store and a host name check. The handshake is bounded by {@link #connectTimeout}.
     *
     * @param tls client settings, from {@link Tls#client()}
     * @return this client
     * @throws IllegalArgumentException for a server's settings or a non-TLS endpoint
     */
    public Client tls(Tls tls) {
        Objects.requireNonNull(tls, "tls");
        if (tls.isServer()) {
            throw new IllegalArgumentException("a client needs Tls.client(), not a server's TLS settings");
        }
        if (!endpoint.kind().isTls()) {
            throw new IllegalArgumentException("TLS settings apply to tls:// and wss:// endpoints, and " + endpoint
                    + " is neither; connect to tls://" + endpoint.authority());
        }
        this.tls = tls;
        this.tlsContext = null;
        return this;
    }

    /**
     * Where to connect from (TCP, TLS, UDP): this local address and port; port 0 lets the system
     * choose the port, a wildcard address the address. Default: the system chooses both.
     *
     * @param local the local address and port
     * @return this client
     * @throws IllegalArgumentException for a Unix socket endpoint, which has no address to bind
     */
    public Client bind(InetSocketAddress local) {
        Objects.requireNonNull(local, "local");
        if (endpoint.kind() == Endpoint.Kind.UNIX) {
            throw new IllegalArgumentException("a source address applies to tcp://, tls:// and udp:// endpoints, not "
                    + endpoint);
        }
        this.source = new Tcp.Source(local, source.family());
        return this;
    }

    /**
     * Which of the host name's addresses to use: {@link java.net.StandardProtocolFamily#INET}
     * (IPv4 only) or {@code INET6} (IPv6 only). Default: any, in the order the resolver gives.
     *
     * @param family {@code INET} or {@code INET6}
     * @return this client
     * @throws IllegalArgumentException for {@code UNIX}: a {@code unix:} endpoint says it itself
     */
    public Client family(java.net.StandardProtocolFamily family) {
        if (family == java.net.StandardProtocolFamily.UNIX) {
            throw new IllegalArgumentException("family is INET (IPv4) or INET6 (IPv6); a unix: endpoint says it itself");
        }
        this.source = new Tcp.Source(source.bind(), family);
        return this;
    }

    /**
     * Connects through a SOCKS5 or HTTP CONNECT proxy ({@code tcp://}, {@code tls://}, and
     * WebSocket; TLS then runs end to end, through the tunnel). The target's host name is resolved by the
     * proxy. The connect timeout bounds reaching the proxy and, again, its opening the tunnel.
     * Default: no proxy.
     *
     * @param proxy the proxy and its credentials; not null
     * @return this client
     * @throws IllegalArgumentException for a Unix socket or UDP endpoint
     */
    public Client proxy(ClientProxy proxy) {
        Objects.requireNonNull(proxy, "proxy");
        if (endpoint.kind() == Endpoint.Kind.UNIX || endpoint.kind() == Endpoint.Kind.UDP) {
            throw new IllegalArgumentException("a proxy carries tcp://, tls://, ws:// and wss:// connections, not "
                    + endpoint);
        }
        this.proxy = proxy;
        return this;
    }

    /**
     * Begins every connection with a PROXY protocol header of {@code version} (V1 or V2)
     * naming this client's own addresses, as a load balancer would: for testing a server
     * behind one ({@code sockit server --proxy-protocol}) by hand. The header goes before
     * anything else, before TLS too, where it leaves in one write with the TLS client hello.
     * Default: none.
     *
     * @param version {@code V1} or {@code V2}
     * @return this client
     * @throws IllegalArgumentException for {@code ANY} (a sender sends one version) or a UDP endpoint
     */
    public Client sendProxy(ProxyProtocol.Version version) {
        Objects.requireNonNull(version, "version");
        if (version == ProxyProtocol.Version.ANY) {
            throw new IllegalArgumentException("a client sends one PROXY protocol version: V1 or V2, not ANY");
        }
        if (endpoint.kind() == Endpoint.Kind.UDP) {
            throw new IllegalArgumentException("a PROXY protocol header begins a stream; " + endpoint + " is UDP");
        }
        this.sendProxy = version;
        return this;
    }

    /**
     * Connects: for TCP, trying each address the host resolves to; for a Unix socket, to its
     * file; for UDP, no packet is sent (UDP has no handshake), so a missing server shows only
     * when no reply comes.
     *
     * @return the connection, open and framed; close it when done
     * @throws IOException saying why, e.g. {@code cannot connect to tcp://127.0.0.1:8001:
     *     connection refused — is a server running?}
     */
    public Connection open() throws IOException {
        long id = IDS.incrementAndGet();
        return switch (endpoint.kind()) {
            case TCP -> stream(id, tcp());
            case UNIX -> endpoint.isAbstract()
                    ? stream(id, Unix.connectNative(endpoint), null, UnixDomainSocketAddress.of(endpoint.path()))
                    : stream(id, Unix.connect(endpoint, connectTimeout));
            case UNIX_SEQPACKET, UNIXGRAM -> packets(id, Unix.connectNative(endpoint));
            case UDP -> datagrams(id, Udp.connect(endpoint, source));
            case TLS, WSS -> tlsStream(id);
            case WS -> stream(id, tcp());
        };
    }

    private Connection tlsStream(long id) throws IOException {
        Tls settings = tls != null ? tls : Tls.client();
        javax.net.ssl.SSLContext context = tlsContext;
        if (context == null) {
            tlsContext = context = settings.context();
        }
        SocketChannel channel = tcp();
        return stream(id, channel, new TlsChannel(channel, settings.engine(context, endpoint), endpoint.toString(),
                connectTimeout));
    }

    /** A TCP channel to the endpoint: directly, or through the proxy's tunnel. */
    private SocketChannel tcp() throws IOException {
        return proxy == null ? Tcp.connect(endpoint, connectTimeout, source)
                : dev.sockit.transport.ProxyTunnel.connect(proxy, endpoint, connectTimeout, source);
    }

    private Connection stream(long id, SocketChannel channel) throws IOException {
        return stream(id, channel, null);
    }

    private Connection stream(long id, SocketChannel channel, TlsChannel tlsChannel) throws IOException {
        return stream(id, channel, tlsChannel, null);
    }

    // A seqpacket or unixgram socket's channel was connected by system calls: the peer is the endpoint's name.
    private Connection packets(long id, SocketChannel channel) throws IOException {
        return new PacketConnection(id, channel, endpoint.kind().scheme(), UnixDomainSocketAddress.of(""),
                UnixDomainSocketAddress.of(endpoint.path()), PacketConnection.CLIENT_MAX_MESSAGE, Duration.ZERO, Observer.NONE);
    }

    private Connection stream(long id, SocketChannel channel, TlsChannel tlsChannel, SocketAddress remote)
            throws IOException {
        try {
            if (!endpoint.kind().isUnix()) {
                Tcp.userTimeout(channel, heartbeat.userTimeout());
            }
            if (sendProxy != null) {
                ProxyHeader header = ProxyHeader.proxied(channel.getLocalAddress(), channel.getRemoteAddress());
                ByteBuffer bytes = ByteBuffer.wrap(sendProxy == ProxyProtocol.Version.V1 ? header.v1Bytes() : header.v2Bytes());
                if (tlsChannel != null) {
                    // In one segment with the client hello, as a proxy sends it with the client's first bytes.
                    tlsChannel.prefix(bytes);
                } else {
                    while (bytes.hasRemaining()) {
                        channel.write(bytes);
                    }
                }
            }
            boolean ws = endpoint.kind().isWebSocket();
            ConnectionSettings settings = new ConnectionSettings(ws ? dev.sockit.websocket.WebSocketFrames.client(
                    websocket.maxMessage()) : framing, heartbeat, outbound, Observer.NONE);
            SocketConnection connection = ws
                    ? new SocketConnection(id, channel, settings, tlsChannel, null,
                            new WebSocketHandshake(endpoint, websocket, headers, connectTimeout), null)
                    : new SocketConnection(id, channel, settings, tlsChannel, null, null, remote);
            connection.start();
            return connection;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private Connection datagrams(long id, DatagramChannel channel) throws IOException {
        try {
            InetAddress peer = ((InetSocketAddress) channel.getRemoteAddress()).getAddress();
            // IPv6 carries 20 bytes more in one datagram; the kernel refuses the rest with words of its own.
            int max = peer instanceof java.net.Inet4Address ? Udp.MAX_IPV4_PAYLOAD : Udp.MAX_PAYLOAD;
            return DatagramConnection.connected(id, channel, new DatagramSettings(max, null, receiveTimeout));
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }
}
