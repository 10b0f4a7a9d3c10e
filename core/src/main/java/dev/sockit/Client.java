package dev.sockit;

import dev.sockit.framing.Framing;
import dev.sockit.framing.Lines;
import dev.sockit.transport.ConnectionSettings;
import dev.sockit.transport.SocketConnection;
import dev.sockit.transport.Tcp;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
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
 */
public final class Client {

    private static final AtomicLong IDS = new AtomicLong();

    private final Endpoint endpoint;
    private Framing framing = Lines.defaults();
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Heartbeat heartbeat = Heartbeat.DEFAULT;
    private OutboundLimit outbound = OutboundLimit.CLIENT_DEFAULT;

    private Client(Endpoint endpoint) {
        this.endpoint = endpoint;
    }

    /** Starts describing a connection to {@code endpoint}. */
    public static Client connect(Endpoint endpoint) {
        return new Client(Objects.requireNonNull(endpoint, "endpoint"));
    }

    /** How bytes become messages; must match the server's. Default: lines of at most 64 KiB. */
    public Client framing(Framing framing) {
        this.framing = Objects.requireNonNull(framing, "framing");
        return this;
    }

    /** How long to wait for the server to answer the connect. Default: 10 s. */
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
     */
    public Client heartbeat(Heartbeat heartbeat) {
        this.heartbeat = Objects.requireNonNull(heartbeat, "heartbeat");
        return this;
    }

    /**
     * How much another thread may queue to send, and what a send beyond it does. Default:
     * {@link OutboundLimit#CLIENT_DEFAULT}: the sender waits, so nothing is lost.
     */
    public Client outbound(OutboundLimit outbound) {
        this.outbound = Objects.requireNonNull(outbound, "outbound");
        return this;
    }

    /**
     * Connects, trying each address the host resolves to.
     *
     * @throws IOException saying why, e.g. {@code cannot connect to tcp://127.0.0.1:8001:
     *     connection refused — is a server running?}
     */
    public Connection open() throws IOException {
        ConnectionSettings settings = new ConnectionSettings(framing, heartbeat, outbound, Observer.NONE);
        SocketChannel channel = Tcp.connect(endpoint, connectTimeout);
        try {
            SocketConnection connection = new SocketConnection(IDS.incrementAndGet(), channel, settings);
            connection.start();
            return connection;
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }
}
