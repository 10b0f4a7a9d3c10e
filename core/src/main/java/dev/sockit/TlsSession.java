package dev.sockit;

import java.security.Principal;
import java.security.cert.Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a TLS connection agreed on, and who the peer proved to be: with mutual TLS
 * ({@link Tls#requireClientCertificates}), a server's handler learns its client's identity.
 *
 * <pre>{@code
 * String who = connection.tls().flatMap(TlsSession::peer).map(Principal::getName).orElse("anonymous");
 * // "CN=alice"
 * }</pre>
 *
 * @param protocol         the TLS version, e.g. {@code TLSv1.3}
 * @param cipherSuite      e.g. {@code TLS_AES_256_GCM_SHA384}
 * @param peer             the subject of the peer's verified certificate; empty when the peer
 *                         sent none (a client without mutual TLS)
 * @param peerCertificates the peer's chain as it sent it, its own certificate first; empty
 *                         when it sent none
 */
public record TlsSession(String protocol, String cipherSuite, Optional<Principal> peer,
        List<Certificate> peerCertificates) {

    /**
     * Checks the parts and copies the chain.
     *
     * @throws NullPointerException for a null part
     */
    public TlsSession {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(cipherSuite, "cipherSuite");
        Objects.requireNonNull(peer, "peer");
        peerCertificates = List.copyOf(peerCertificates);
    }
}
