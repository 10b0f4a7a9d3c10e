package dev.sockit.cli;

import dev.sockit.AccessPolicy;
import dev.sockit.Endpoint;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.StandardProtocolFamily;
import java.net.UnknownHostException;
import picocli.CommandLine.Option;

/**
 * ncat's {@code -4} and {@code -6}: IPv4 only, IPv6 only, for connecting and listening alike.
 * Connecting, a host name's addresses of the other family are not tried. Listening, a host
 * name becomes its address of that family ({@code -6 -p 9000}: {@code [::1]:9000}, as the
 * default host 127.0.0.1 becomes ::1), a literal of the other family is refused, and {@code -6}
 * on the wildcard {@code [::]} closes IPv4 clients at once, which its dual-stack socket would
 * otherwise take (the JDK cannot set IPV6_V6ONLY; the peer sees a close rather than a refusal).
 */
final class IpFamily {

    @Option(names = "-4", description = "IPv4 only, as ncat -4: connect to a host name's IPv4 addresses alone; listen on "
            + "an IPv4 address (a host name's, or 127.0.0.1 by default).")
    boolean ipv4;

    @Option(names = "-6", description = "IPv6 only, as ncat -6: connect to a host name's IPv6 addresses alone; listen on "
            + "an IPv6 address (a host name's, or ::1 by default); on [::], IPv4 clients are closed at once.")
    boolean ipv6;

    /** The family asked for, or null for either. */
    StandardProtocolFamily family() {
        if (ipv4 && ipv6) {
            throw new IllegalArgumentException("give -4 (IPv4 only) or -6 (IPv6 only), not both");
        }
        return ipv4 ? StandardProtocolFamily.INET : ipv6 ? StandardProtocolFamily.INET6 : null;
    }

    /** The endpoint to listen on when none is given: the default's loopback, of the family asked for. */
    String defaultEndpoint() {
        return family() == StandardProtocolFamily.INET6 ? "tcp://[::1]:8001" : Endpoint.DEFAULT;
    }

    /**
     * {@code endpoint} to listen on with the family asked for: a host name resolved to its first
     * address of that family.
     *
     * @throws IllegalArgumentException for a Unix endpoint, or an address of the other family
     * @throws UnknownHostException when the name has no address of that family
     */
    Endpoint listening(Endpoint endpoint) throws UnknownHostException {
        StandardProtocolFamily family = family();
        if (family == null) {
            return endpoint;
        }
        String flag = family == StandardProtocolFamily.INET ? "-4" : "-6";
        if (endpoint.kind().isUnix()) {
            throw new IllegalArgumentException(flag + " chooses an IP family, and " + endpoint + " is a Unix socket; leave "
                    + flag + " out");
        }
        boolean v4 = family == StandardProtocolFamily.INET;
        if (isLiteral(endpoint.host())) {
            InetAddress address = InetAddress.getByName(endpoint.host());
            if (address instanceof Inet4Address != v4) {
                String other = address.isAnyLocalAddress() ? (v4 ? "0.0.0.0" : "[::]")
                        : address.isLoopbackAddress() ? (v4 ? "127.0.0.1" : "[::1]") : null;
                throw new IllegalArgumentException(flag + " asks for IPv" + (v4 ? "4" : "6") + ", and " + endpoint
                        + " is an IPv" + (v4 ? "6" : "4") + " address" + (other == null
                        ? "; give an IPv" + (v4 ? "4" : "6") + " one, or leave " + flag + " out"
                        : "; listen on " + endpoint.kind().scheme() + "://" + other + ":" + endpoint.port()
                                + (endpoint.resource() == null ? "" : endpoint.resource())));
            }
            return endpoint;
        }
        for (InetAddress address : InetAddress.getAllByName(endpoint.host())) {
            if (address instanceof Inet4Address == v4) {
                return new Endpoint(endpoint.kind(), address.getHostAddress().replaceFirst("%.*", ""), endpoint.port(),
                        null, endpoint.resource());
            }
        }
        throw new UnknownHostException(endpoint.host() + " has no IPv" + (v4 ? "4" : "6") + " address to listen on"
                + " (asked for by " + flag + "); give an address, or leave " + flag + " out");
    }

    /** {@code policy}, closing IPv4 peers when -6 listens on the IPv6 wildcard, which takes them too. */
    AccessPolicy restrict(AccessPolicy policy, Endpoint listening) {
        if (family() != StandardProtocolFamily.INET6 || listening.kind().isUnix()) {
            return policy;
        }
        try {
            InetAddress address = InetAddress.getByName(listening.host());
            return address instanceof Inet6Address && address.isAnyLocalAddress() ? policy.deny("0.0.0.0/0") : policy;
        } catch (UnknownHostException e) {
            return policy; // listening() resolved it already
        }
    }

    private static boolean isLiteral(String host) {
        return host.contains(":") || host.matches("[0-9.]+");
    }
}
