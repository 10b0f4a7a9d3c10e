package dev.sockit;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Who may connect, by source address: ranges allowed and ranges denied. Deny wins; once any
 * range is allowed, only peers in an allowed range get in. Immutable: {@link #allow} and
 * {@link #deny} return a new policy.
 *
 * <pre>{@code
 * AccessPolicy office = AccessPolicy.OPEN.allow("10.0.0.0/8", "::1").deny("10.66.0.0/16");
 * Server.listen(endpoint).access(office)
 * }</pre>
 *
 * <p>A server checks each peer right after accept (for UDP, on a new session's first
 * datagram), before any handler runs. A refused peer is closed without a byte: a stranger is
 * told nothing about what listens here. Peers on Unix sockets have no address, and file
 * permissions ({@code socketMode}) decide who connects there; this policy does not apply.
 */
public final class AccessPolicy {

    /** Everyone may connect: no range allowed or denied. The default. */
    public static final AccessPolicy OPEN = new AccessPolicy(new AddressRange[0], new AddressRange[0]);

    // Arrays scanned in order on every accept: a linear scan of precompiled masks.
    private final AddressRange[] allowed;
    private final AddressRange[] denied;
    private final String allowedText;

    private AccessPolicy(AddressRange[] allowed, AddressRange[] denied) {
        this.allowed = allowed;
        this.denied = denied;
        this.allowedText = Arrays.stream(allowed).map(AddressRange::toString).collect(Collectors.joining(", "));
    }

    /**
     * This policy, also allowing {@code ranges}: addresses or CIDR ranges as
     * {@link AddressRange#parse} reads them.
     *
     * @param ranges addresses or CIDR ranges, e.g. {@code "10.0.0.0/8", "::1"}
     * @return a copy that allows them too
     * @throws IllegalArgumentException naming the first range that is not one, and why
     */
    public AccessPolicy allow(String... ranges) {
        return new AccessPolicy(concat(allowed, ranges), denied);
    }

    /**
     * This policy, also denying {@code ranges}; a denied peer is refused even when an allowed
     * range holds it too.
     *
     * @param ranges addresses or CIDR ranges, e.g. {@code "10.0.0.0/8", "::1"}
     * @return a copy that denies them too
     * @throws IllegalArgumentException naming the first range that is not one, and why
     */
    public AccessPolicy deny(String... ranges) {
        return new AccessPolicy(allowed, concat(denied, ranges));
    }

    /** {@return the allowed ranges, in the order given} */
    public List<AddressRange> allowed() {
        return List.of(allowed);
    }

    /** {@return the denied ranges, in the order given} */
    public List<AddressRange> denied() {
        return List.of(denied);
    }

    /** {@return true when everyone may connect} */
    public boolean isOpen() {
        return allowed.length == 0 && denied.length == 0;
    }

    /**
     * Why {@code peer} may not connect, or empty when it may. Peers without an IP address
     * (Unix sockets) always may.
     *
     * @param peer the peer's address, as the socket reports it
     * @return the rule that refuses it, for the log, or empty
     */
    public Optional<String> refusal(SocketAddress peer) {
        if (isOpen() || !(peer instanceof InetSocketAddress inet) || inet.getAddress() == null) {
            return Optional.empty();
        }
        return refusal(inet.getAddress());
    }

    /**
     * {@return why {@code address} may not connect, such as {@code denied by --deny 10.0.0.0/8}, or empty when it may}
     *
     * @param address the peer's IP address
     */
    public Optional<String> refusal(InetAddress address) {
        for (AddressRange range : denied) {
            if (range.contains(address)) {
                return Optional.of("denied by --deny " + range);
            }
        }
        if (allowed.length == 0) {
            return Optional.empty();
        }
        for (AddressRange range : allowed) {
            if (range.contains(address)) {
                return Optional.empty();
            }
        }
        return Optional.of("not allowed: in no --allow range (" + allowedText + ")");
    }

    private static AddressRange[] concat(AddressRange[] have, String[] more) {
        return Stream.concat(Arrays.stream(have), Arrays.stream(more).map(AddressRange::parse))
                .toArray(AddressRange[]::new);
    }

    @Override
    public String toString() {
        return isOpen() ? "open to all" : "allow " + allowed() + ", deny " + denied();
    }
}
