package dev.sockit.transport;

import dev.sockit.Endpoint;
import dev.sockit.framing.Framing;
import dev.sockit.framing.Raw;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.DatagramChannel;

/**
 * Opens UDP sockets: a bound channel for a server, a connected channel for a client. Each
 * datagram is one message, so there is no framing.
 *
 * <p>Two things UDP does not do that people expect of it: it does not tell anyone when a
 * datagram is lost, and a server bound to a wildcard address ({@code udp://0.0.0.0:8001},
 * {@code udp://[::]:8001}) on a machine with several addresses may answer from another address
 * than the one the client wrote to (Java cannot choose the source address per reply), which a
 * connected client then ignores. Bind a server to the address clients use when that matters.
 */
public final class Udp {

    /** The largest payload of one UDP datagram over IPv4: 65,535 less the IP and UDP headers. */
    public static final int MAX_IPV4_PAYLOAD = 65_507;

    /** The largest payload of one UDP datagram over IPv6 without jumbograms. */
    public static final int MAX_PAYLOAD = 65_527;

    private Udp() {}

    /**
     * Binds a UDP socket for a server. Unlike TCP it does not set SO_REUSEADDR: for UDP that
     * would let a second server bind the same port and silently take some of the datagrams.
     *
     * @throws IOException saying why, in words, e.g. the address is in use
     */
    public static DatagramChannel bind(Endpoint endpoint) throws IOException {
        DatagramChannel channel = DatagramChannel.open();
        try {
            channel.bind(endpoint.socketAddress());
            return channel;
        } catch (IOException | RuntimeException e) {
            Tcp.closeQuietly(channel);
            throw Errors.listenFailed(endpoint, e);
        }
    }

    /**
     * Opens a UDP socket connected to the endpoint: it sends there, and the kernel passes on
     * only datagrams from there. UDP has no handshake to try an address with, so of the
     * addresses a host name resolves to, the first is used (IPv4 first, as Java orders them).
     *
     * @throws IOException saying why, e.g. unknown host
     */
    public static DatagramChannel connect(Endpoint endpoint) throws IOException {
        return connect(endpoint, Tcp.Source.ANY);
    }

    /** As {@link #connect(Endpoint)}, from {@code source}: a bound local address, a family of addresses. */
    public static DatagramChannel connect(Endpoint endpoint, Tcp.Source source) throws IOException {
        InetAddress address = Tcp.resolve(endpoint, source)[0];
        DatagramChannel channel = DatagramChannel.open();
        try {
            if (source.bind() != null) {
                channel.bind(source.bind());
            }
            channel.connect(new InetSocketAddress(address, endpoint.port()));
            return channel;
        } catch (IOException | RuntimeException e) {
            Tcp.closeQuietly(channel);
            throw Errors.connectFailed(endpoint, e);
        }
    }

    /**
     * Refuses a framing that cannot apply: over UDP and unixgram each datagram is one message,
     * and over seqpacket each message is kept whole, so only {@code raw} (bytes as they are)
     * fits. Does nothing for stream endpoints.
     *
     * @throws IllegalArgumentException naming the framing and the endpoint, and what to do
     */
    public static void checkFraming(Endpoint endpoint, Framing framing) {
        String whole = switch (endpoint.kind()) {
            case UDP -> "over UDP each datagram is one message";
            case UNIXGRAM -> "over a Unix datagram socket each datagram is one message";
            case UNIX_SEQPACKET -> "over a Unix seqpacket socket each message is kept whole";
            default -> null;
        };
        if (whole != null && !(framing instanceof Raw)) {
            throw new IllegalArgumentException("the " + framing.name() + " framing does not apply to " + endpoint
                    + ": " + whole + ", so there is nothing to frame (leave the framing out, or choose raw)");
        }
    }
}
