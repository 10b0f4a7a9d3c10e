package dev.sockit;

import dev.sockit.transport.Der;
import dev.sockit.transport.Pem;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.io.ByteArrayInputStream;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A certificate and its private key made here, for development and tests: self-signed by
 * default, or signed by another {@code DevCertificate} made as an authority. EC P-256 keys,
 * SHA-256 with ECDSA signatures, the host names and addresses in the subject alternative name
 * (which is what clients check), usable for server and client authentication.
 *
 * <pre>{@code
 * DevCertificate cert = DevCertificate.builder().create();         // localhost, 127.0.0.1, ::1; 30 days
 * cert.write(Path.of("sockit-cert.pem"), Path.of("sockit-key.pem"), false);
 * Server.listen(Endpoint.parse("tls://127.0.0.1:8443"))
 *       .tls(Tls.server(Path.of("sockit-cert.pem"), Path.of("sockit-key.pem")));
 * }</pre>
 *
 * <p>Written by hand in DER rather than by running the JDK's {@code keytool}: no process to
 * start, no dependence on a JDK that ships keytool, and tests can make authorities, signed
 * and expired certificates in milliseconds. Never use these certificates in production: anyone
 * who trusts one trusts whoever holds its key file.
 */
public final class DevCertificate {

    /** The names a development certificate is for when none are given. */
    public static final List<String> DEFAULT_HOSTS = List.of("localhost", "127.0.0.1", "::1");

    private final X509Certificate certificate;
    private final PrivateKey privateKey;

    private DevCertificate(X509Certificate certificate, PrivateKey privateKey) {
        this.certificate = certificate;
        this.privateKey = privateKey;
    }

    /**
     * {@return a new description of a certificate}: self-signed, for {@link #DEFAULT_HOSTS},
     * valid from now for 30 days, until changed.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return the certificate: an EC P-256 key signed with ECDSA and SHA-256} */
    public X509Certificate certificate() {
        return certificate;
    }

    /** {@return the certificate's private key}, kept in memory only until {@link #write} */
    public PrivateKey privateKey() {
        return privateKey;
    }

    /** {@return the certificate as PEM ({@code -----BEGIN CERTIFICATE-----})} */
    public String certificatePem() {
        try {
            return Pem.encode("CERTIFICATE", certificate.getEncoded());
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException("cannot encode a certificate made here: " + e.getMessage(), e);
        }
    }

    /** {@return the private key as unencrypted PKCS#8 PEM ({@code -----BEGIN PRIVATE KEY-----})} */
    public String privateKeyPem() {
        return Pem.encode("PRIVATE KEY", privateKey.getEncoded());
    }

