package dev.sockit.transport;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The JDK's certificate checks, with refusals in words: which certificate, why (expired, not
 * signed by a trusted CA, not for this host name), and what to do. It decides nothing itself:
 * the JDK's trust manager does; this only tells apart why it refused.
 */
public final class TlsTrust extends X509ExtendedTrustManager {

    /** A refusal this class worded; the handshake failure carries it as its cause. */
    public static final class Refusal extends CertificateException {
        Refusal(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final X509ExtendedTrustManager delegate;
    private final String trusted;

    /**
     * @param delegate the JDK's trust manager, which decides
     * @param trusted  whom it trusts, for messages: "the JDK's trust store", "the CA in ca.pem"
     */
    public TlsTrust(X509ExtendedTrustManager delegate, String trusted) {
        this.delegate = delegate;
        this.trusted = trusted;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        checkDates(chain, "server");
        try {
            delegate.checkServerTrusted(chain, authType, engine);
        } catch (CertificateException e) {
            // The same check without the host name tells which of the two failed.
            try {
                delegate.checkServerTrusted(chain, authType);
            } catch (CertificateException chain_) {
                throw untrusted(chain, "server", chain_);
            }
            String host = engine.getPeerHost();
            throw new Refusal("the server's certificate is for " + names(chain[0]) + ", not for " + host
                    + "; connect by one of those names, or give the server a certificate for " + host
                    + " (a development one: sockit cert --host " + host + ")", e);
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        checkDates(chain, "client");
        try {
            delegate.checkClientTrusted(chain, authType, engine);
        } catch (CertificateException e) {
            throw untrusted(chain, "client", e);
        }
    }

    private void checkDates(X509Certificate[] chain, String side) throws Refusal {
        if (chain == null || chain.length == 0) {
            throw new Refusal("the " + side + " sent no certificate", null);
        }
        try {
            chain[0].checkValidity();
        } catch (CertificateExpiredException e) {
            throw new Refusal("the " + side + "'s certificate (" + subject(chain[0]) + ") expired on "
                    + chain[0].getNotAfter().toInstant() + "; renew it"
                    + (side.equals("server") ? " (a development one: sockit cert --force)" : ""), e);
        } catch (CertificateNotYetValidException e) {
            throw new Refusal("the " + side + "'s certificate (" + subject(chain[0]) + ") is not valid until "
                    + chain[0].getNotBefore().toInstant() + "; check the clocks of both machines", e);
        }
    }

    private Refusal untrusted(X509Certificate[] chain, String side, CertificateException cause) {
        X509Certificate leaf = chain[0];
        String issuer = leaf.getIssuerX500Principal().equals(leaf.getSubjectX500Principal()) ? "self-signed"
                : "issued by " + leaf.getIssuerX500Principal().getName();
        String advice = side.equals("server")
                ? "if you trust it, give its CA with --ca FILE (for a certificate from sockit cert, the certificate file itself)"
                : "the client must present a certificate signed by the CA given to --client-ca";
        return new Refusal("the " + side + "'s certificate (" + subject(leaf) + ", " + issuer + ") is not signed by "
                + trusted + "; " + advice, cause);
    }

    private static String subject(X509Certificate certificate) {
        return certificate.getSubjectX500Principal().getName();
    }

    /** The names a certificate is for, as "DNS:localhost, IP:127.0.0.1". */
    static String names(X509Certificate certificate) {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> alt = certificate.getSubjectAlternativeNames();
            if (alt != null) {
                for (List<?> name : alt) {
                    int type = (Integer) name.get(0);
                    if (type == 2) {
                        names.add("DNS:" + name.get(1));
                    } else if (type == 7) {
                        names.add("IP:" + name.get(1));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            return "(unreadable names: " + e.getMessage() + ")";
        }
        return names.isEmpty() ? "no host name at all (" + subject(certificate) + ")" : String.join(", ", names);
    }

    /**
     * Why a handshake failed, in words. Our refusals speak for themselves. The peer's
     * refusals reach us only as an alert's name inside the JDK's text ("Received fatal alert:
     * certificate_required"), so those few names are read here: there is nothing else to read.
     *
     * @param peer the endpoint we connected to, or null on the server (its log names the peer)
     */
    static String describeHandshakeFailure(SSLException e, String peer, SSLEngine engine) {
        String prefix = "TLS handshake " + (peer == null ? "" : "with " + peer + " ") + "failed: ";
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof Refusal refusal) {
                return prefix + refusal.getMessage();
            }
        }
        String text = e.getMessage() == null ? e.toString() : e.getMessage();
        String lower = text.toLowerCase(Locale.ROOT);
        boolean client = engine.getUseClientMode();
        if (lower.contains("certificate_required") || (!client && lower.contains("empty client certificate"))) {
            return prefix + (client ? "the server requires a client certificate; give one with --cert FILE --key FILE"
                    : "the client sent no certificate, and this server requires one signed by its --client-ca");
        }
        if (lower.contains("bad_certificate") || lower.contains("certificate_unknown") || lower.contains("unknown_ca")
                || lower.contains("certificate_expired")) {
            return prefix + "the " + (client ? "server" : "client") + " refused our certificate (" + alert(text)
                    + "); ask its operator which CA it trusts, or check the certificate's dates";
        }
        if (lower.contains("protocol_version") || lower.contains("no appropriate protocol")
                || lower.contains("unsupported protocol")) {
            return prefix + "no TLS version in common (we offer " + String.join(", ", engine.getEnabledProtocols())
                    + "); allow more with --tls-versions 1.2,1.3";
        }
        if (lower.contains("handshake_failure") || lower.contains("no negotiable cipher")) {
            return prefix + "no cipher suite or TLS version in common with the peer (" + text + ")";
        }
        return prefix + text;
    }

    private static String alert(String text) {
        int colon = text.lastIndexOf(':');
        return colon < 0 ? text : "alert " + text.substring(colon + 1).strip();
    }

    // The engine-less and socket forms are never used by SSLEngine; they keep the JDK's checks.

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate.checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate.checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        delegate.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        delegate.checkServerTrusted(chain, authType, socket);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return delegate.getAcceptedIssuers();
    }
}
