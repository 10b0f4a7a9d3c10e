package dev.sockit.cli;

import dev.sockit.DevCertificate;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sockit cert}: a self-signed development certificate and key, so that TLS is two commands away. */
@Command(name = "cert",
        mixinStandardHelpOptions = true,
        description = "Makes a self-signed development certificate and its private key as PEM files (EC P-256), "
                + "for the names given with --host. Not for production: whoever has the key file can be this server.%n",
        footerHeading = "%nExamples:%n",
        footer = {
            "  sockit cert                          # sockit-cert.pem, sockit-key.pem: localhost, 127.0.0.1, ::1",
            "  sockit server tls://127.0.0.1:8443 --cert sockit-cert.pem --key sockit-key.pem",
            "  sockit client tls://127.0.0.1:8443 --ca sockit-cert.pem",
            "  sockit cert --host app.test,10.0.0.5 --days 7 --force",
        })
final class CertCommand implements Callable<Integer>, Sockit.Verbose {

    @Option(names = "--cert", paramLabel = "FILE", defaultValue = "sockit-cert.pem",
            description = "Where to write the certificate. Default: ${DEFAULT-VALUE}.")
    Path cert;

    @Option(names = "--key", paramLabel = "FILE", defaultValue = "sockit-key.pem",
            description = "Where to write the private key (made readable by you alone). Default: ${DEFAULT-VALUE}.")
    Path key;

    @Option(names = "--host", paramLabel = "NAME", split = ",",
            description = "A host name or IP address the certificate is for; repeat or separate with commas. "
                    + "Default: localhost,127.0.0.1,::1.")
    List<String> hosts;

    @Option(names = "--days", paramLabel = "N", defaultValue = "30",
            description = "How many days the certificate is valid. Default: ${DEFAULT-VALUE}.")
    int days;

    @Option(names = "--force", description = "Replace the files if they exist.")
    boolean force;

    @Option(names = {"-v", "--verbose"}, description = "Print stack traces with errors.")
    boolean verbose;

    @Override
    public boolean verbose() {
        return verbose;
    }

    @Override
    public Integer call() throws Exception {
        List<String> names = hosts == null ? DevCertificate.DEFAULT_HOSTS : new ArrayList<>(hosts);
        DevCertificate certificate = DevCertificate.builder().hosts(names).days(days).create();
        try {
            certificate.write(cert, key, force);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw new IllegalArgumentException(e.getFile() + " exists; keep it, choose other files with --cert and"
                    + " --key, or replace it with --force");
        }
        System.out.println("Wrote " + cert + " (certificate for " + String.join(", ", names) + ", valid until "
                + certificate.certificate().getNotAfter().toInstant() + ") and " + key + " (its private key).");
        String host = names.getFirst().contains(":") ? "[" + names.getFirst() + "]" : names.getFirst();
        System.out.println("Next:");
        System.out.println("  sockit server tls://" + host + ":8443 --cert " + cert + " --key " + key);
        System.out.println("  sockit client tls://" + host + ":8443 --ca " + cert);
        return 0;
    }
}
