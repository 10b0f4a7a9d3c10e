package dev.sockit.transport;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM files: X.509 certificates (a chain, leaf first) and unencrypted PKCS#8 private
 * keys (RSA, EC, Ed25519). Other key formats are refused with the openssl command that
 * converts them. Text around the blocks (openssl's "Bag Attributes", comments) is ignored.
 */
public final class Pem {

    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
    private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS");

    private Pem() {}

    /** One PEM block of the given type ({@code CERTIFICATE}, {@code PRIVATE KEY}), lines of 64. */
    public static String encode(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /**
     * The certificates in a PEM file, in file order (a server's chain: its own first).
     *
     * @throws IOException naming the file and what is wrong with it
     */
    public static List<X509Certificate> certificates(Path file) throws IOException {
        List<X509Certificate> certificates = new ArrayList<>();
        List<String> others = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (Block block : blocks(file)) {
                if (block.type().equals("CERTIFICATE") || block.type().equals("TRUSTED CERTIFICATE")) {
                    certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(block.der())));
                } else {
                    others.add(block.type());
                }
            }
        } catch (CertificateException e) {
            throw new IOException("cannot read a certificate in " + file + ": " + e.getMessage(), e);
        }
        if (certificates.isEmpty()) {
            throw new IOException(file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)"
                    + (others.isEmpty() ? "" : "; it holds " + String.join(", ", others)
                    + (others.stream().anyMatch(t -> t.contains("PRIVATE KEY")) ? " — are the certificate and key files swapped?" : "")));
        }
        return certificates;
    }

    /**
     * The private key in a PEM file: unencrypted PKCS#8 ({@code -----BEGIN PRIVATE KEY-----}).
     *
     * @throws IOException naming the file, and for PKCS#1, SEC1 or encrypted keys the command that converts them
     */
    public static PrivateKey privateKey(Path file) throws IOException {
        List<Block> blocks = blocks(file);
        for (Block block : blocks) {
            switch (block.type()) {
                case "PRIVATE KEY" -> {
                    return pkcs8(file, block.der());
                }
                case "RSA PRIVATE KEY", "EC PRIVATE KEY" -> throw new IOException(file + " holds a "
                        + (block.type().startsWith("RSA") ? "PKCS#1 RSA" : "SEC1 EC") + " key (-----BEGIN " + block.type()
                        + "-----); sockit reads PKCS#8 keys: convert it with\n  openssl pkcs8 -topk8 -nocrypt -in " + file
                        + " -out key-pkcs8.pem");
                case "ENCRYPTED PRIVATE KEY" -> throw new IOException(file + " holds an encrypted private key;"
                        + " sockit reads unencrypted PKCS#8 PEM keys: decrypt it with\n  openssl pkcs8 -in " + file
                        + " -out key-plain.pem   (then chmod 600 key-plain.pem)\nor give a PKCS#12 keystore with"
                        + " --keystore FILE --keystore-password PASSWORD");
                default -> { }
            }
        }
        throw new IOException(file + " holds no PEM private key (-----BEGIN PRIVATE KEY-----)"
                + (blocks.stream().anyMatch(b -> b.type().equals("CERTIFICATE"))
                        ? "; it holds a certificate — are the certificate and key files swapped?" : ""));
    }

    private static PrivateKey pkcs8(Path file, byte[] der) throws IOException {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException notThisOne) {
                // The PKCS#8 wrapper names its algorithm by OID; trying each factory reads it for us.
            }
        }
        throw new IOException("cannot read the private key in " + file + ": not an RSA, EC or EdDSA key in PKCS#8 form");
    }

    private record Block(String type, byte[] der) {}

    private static List<Block> blocks(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no such file");
        } catch (java.nio.charset.MalformedInputException e) {
            throw new IOException(file + " is not a PEM file (it holds binary data; a DER or PKCS#12 file?"
                    + " convert DER with: openssl x509 -inform der -in " + file + " -out cert.pem;"
                    + " give a PKCS#12 file with --keystore)");
        }
        List<Block> blocks = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            try {
                blocks.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": the " + m.group(1) + " block is not valid base64: " + e.getMessage());
            }
        }
        if (blocks.isEmpty() && text.contains("-----BEGIN")) {
            // Encrypted PKCS#1 has "Proc-Type" headers inside the block, which the pattern refuses.
            if (text.contains("Proc-Type: 4,ENCRYPTED")) {
                throw new IOException(file + " holds an encrypted key in the old OpenSSL format; decrypt and convert it with\n"
                        + "  openssl pkcs8 -topk8 -nocrypt -in " + file + " -out key-pkcs8.pem");
            }
            throw new IOException(file + " has a -----BEGIN line but no complete PEM block");
        }
        return blocks;
    }
}
