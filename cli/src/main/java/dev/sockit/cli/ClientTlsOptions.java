package dev.sockit.cli;

import dev.sockit.Endpoint;
import dev.sockit.Tls;
import java.io.PrintStream;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code sockit client}'s TLS options, gathered into one {@link Tls}. */
final class ClientTlsOptions {

    @Option(names = "--ca", paramLabel = "FILE",
            description = "tls://: trust only the CA certificates in this PEM file (a private CA, or the certificate of "
                    + "'sockit cert' itself) instead of the JDK's trust store.")
    Path ca;

    @Option(names = "--insecure",
            description = "tls://: do not verify the server's certificate or name. Encrypted, but anyone on the path "
                    + "can read and change everything; for tests only. Warns on every use.")
    boolean insecure;

    @Option(names = "--cert", paramLabel = "FILE",
            description = "tls://: a client certificate (PEM) for a server that requires one (mutual TLS).")
    Path cert;

    @Option(names = "--key", paramLabel = "FILE", description = "tls://: the private key of --cert, PKCS#8 PEM.")
    Path key;

    @Option(names = "--tls-versions", paramLabel = "V[,V]", split = ",",
            description = "tls://: the TLS versions allowed: 1.3, 1.2 or both (1.2,1.3). Default: 1.3.")
    String[] versions;

    /** The client's TLS for a tls:// endpoint, warning on {@code err} if insecure; null for others. */
    Tls tls(Endpoint endpoint, PrintStream err) {
        boolean given = ca != null || insecure || cert != null || key != null || versions != null;
        if (!endpoint.kind().isTls()) {
            if (given) {
                throw new IllegalArgumentException("--ca, --insecure, --cert, --key and --tls-versions apply to tls://"
                        + " and wss:// endpoints; connect to tls://" + endpoint.authority());
            }
            return null;
        }
        Tls tls = Tls.client();
        if (insecure) {
            if (ca != null) {
                throw new IllegalArgumentException("--insecure trusts any certificate and --ca only its CA's: give one");
            }
            err.println("sockit: WARNING: --insecure: the server's certificate and name are NOT verified; anyone on the"
                    + " path can read and change this connection. Use --ca FILE to trust a private CA instead.");
            tls = tls.insecure();
        }
        if (ca != null) {
            tls = tls.trust(ca);
        }
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException("a client certificate needs both --cert FILE and --key FILE");
        }
        if (cert != null) {
            tls = tls.identity(cert, key);
        }
        return versions != null ? tls.versions(versions) : tls;
    }
}