    /**
     * Writes the certificate and the key as PEM files; the key file is readable by its owner
     * alone where the file system has POSIX permissions.
     *
     * @param certFile  where to write the certificate
     * @param keyFile   where to write the private key
     * @param overwrite replace files that exist; when false, existing files are left alone
     * @throws FileAlreadyExistsException naming the file, when it exists and {@code overwrite} is false
     */
    public void write(Path certFile, Path keyFile, boolean overwrite) throws IOException {
        if (!overwrite) {
            for (Path p : List.of(certFile, keyFile)) {
                if (Files.exists(p)) {
                    throw new FileAlreadyExistsException(p.toString(), null,
                            "exists; keep it, choose another name, or replace it with --force");
                }
            }
        }
        Files.writeString(certFile, certificatePem());
        Files.deleteIfExists(keyFile);
        try {
            Files.createFile(keyFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(keyFile);
        }
        Files.writeString(keyFile, privateKeyPem(), StandardOpenOption.TRUNCATE_EXISTING);
    }

    /** Describes a {@link DevCertificate}; used on one thread. */
    public static final class Builder {
        private List<String> hosts = DEFAULT_HOSTS;
        private String commonName;
        private Instant notBefore;
        private Instant notAfter;
        private boolean authority;
        private DevCertificate issuer;

        private Builder() {}

        /**
         * The DNS names and IP addresses the certificate is for. Default: localhost, 127.0.0.1, ::1.
         *
         * @param hosts at least one name or address literal, e.g. {@code app.example.test}
         * @return this builder
         * @throws IllegalArgumentException when none is given
         */
        public Builder hosts(String... hosts) {
            return hosts(List.of(hosts));
        }

        /**
         * The DNS names and IP addresses the certificate is for. Default: localhost, 127.0.0.1, ::1.
         *
         * @param hosts at least one name or address literal
         * @return this builder
         * @throws IllegalArgumentException when the list is empty
         */
        public Builder hosts(List<String> hosts) {
            if (hosts.isEmpty()) {
                throw new IllegalArgumentException("a certificate needs at least one host name or address");
            }
            this.hosts = List.copyOf(hosts);
            return this;
        }

        /**
         * The subject's common name, for people reading it. Default: the first host.
         *
         * @param commonName the name; not null
         * @return this builder
         */
        public Builder commonName(String commonName) {
            this.commonName = Objects.requireNonNull(commonName, "commonName");
            return this;
        }

        /**
         * Valid from now (less a minute, for clocks a little apart) for {@code days}. Default: 30 days.
         *
         * @param days 1 or more
         * @return this builder
         * @throws IllegalArgumentException when {@code days} is below 1
         */
        public Builder days(int days) {
            if (days < 1) {
                throw new IllegalArgumentException("a certificate must be valid for at least 1 day, not " + days);
            }
            Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            return validity(now.minus(Duration.ofMinutes(1)), now.plus(Duration.ofDays(days)));
        }

        /**
         * Valid from {@code notBefore} to {@code notAfter}; may lie in the past, to test expiry.
         * Both are cut to whole seconds, as a certificate holds them.
         *
         * @param notBefore the first instant it is valid
         * @param notAfter  the last instant it is valid, after {@code notBefore}
         * @return this builder
         * @throws IllegalArgumentException when {@code notAfter} does not come after {@code notBefore}
         */
        public Builder validity(Instant notBefore, Instant notAfter) {
            if (!notAfter.isAfter(notBefore)) {
                throw new IllegalArgumentException("a certificate's end (" + notAfter + ") must come after its start ("
                        + notBefore + ")");
            }
            this.notBefore = notBefore.truncatedTo(ChronoUnit.SECONDS);
            this.notAfter = notAfter.truncatedTo(ChronoUnit.SECONDS);
            return this;
        }

        /**
         * Makes a certificate authority, which may sign others (basic constraints CA:true). Default: not.
         *
         * @return this builder
         */
        public Builder authority() {
            this.authority = true;
            return this;
        }

        /**
         * Signed by {@code issuer}. Default: self-signed.
         *
         * @param issuer a certificate made with {@link #authority()}
         * @return this builder
         * @throws IllegalArgumentException when {@code issuer} is not an authority
         */
        public Builder signedBy(DevCertificate issuer) {
            if (issuer.certificate.getBasicConstraints() < 0) {
                throw new IllegalArgumentException(issuer.certificate.getSubjectX500Principal().getName()
                        + " is not an authority; make the issuer with DevCertificate.builder().authority()");
            }
            this.issuer = issuer;
            return this;
        }

        /**
         * Generates the key pair (EC P-256) and signs the certificate; takes milliseconds.
         *
         * @return the certificate and its key
         */
        public DevCertificate create() {
            if (notBefore == null) {
                days(30);
            }
            try {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
                generator.initialize(256);
                KeyPair keys = generator.generateKeyPair();
                String cn = commonName != null ? commonName : hosts.getFirst();
                byte[] subject = name(cn);
                byte[] issuerName = issuer == null ? subject : issuer.certificate.getSubjectX500Principal().getEncoded();
                PrivateKey signingKey = issuer == null ? keys.getPrivate() : issuer.privateKey;
                byte[] signatureAlgorithm = Der.sequence(Der.oid("1.2.840.10045.4.3.2")); // ecdsa-with-SHA256
                byte[] serial = new byte[16];
                new SecureRandom().nextBytes(serial);
                serial[0] &= 0x7f; // positive, as RFC 5280 requires
                byte[] tbs = Der.sequence(
                        Der.explicit(0, Der.integer(BigInteger.TWO)), // v3
                        Der.integer(new BigInteger(1, serial)),
                        signatureAlgorithm,
                        issuerName,
                        Der.sequence(Der.time(notBefore), Der.time(notAfter)),
                        subject,
                        keys.getPublic().getEncoded(), // SubjectPublicKeyInfo, already DER
                        Der.explicit(3, Der.sequence(extensions())));
                Signature signer = Signature.getInstance("SHA256withECDSA");
                signer.initSign(signingKey);
                signer.update(tbs);
                byte[] der = Der.sequence(tbs, signatureAlgorithm, Der.bitString(signer.sign()));
                X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                        .generateCertificate(new ByteArrayInputStream(der));
                return new DevCertificate(certificate, keys.getPrivate());
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("this JDK cannot make an EC P-256 certificate: " + e.getMessage(), e);
            }
        }

        private byte[][] extensions() {
            List<byte[]> extensions = new ArrayList<>();
            // basicConstraints, critical: CA or not.
            extensions.add(extension("2.5.29.19", true, authority ? Der.sequence(Der.bool(true)) : Der.sequence()));
            if (authority) {
                // keyUsage, critical: keyCertSign and cRLSign (bits 5 and 6) and digitalSignature (bit 0).
                extensions.add(extension("2.5.29.15", true, Der.element(0x03, new byte[] {1, (byte) 0x86})));
            } else {
                // extKeyUsage: serverAuth and clientAuth, so one certificate serves either end.
                extensions.add(extension("2.5.29.37", false,
                        Der.sequence(Der.oid("1.3.6.1.5.5.7.3.1"), Der.oid("1.3.6.1.5.5.7.3.2"))));
            }
            extensions.add(extension("2.5.29.17", false, subjectAltName()));
            return extensions.toArray(byte[][]::new);
        }

        private byte[] subjectAltName() {
            List<byte[]> names = new ArrayList<>();
            for (String host : hosts) {
                String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
                if (isAddressLiteral(h)) {
                    try {
                        names.add(Der.implicit(7, InetAddress.getByName(h).getAddress())); // iPAddress
                    } catch (UnknownHostException e) {
                        throw new IllegalArgumentException("\"" + host + "\" looks like an IP address but is not one", e);
                    }
                } else {
                    if (!h.matches("(\\*\\.)?[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?")) {
                        throw new IllegalArgumentException("\"" + host + "\" is neither a host name nor an IP address;"
                                + " write e.g. localhost, app.example.test, 127.0.0.1 or ::1");
                    }
                    names.add(Der.implicit(2, h.getBytes(java.nio.charset.StandardCharsets.US_ASCII))); // dNSName
                }
            }
            return Der.sequence(names.toArray(byte[][]::new));
        }

        private static byte[] extension(String oid, boolean critical, byte[] value) {
            return critical ? Der.sequence(Der.oid(oid), Der.bool(true), Der.octetString(value))
                    : Der.sequence(Der.oid(oid), Der.octetString(value));
        }

        private static byte[] name(String commonName) {
            return Der.sequence(Der.set(Der.sequence(Der.oid("2.5.4.3"), Der.utf8String(commonName))));
        }
    }

    /** True for an IPv4 or IPv6 literal (no name lookup is made for these). */
    static boolean isAddressLiteral(String host) {
        return host.contains(":") || host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    }
}
