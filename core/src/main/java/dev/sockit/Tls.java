package dev.sockit;

import dev.sockit.transport.Pem;
import dev.sockit.transport.TlsTrust;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * How a {@code tls://} endpoint encrypts and whom it trusts: the JDK's TLS (SSLEngine), with
 * certificates from PEM or PKCS#12 files. Immutable: each method returns a changed copy.
 *
 * <pre>{@code
 * Server.listen(Endpoint.parse("tls://0.0.0.0:8443"))
 *       .tls(Tls.server(Path.of("cert.pem"), Path.of("key.pem")))   // reloaded when the files change
 *       .start();
 * Client.connect(Endpoint.parse("tls://app.example.test:8443"))
 *       .tls(Tls.client().trust(Path.of("ca.pem")))                   // default: the JDK's trust store
 *       .open();
 * }</pre>
 *
 * <p>Defaults: TLS 1.3 only ({@link #versions} allows 1.2); a client verifies the server's
 * certificate against the JDK's trust store and checks that it is for the host name or
 * address it connected to (endpoint identification "HTTPS"), and sends the host name as SNI
 * (not for an address); a server asks for no client certificate. Server certificate files are
 * checked for changes every 2 seconds ({@link #reloadInterval}).
 */
public final class Tls {

    private static final List<String> DEFAULT_VERSIONS = List.of("TLSv1.3");

    private final boolean server;
    private final Path certFile;
    private final Path keyFile;
    private final Path keystore;
    private final char[] keystorePassword;
    private final Path caFile;
    private final boolean insecure;
    private final List<String> versions;
    private final Duration reloadInterval;

    private Tls(boolean server, Path certFile, Path keyFile, Path keystore, char[] keystorePassword, Path caFile,
            boolean insecure, List<String> versions, Duration reloadInterval) {
        this.server = server;
        this.certFile = certFile;
        this.keyFile = keyFile;
        this.keystore = keystore;
        this.keystorePassword = keystorePassword;
        this.caFile = caFile;
        this.insecure = insecure;
        this.versions = versions;
        this.reloadInterval = reloadInterval;
    }

    /**
     * A server's TLS with its certificate chain (PEM, its own certificate first) and private
     * key (unencrypted PKCS#8 PEM, RSA or EC). The files are read when the server starts and
     * again whenever they change.
     *
     * @param certPem the certificate chain's PEM file
     * @param keyPem  the private key's PEM file
     * @return a server's settings
     */
    public static Tls server(Path certPem, Path keyPem) {
        return new Tls(true, Objects.requireNonNull(certPem, "certPem"), Objects.requireNonNull(keyPem, "keyPem"),
                null, null, null, false, DEFAULT_VERSIONS, Duration.ofSeconds(2));
    }

    /**
     * {@return a server's TLS with the key and certificate chain in a PKCS#12 file}; the file is
     * read again when it changes.
     *
     * @param pkcs12   the keystore file, with one private key entry
     * @param password the keystore's password, also the key's; copied, so the caller may clear it
     */
    public static Tls keystore(Path pkcs12, char[] password) {
        return new Tls(true, null, null, Objects.requireNonNull(pkcs12, "pkcs12"),
                Objects.requireNonNull(password, "password").clone(), null, false, DEFAULT_VERSIONS, Duration.ofSeconds(2));
    }

    /** {@return a client's TLS}: trusts the JDK's trust store, checks the host name, presents no certificate. */
    public static Tls client() {
        return new Tls(false, null, null, null, null, null, false, DEFAULT_VERSIONS, Duration.ofSeconds(2));
    }

    /** {@return true for a server's settings} */
    public boolean isServer() {
        return server;
    }

    /**
     * Client: trust only the CA certificates in this PEM file (a private CA, or a self-signed
     * certificate itself), instead of the JDK's trust store.
     *
     * @param caPem the PEM file of the certificates to trust
     * @return a copy with that trust
     * @throws IllegalStateException on a server's settings, which take {@link #requireClientCertificates}
     */
    public Tls trust(Path caPem) {
        requireSide(false, "trust(caPem)", "requireClientCertificates(caPem)");
        return new Tls(server, certFile, keyFile, keystore, keystorePassword, Objects.requireNonNull(caPem, "caPem"),
                insecure, versions, reloadInterval);
    }

    /**
     * Server: mutual TLS; every client must present a certificate signed by a CA in this PEM
     * file, or its handshake fails. Default: no client certificate asked for.
     *
     * @param caPem the PEM file of the CA certificates that sign the clients'
     * @return a copy that asks for client certificates
     * @throws IllegalStateException on a client's settings, which take {@link #trust}
     */
    public Tls requireClientCertificates(Path caPem) {
        requireSide(true, "requireClientCertificates(caPem)", "trust(caPem)");
        return new Tls(server, certFile, keyFile, keystore, keystorePassword, Objects.requireNonNull(caPem, "caPem"),
                insecure, versions, reloadInterval);
    }

    /**
     * Client: the certificate and key to present to a server that asks for one (mutual TLS). Default: none.
     *
     * @param certPem the certificate chain's PEM file, the client's own first
     * @param keyPem  the private key's PEM file, unencrypted PKCS#8
     * @return a copy that presents them
     * @throws IllegalStateException on a server's settings, which take {@link #server}
     */
    public Tls identity(Path certPem, Path keyPem) {
        requireSide(false, "identity(certPem, keyPem)", "server(certPem, keyPem)");
        return new Tls(server, Objects.requireNonNull(certPem, "certPem"), Objects.requireNonNull(keyPem, "keyPem"),
                keystore, keystorePassword, caFile, insecure, versions, reloadInterval);
    }

    /**
     * Client: trust any certificate for any name. Encrypts, but anyone in the path can read
     * and change everything; for tests against a server whose certificate cannot be had
     * otherwise. Default: off.
     *
     * @return a copy that verifies nothing
     * @throws IllegalStateException on a server's settings
     */
    public Tls insecure() {
        requireSide(false, "insecure()", "nothing: a server does not verify unless it asks for client certificates");
        return new Tls(server, certFile, keyFile, keystore, keystorePassword, caFile, true, versions, reloadInterval);
    }

    /** {@return true when {@link #insecure()} was asked for} */
    public boolean isInsecure() {
        return insecure;
    }

    /**
     * The TLS versions allowed: {@code "1.3"}, {@code "1.2"} (or {@code "TLSv1.3"}...).
     * Default: 1.3 only.
     *
     * @param versions one or both versions, in any order
     * @return a copy that allows exactly these
     * @throws IllegalArgumentException for another version, which is unsafe or unknown, or none
     */
    public Tls versions(String... versions) {
        Set<String> chosen = new LinkedHashSet<>();
        for (String v : versions) {
            String s = v.strip().toLowerCase(Locale.ROOT).replace("tlsv", "");
            switch (s) {
                case "1.3" -> chosen.add("TLSv1.3");
                case "1.2" -> chosen.add("TLSv1.2");
                default -> throw new IllegalArgumentException("TLS version \"" + v + "\" is not offered; choose 1.3, 1.2 or"
                        + " both (1.0 and 1.1 are broken and disabled in the JDK)");
            }
        }
        if (chosen.isEmpty()) {
            throw new IllegalArgumentException("no TLS version given; choose 1.3, 1.2 or both, e.g. 1.2,1.3");
        }
        return new Tls(server, certFile, keyFile, keystore, keystorePassword, caFile, insecure, List.copyOf(chosen),
                reloadInterval);
    }

    /** {@return the TLS versions allowed, as the JDK names them ({@code TLSv1.3})} */
    public List<String> versions() {
        return versions;
    }

    /**
     * Server: how often the certificate files are checked for changes. Default: 2 s.
     *
     * @param interval a positive duration
     * @return a copy with that interval
     * @throws IllegalArgumentException when {@code interval} is zero or negative
     */
    public Tls reloadInterval(Duration interval) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("reloadInterval must be positive, not " + interval);
        }
        return new Tls(server, certFile, keyFile, keystore, keystorePassword, caFile, insecure, versions, interval);
    }

    Duration reloadInterval() {
        return reloadInterval;
    }

    /** The files a server's context is built from, which it watches. */
    List<Path> files() {
        List<Path> files = new ArrayList<>();
        for (Path p : new Path[] {certFile, keyFile, keystore, caFile}) {
            if (p != null) {
                files.add(p);
            }
        }
        return files;
    }

    private void requireSide(boolean serverSide, String method, String instead) {
        if (server != serverSide) {
            throw new IllegalStateException(method + " is for a " + (serverSide ? "server" : "client") + "'s TLS"
                    + " (Tls." + (serverSide ? "server(...)" : "client()") + "); for this side use " + instead);
        }
    }

    /**
     * Reads the files and builds a context.
     *
     * @throws IOException naming the file and what is wrong with it
     */
    SSLContext context() throws IOException {
        try {
            KeyManager[] keyManagers = keyManagers();
            TrustManager[] trustManagers = trustManagers();
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers, trustManagers, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    private KeyManager[] keyManagers() throws IOException, GeneralSecurityException {
        KeyStore store;
        char[] password;
        if (keystore != null) {
            password = keystorePassword;
            try {
                store = KeyStore.getInstance(keystore.toFile(), password);
            } catch (IOException e) {
                if (e.getCause() instanceof UnrecoverableKeyException || String.valueOf(e.getMessage()).contains("password")) {
                    throw new IOException("cannot open the keystore " + keystore + ": wrong password"
                            + " (give it with --keystore-password)", e);
                }
                throw new IOException("cannot read the keystore " + keystore + " (a PKCS#12 file is expected): "
                        + e.getMessage(), e);
            } catch (java.security.KeyStoreException e) {
                throw new IOException("cannot read the keystore " + keystore + ": not a PKCS#12 or JKS file", e);
            }
        } else if (certFile != null) {
            List<X509Certificate> chain = Pem.certificates(certFile);
            PrivateKey key = Pem.privateKey(keyFile);
            checkPair(chain.getFirst(), key);
            password = new char[0];
            store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("sockit", key, password, chain.toArray(Certificate[]::new));
        } else {
            return null;
        }
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(store, password);
        return factory.getKeyManagers();
    }

    /** A key that does not belong to its certificate would fail every handshake: refuse it at load. */
    private void checkPair(X509Certificate certificate, PrivateKey key) throws IOException {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
            default -> null;
        };
        if (algorithm == null) {
            return;
        }
        try {
            byte[] probe = "sockit key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            if (verifier.verify(signature)) {
                return;
            }
        } catch (GeneralSecurityException differentKinds) {
            // An EC key with an RSA certificate, say: it does not match either.
        }
        throw new IOException("the key in " + keyFile + " does not belong to the certificate in " + certFile + " ("
                + certificate.getSubjectX500Principal().getName() + "); give the key that was made with it");
    }

    private TrustManager[] trustManagers() throws IOException, GeneralSecurityException {
        if (insecure) {
            return new TrustManager[] {TRUST_ANYONE};
        }
        if (server && caFile == null) {
            return null; // asks for no client certificate: nothing to verify
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
        String trusted;
        if (caFile != null) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int i = 0;
            for (X509Certificate ca : Pem.certificates(caFile)) {
                store.setCertificateEntry("ca-" + i++, ca);
            }
            factory.init(store);
            trusted = "the CA in " + caFile;
        } else {
            factory.init((KeyStore) null);
            trusted = "any CA in the JDK's trust store";
        }
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509ExtendedTrustManager x509) {
                return new TrustManager[] {new TlsTrust(x509, trusted)};
            }
        }
        throw new GeneralSecurityException("this JDK has no X.509 trust manager");
    }

    /**
     * An engine for one connection: a server's, or a client's for {@code endpoint}, whose host
     * is checked against the certificate and sent as SNI.
     */
    SSLEngine engine(SSLContext context, Endpoint endpoint) {
        SSLEngine engine;
        if (server) {
            engine = context.createSSLEngine();
            engine.setUseClientMode(false);
        } else {
            engine = context.createSSLEngine(endpoint.host(), endpoint.port());
            engine.setUseClientMode(true);
        }
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setProtocols(versions.toArray(String[]::new));
        if (server) {
            parameters.setNeedClientAuth(caFile != null);
        } else {
            if (!insecure) {
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
            }
            if (!DevCertificate.isAddressLiteral(endpoint.host())) {
                parameters.setServerNames(List.of(new SNIHostName(endpoint.host())));
            }
        }
        engine.setSSLParameters(parameters);
        return engine;
    }

    private static final X509TrustManager TRUST_ANYONE = new X509TrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    };

    @Override
    public String toString() {
        return (server ? "TLS server" : "TLS client") + " " + versions
                + (certFile != null ? " cert " + certFile : "") + (keystore != null ? " keystore " + keystore : "")
                + (caFile != null ? (server ? " client CA " : " CA ") + caFile : "") + (insecure ? " INSECURE" : "");
    }
}
