package dev.sockit.cli;

import dev.sockit.Endpoint;
import dev.sockit.Tls;
import java.io.PrintStream;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code sockit relay}'s TLS options for the side it connects to: the client's options under
 * a {@code --target-} prefix, since {@code --cert} and {@code --key} belong to the listening side.
 */
final class TargetTlsOptions {

    @Option(names = "--target-ca", paramLabel = "FILE",
            description = "tls:// target: trust only the CA certificates in this PEM file instead of the JDK's trust store.")
    Path ca;

    @Option(names = "--target-insecure",
            description = "tls:// target: do not verify its certificate or name (encrypted, but not authenticated; for "
                    + "tests only). Warns on start.")
    boolean insecure;

    @Option(names = "--target-cert", paramLabel = "FILE",
            description = "tls:// target: a client certificate (PEM) for a target that requires one (mutual TLS).")
    Path cert;

    @Option(names = "--target-key", paramLabel = "FILE", description = "tls:// target: the private key of --target-cert, PKCS#8 PEM.")
    Path key;

    /** The TLS towards a tls:// target, warning on {@code err} if insecure; null for other targets. */
    Tls tls(Endpoint target, PrintStream err) {
        boolean given = ca != null || insecure || cert != null || key != null;
        if (target.kind() != Endpoint.Kind.TLS) {
            if (given) {
                throw new IllegalArgumentException("--target-ca, --target-insecure, --target-cert and --target-key apply"
                        + " to a tls:// target; relay to tls://" + target.authority());
            }
            return null;
        }
        Tls tls = Tls.client();
        if (insecure) {
            if (ca != null) {
                throw new IllegalArgumentException("--target-insecure trusts any certificate and --target-ca only its"
                        + " CA's: give one");
            }
            err.println("sockit: WARNING: --target-insecure: the target's certificate and name are NOT verified; anyone"
                    + " on the path can read and change what is relayed. Use --target-ca FILE instead.");
            tls = tls.insecure();
        }
        if (ca != null) {
            tls = tls.trust(ca);
        }
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException("a client certificate towards the target needs both --target-cert FILE"
                    + " and --target-key FILE");
        }
        return cert != null ? tls.identity(cert, key) : tls;
    }
}
