package dev.sockit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS is two commands away: sockit cert, then a server and a client that use its files. */
class TlsCommandTest {

    @TempDir
    Path dir;

    @Test
    void aCertificateFromSockitCertServesTlsToAClientThatTrustsIt() throws Exception {
        String cert = dir.resolve("sockit-cert.pem").toString();
        String key = dir.resolve("sockit-key.pem").toString();
        try (SockitProcess made = SockitProcess.start("cert", "--cert", cert, "--key", key)) {
            assertThat(made.exitStatus()).isZero();
        }
        assertThat(Files.readString(Path.of(key))).startsWith("-----BEGIN PRIVATE KEY-----");
        try (SockitProcess server = SockitProcess.serverOn("tls://127.0.0.1:0", "--cert", cert, "--key", key);
             SockitProcess client = SockitProcess.start("client", "tls://127.0.0.1:" + server.port(), "--ca", cert)
                     .input("one\ntwo\n")) {
            assertThat(client.restOfOut()).containsExactly("server received your message.", "server received your message.");
            assertThat(client.exitStatus()).isZero();
            assertThat(client.restOfErr()).isEmpty();
        }
    }

    @Test
    void sockitCertRefusesToOverwriteWithoutForce() throws Exception {
        Path cert = Files.writeString(dir.resolve("cert.pem"), "keep me");
        try (SockitProcess made = SockitProcess.start("cert", "--cert", cert.toString(), "--key",
                dir.resolve("key.pem").toString())) {
            assertThat(made.exitStatus()).isEqualTo(2);
            assertThat(made.restOfErr()).containsExactly("sockit: " + cert
                    + " exists; keep it, choose other files with --cert and --key, or replace it with --force");
        }
        assertThat(Files.readString(cert)).isEqualTo("keep me");
    }

    @Test
    void anInsecureClientWarnsOnStderrAndAPlainClientIsToldThePortSpeaksTls() throws Exception {
        String cert = dir.resolve("c.pem").toString();
        String key = dir.resolve("k.pem").toString();
        try (SockitProcess made = SockitProcess.start("cert", "--cert", cert, "--key", key)) {
            assertThat(made.exitStatus()).isZero();
        }
        try (SockitProcess server = SockitProcess.serverOn("tls://127.0.0.1:0", "--cert", cert, "--key", key, "--mode", "echo")) {
            try (SockitProcess insecure = SockitProcess.start("client", "tls://127.0.0.1:" + server.port(), "--insecure")
                    .input("hi\n")) {
                assertThat(insecure.restOfOut()).containsExactly("hi");
                assertThat(insecure.restOfErr()).singleElement().asString()
                        .startsWith("sockit: WARNING: --insecure: the server's certificate and name are NOT verified");
            }
            try (SockitProcess plain = SockitProcess.start("client", "tcp://127.0.0.1:" + server.port()).input("hi\n")) {
                assertThat(plain.restOfOut()).containsExactly("error: this port speaks TLS; connect with a TLS client (tls://)");
            }
            server.awaitErr("sockit: 127\\.0\\.0\\.1:\\d+: TLS handshake failed: the peer does not speak TLS.*");
        }
    }
}
