package dev.sockit.cli;

import dev.sockit.Endpoint;
import dev.sockit.Tls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code sockit server}'s TLS options, gathered into one {@link Tls}. */
final class ServerTlsOptions {

    @Option(names = "--cert", paramLabel = "FILE",
            description = "tls://: the server's certificate chain, PEM, its own certificate first (sockit cert makes a "
                    + "development one). Reloaded when the file changes.")
    Path cert;

    @Option(names = "--key", paramLabel = "FILE",
            description = "tls://: the private key of --cert, unencrypted PKCS#8 PEM (BEGIN PRIVATE KEY), RSA or EC.")
    Path key;

    @Option(names = "--keystore", paramLabel = "FILE",
            description = "tls://: the key and certificate chain in a PKCS#12 file, instead of --cert and --key.")
    Path keystore;

    @Option(names = "--keystore-password", paramLabel = "PASSWORD",
            description = "The --keystore's password: the text, env:NAME (an environment variable) or file:PATH "
                    + "(its first line); env: and file: keep it out of the process list.")
    String keystorePassword;

    @Option(names = "--client-ca", paramLabel = "FILE",
            description = "tls://: mutual TLS; require every client to present a certificate signed by a CA in this PEM file.")
    Path clientCa;

    @Option(names = "--tls-versions", paramLabel = "V[,V]", split = ",",
            description = "tls://: the TLS versions allowed: 1.3, 1.2 or both (1.2,1.3). Default: 1.3.")
    String[] versions;

    @Option(names = "--handshake-timeout", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
            description = "tls://, ws://: close a client that has not completed its TLS handshake, or sent its whole WebSocket upgrade request and taken the answer, this long after connecting. "
                    + "Default: ${DEFAULT-VALUE}.")
    Duration handshakeTimeout = Duration.ofSeconds(10);

    /** The server's TLS for a tls:// endpoint; null for others, which refuse TLS options. */
    /** True when any TLS option was given. */
    boolean given() {
        return cert != null || key != null || keystore != null || clientCa != null || versions != null;
    }

    Tls tls(Endpoint endpoint) throws IOException {
        boolean given = given();
        if (!endpoint.kind().isTls()) {
            if (given) {
                throw new IllegalArgumentException("--cert, --key, --keystore, --client-ca and --tls-versions apply to"
                        + " tls:// and wss:// endpoints; listen on tls://" + endpoint.authority());
            }
            return null;
        }
        Tls tls;
        if (keystore != null) {
            if (cert != null || key != null) {
                throw new IllegalArgumentException("give either --keystore or --cert and --key, not both");
            }
            if (keystorePassword == null) {
                throw new IllegalArgumentException("--keystore needs --keystore-password (the text, env:NAME or file:PATH)");
            }
            tls = Tls.keystore(keystore, password(keystorePassword));
        } else if (cert != null && key != null) {
            tls = Tls.server(cert, key);
        } else {
            throw new IllegalArgumentException(endpoint + " needs a certificate: --cert FILE --key FILE (PEM) or"
                    + " --keystore FILE --keystore-password PASSWORD; for development, 'sockit cert' makes"
                    + " sockit-cert.pem and sockit-key.pem");
        }
        if (clientCa != null) {
            tls = tls.requireClientCertificates(clientCa);
        }
        return versions != null ? tls.versions(versions) : tls;
    }

    /** A password given as text, env:NAME or file:PATH. */
    static char[] password(String given) throws IOException {
        if (given.startsWith("env:")) {
            String value = System.getenv(given.substring(4));
            if (value == null) {
                throw new IllegalArgumentException("--keystore-password " + given + ": the environment variable "
                        + given.substring(4) + " is not set");
            }
            return value.toCharArray();
        }
        if (given.startsWith("file:")) {
            String text = Files.readString(Path.of(given.substring(5)));
            int end = text.indexOf('\n');
            return (end < 0 ? text : text.substring(0, end)).strip().toCharArray();
        }
        return given.toCharArray();
    }
}
