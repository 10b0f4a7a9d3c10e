package dev.sockit.proxy;

import dev.sockit.AddressRange;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A server's PROXY protocol setting: which header versions it reads, from which proxies, and
 * how long it waits for one. Immutable; each method returns a changed copy.
 *
 * <pre>{@code
 * Server.listen(endpoint)
 *       .proxyProtocol(ProxyProtocol.accept(ProxyProtocol.Version.V2).from("10.0.0.0/8"))
 * }</pre>
 *
 * <p>Only a connection from a trusted proxy ({@link #from}) may, and must, begin with a header:
 * a server never guesses whether one is there (the specification forbids it: a client could
 * then claim any address). Others connect as if the setting were not there. A Unix socket
 * peer is always a proxy here: who may connect to the socket file is decided by its mode.
 */
public final class ProxyProtocol {

    /** Which header versions a server reads. */
    public enum Version {
        /** Text lines only: {@code PROXY TCP4 ...\r\n}. */
        V1,
        /** The binary form only, as HAProxy's {@code send-proxy-v2} and cloud load balancers send. */
        V2,
        /** Either, told apart by their first byte. */
        ANY;

        /**
         * Reads {@code v1}, {@code v2} or {@code any}, as the command line writes them.
         *
         * @param text the version as written, in any case; {@code 1} and {@code 2} also do
         * @return the version
         * @throws IllegalArgumentException naming the text and the choices
         */
        public static Version parse(String text) {
            return switch (text.strip().toLowerCase(Locale.ROOT)) {
                case "v1", "1" -> V1;
                case "v2", "2" -> V2;
                case "any" -> ANY;
                default -> throw new IllegalArgumentException("PROXY protocol version \"" + text
                        + "\" is not one; write v1, v2 or any");
            };
        }
    }

    /**
     * How long a trusted proxy has, from accept, to send its whole header. The specification
     * asks for at least 3 s (a TCP retransmission); a proxy sends the header at once.
     */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    /**
     * The most bytes a version 2 header may hold, its first 16 included: enough for addresses
     * and the TLVs proxies send (TLS facts, ids), far from the 65,551 the length field allows.
     */
    public static final int MAX_HEADER_BYTES = 4096;

    private final Version version;
    private final List<AddressRange> trusted;
    private final Duration timeout;

    private ProxyProtocol(Version version, List<AddressRange> trusted, Duration timeout) {
        this.version = version;
        this.trusted = List.copyOf(trusted);
        this.timeout = timeout;
    }

    /**
     * {@return a setting that reads headers of {@code version}} from the proxies {@link #from} names (none yet).
     *
     * @param version which header versions to read
     */
    public static ProxyProtocol accept(Version version) {
        return new ProxyProtocol(Objects.requireNonNull(version, "version"), List.of(), DEFAULT_TIMEOUT);
    }

    /**
     * Trusts the proxies in {@code ranges} (addresses or CIDR ranges, IPv4 or IPv6, e.g.
     * {@code "10.0.0.0/8", "127.0.0.1"}) to send a header; adds to those already trusted.
     *
     * @param ranges addresses or CIDR ranges, as text
     * @return a copy that trusts these ranges too
     * @throws IllegalArgumentException naming a range that is not one, and why
     */
    public ProxyProtocol from(String... ranges) {
        List<AddressRange> more = new ArrayList<>(trusted);
        for (String range : ranges) {
            more.add(AddressRange.parse(range));
        }
        return new ProxyProtocol(version, more, timeout);
    }

    /**
     * How long a proxy has, from accept, to send its whole header; a connection without one
     * by then is closed unserved. Default: {@link #DEFAULT_TIMEOUT}, 5 s.
     *
     * @param timeout a positive duration
     * @return a copy with that timeout
     * @throws IllegalArgumentException when {@code timeout} is zero or negative
     */
    public ProxyProtocol timeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the PROXY header timeout must be positive, not " + timeout);
        }
        return new ProxyProtocol(version, trusted, timeout);
    }

    /** {@return which header versions are read} */
    public Version version() {
        return version;
    }

    /** {@return the ranges whose peers must begin with a header} */
    public List<AddressRange> trusted() {
        return trusted;
    }

    /** {@return how long a proxy has, from accept, to send its whole header} */
    public Duration timeout() {
        return timeout;
    }

    /**
     * {@return true when a connection from {@code peer} must begin with a header} Always for a Unix socket peer.
     *
     * @param peer the connection's remote address, as the socket reports it
     */
    public boolean trusts(SocketAddress peer) {
        if (peer instanceof UnixDomainSocketAddress) {
            return true;
        }
        if (peer instanceof InetSocketAddress inet && inet.getAddress() != null) {
            for (AddressRange range : trusted) {
                if (range.contains(inet.getAddress())) {
                    return true;
                }
            }
        }
        return false;
    }

    /** {@return a new decoder for one connection's header}, of the versions this setting reads. */
    public ProxyHeaderDecoder decoder() {
        return new ProxyHeaderDecoder(version, MAX_HEADER_BYTES);
    }

    @Override
    public String toString() {
        return "PROXY protocol " + version.name().toLowerCase(Locale.ROOT) + " from " + trusted;
    }
}
