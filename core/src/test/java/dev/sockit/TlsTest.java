package dev.sockit;

import static dev.sockit.TestKit.PATIENCE;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sockit.framing.Lines;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS end to end on loopback, with certificates made in a temporary folder at test time. The
 * peer is often the JDK's own {@link SSLSocket}, so that the server is not only tested by the
 * client written next to it.
 */
class TlsTest {

    @TempDir
    Path dir;

    private Path cert;
    private Path key;
    private final BlockingQueue<CloseReason> closed = new LinkedBlockingQueue<>();
    private final BlockingQueue<List<Path>> reloads = new LinkedBlockingQueue<>();
    private final Observer observer = new Observer() {
        @Override
        public void closed(Connection connection, CloseReason reason) {
            closed.add(reason);
        }

        @Override
        public void tlsReloaded(List<Path> files) {
            reloads.add(files);
        }
    };

    @BeforeEach
    void makeCertificate() throws IOException {
        cert = dir.resolve("cert.pem");
        key = dir.resolve("key.pem");
        DevCertificate.builder().create().write(cert, key, false);
    }

    private Server.Builder tlsServer(Tls tls) {
        return Server.listen(Endpoint.parse("tls://127.0.0.1:0")).tls(tls).observer(observer)
                .handler(Handlers.echo());
    }

    private Client client(Server server, Tls tls) {
        return Client.connect(Endpoint.tls("127.0.0.1", server.port())).tls(tls);
    }

    @Test
    void servesAJdkTlsClientThatTrustsItsCertificate() throws Exception {
        try (Server server = tlsServer(Tls.server(cert, key)).start();
             SSLSocket peer = TestKit.jdkTlsClient(cert, server.port())) {
            peer.getOutputStream().write("hello\n".getBytes(UTF_8));
            assertThat(reader(peer).readLine()).isEqualTo("hello");
            assertThat(peer.getSession().getProtocol()).isEqualTo("TLSv1.3");
        }
    }

    @Test
    void clientTalksToTheServerOverTls() throws Exception {
        try (Server server = tlsServer(Tls.server(cert, key)).start();
             Connection connection = client(server, Tls.client().trust(cert)).open()) {
            connection.send("hello");
            assertThat(connection.receive().text()).isEqualTo("hello");
            assertThat(connection.protocol()).isEqualTo("tls");
        }
    }

    @Test
    void carriesMessagesLargerThanATlsRecordBothWays() throws Exception {
        String big = "x".repeat(300_000);
        try (Server server = tlsServer(Tls.server(cert, key)).framing(Lines.maxLength(1 << 20)).start();
             Connection connection = Client.connect(Endpoint.tls("127.0.0.1", server.port()))
                     .tls(Tls.client().trust(cert)).framing(Lines.maxLength(1 << 20)).open()) {
            for (int i = 0; i < 3; i++) {
                connection.send(big + i);
            }
            for (int i = 0; i < 3; i++) {
                assertThat(connection.receive().text()).isEqualTo(big + i);
            }
        }
    }

    @Test
    void repliesStillArriveAfterTheClientHalfCloses() throws Exception {
        try (Server server = tlsServer(Tls.server(cert, key)).start();
             Connection connection = client(server, Tls.client().trust(cert)).open()) {
            connection.send("one");
            connection.send("two");
            connection.shutdownOutput();
            assertThat(connection.receive().text()).isEqualTo("one");
            assertThat(connection.receive().text()).isEqualTo("two");
            assertThat(connection.receive()).isNull();
        }
    }

    @Test
    void speaksTls12WhenBothAllowIt() throws Exception {
        try (Server server = tlsServer(Tls.server(cert, key).versions("1.2", "1.3")).start();
             Connection connection = client(server, Tls.client().trust(cert).versions("1.2")).open()) {
            connection.send("hello");
            assertThat(connection.receive().text()).isEqualTo("hello");
        }
    }

    @Test
    void aLastLineCutWithoutCloseNotifyIsNotHandedOverAsWhole() throws Exception {
        BlockingQueue<String> handled = new LinkedBlockingQueue<>();
        Handler recording = connection -> {
            for (Message message; (message = connection.receive()) != null; ) {
                handled.add(message.text());
            }
            handled.add("(end)");
        };
        try (Server server = tlsServer(Tls.server(cert, key)).handler(recording).start();
             java.net.Socket raw = new java.net.Socket("127.0.0.1", server.port())) {
            javax.net.ssl.SSLSocket tls = TestKit.tlsOver(raw, cert, server.port());
            tls.getOutputStream().write("whole\ncut sho".getBytes(UTF_8));
            tls.getOutputStream().flush();
            raw.shutdownOutput(); // TCP ends with no close_notify: as a crash or an attacker would
            assertThat(handled.poll(5, TimeUnit.SECONDS)).isEqualTo("whole");
            assertThat(handled.poll(5, TimeUnit.SECONDS)).isEqualTo("(end)");
        }
    }

    @Test
    void mutualTlsAdmitsAClientFromTheClientCaAndTellsTheHandlerWhoItIs() throws Exception {
        DevCertificate ca = DevCertificate.builder().commonName("test CA").authority().create();
        Path caPem = write("ca.pem", ca.certificatePem());
        Path clientCert = dir.resolve("client-cert.pem");
        Path clientKey = dir.resolve("client-key.pem");
        DevCertificate.builder().commonName("alice").hosts("alice.test").signedBy(ca).create()
                .write(clientCert, clientKey, false);
        try (Server server = tlsServer(Tls.server(cert, key).requireClientCertificates(caPem)).handler(whoAmI()).start();
             Connection connection = client(server, Tls.client().trust(cert).identity(clientCert, clientKey)).open()) {
            connection.send("who am I?");
            assertThat(connection.receive().text()).isEqualTo("CN=alice over TLSv1.3, with a certificate");
        }
    }

    @Test
    void aHandlerSeesThatAPlainTlsPeerProvedNoIdentity() throws Exception {
        try (Server server = tlsServer(Tls.server(cert, key)).handler(whoAmI()).start();
             Connection connection = client(server, Tls.client().trust(cert)).open()) {
            connection.send("who am I?");
            assertThat(connection.receive().text()).isEqualTo("anonymous over TLSv1.3, without a certificate");
        }
    }

    private static Handler whoAmI() {
        return connection -> {
            while (connection.receive() != null) {
                TlsSession tls = connection.tls().orElseThrow();
                connection.send(tls.peer().map(java.security.Principal::getName).orElse("anonymous") + " over "
                        + tls.protocol() + ", " + (tls.peerCertificates().isEmpty() ? "without" : "with") + " a certificate");
            }
        };
    }

    @Test
    void mutualTlsRefusesAClientWithoutACertificate() throws Exception {
        DevCertificate ca = DevCertificate.builder().commonName("test CA").authority().create();
        Path caPem = write("ca.pem", ca.certificatePem());
        try (Server server = tlsServer(Tls.server(cert, key).requireClientCertificates(caPem)).start()) {
            // TLS 1.3: the client's handshake is done before the server checks; the refusal
            // arrives as an alert where the client reads its first reply.
            try (Connection connection = client(server, Tls.client().trust(cert)).open()) {
                connection.send("hello");
                assertThat(connection.receive()).isNull();
                assertThat(connection.closeReason().text()).isEqualTo("TLS handshake with tls://127.0.0.1:" + server.port()
                        + " failed: the server requires a client certificate; give one with --cert FILE --key FILE");
            }
            assertThat(closed.poll(5, TimeUnit.SECONDS).text())
                    .contains("the client sent no certificate, and this server requires one");
        }
    }

    @Test
    void refusesAServerSignedByAnotherCa() throws Exception {
        DevCertificate otherCa = DevCertificate.builder().commonName("other CA").authority().create();
        Path otherCaPem = write("other-ca.pem", otherCa.certificatePem());
        try (Server server = tlsServer(Tls.server(cert, key)).start()) {
            assertThatThrownBy(() -> client(server, Tls.client().trust(otherCaPem)).open())
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("TLS handshake with tls://127.0.0.1:" + server.port() + " failed")
                    .hasMessageContaining("the server's certificate (CN=localhost, self-signed) is not signed by the CA in "
                            + otherCaPem)
                    .hasMessageContaining("--ca FILE");
        }
    }

    @Test
    void refusesAnExpiredCertificate() throws Exception {
        Instant now = Instant.now();
        Path oldCert = dir.resolve("old-cert.pem");
        Path oldKey = dir.resolve("old-key.pem");
        DevCertificate.builder().validity(now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1))).create()
                .write(oldCert, oldKey, false);
        try (Server server = tlsServer(Tls.server(oldCert, oldKey)).start()) {
            assertThatThrownBy(() -> client(server, Tls.client().trust(oldCert)).open())
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("the server's certificate (CN=localhost) expired on")
                    .hasMessageContaining("renew it");
        }
    }

    @Test
    void refusesACertificateForAnotherHost() throws Exception {
        Path otherCert = dir.resolve("other-cert.pem");
        Path otherKey = dir.resolve("other-key.pem");
        DevCertificate.builder().hosts("app.example.test", "10.1.2.3").create().write(otherCert, otherKey, false);
        try (Server server = tlsServer(Tls.server(otherCert, otherKey)).start()) {
            assertThatThrownBy(() -> client(server, Tls.client().trust(otherCert)).open())
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("the server's certificate is for DNS:app.example.test, IP:10.1.2.3,"
                            + " not for 127.0.0.1");
        }
    }

    @Test
    void newConnectionsGetTheNewCertificateAndOpenOnesKeepWorking() throws Exception {
        try (Server server = tlsServer(Tls.server(cert, key).reloadInterval(Duration.ofMillis(20))).start();
             Connection before = client(server, Tls.client().trust(cert)).open()) {
            before.send("one");
            assertThat(before.receive().text()).isEqualTo("one");

            // Replace both files, as a certificate renewal does: written aside, then moved in.
            DevCertificate renewed = DevCertificate.builder().commonName("renewed").create();
            Files.move(write("new-cert.pem", renewed.certificatePem()), cert, StandardCopyOption.REPLACE_EXISTING);
            Files.move(write("new-key.pem", renewed.privateKeyPem()), key, StandardCopyOption.REPLACE_EXISTING);
            // The two moves may be seen apart (certificate first, key not yet): wait for a reload
            // after which the server's certificate is the new one.
            Path renewedPem = write("renewed.pem", renewed.certificatePem());
            long deadline = System.nanoTime() + PATIENCE.toNanos();
            String subject = "";
            while (!subject.equals("CN=renewed") && System.nanoTime() < deadline) {
                reloads.poll(5, TimeUnit.SECONDS);
                try (SSLSocket peer = TestKit.jdkTlsClient(renewedPem, server.port())) {
                    peer.startHandshake();
                    subject = ((X509Certificate) peer.getSession().getPeerCertificates()[0])
                            .getSubjectX500Principal().getName();
                } catch (IOException stillTheOldOne) {
                    // trusting only the renewed certificate, the handshake fails until it is in use
                }
            }
            assertThat(subject).isEqualTo("CN=renewed");

            before.send("two");
            assertThat(before.receive().text()).isEqualTo("two");
        }
    }

    @Test
    void closesAPeerThatSaysNothingAfterTheHandshakeTimeout() throws Exception {
        try (Server server = tlsServer(Tls.server(cert, key)).handshakeTimeout(Duration.ofMillis(200)).start();
             Socket peer = new Socket("127.0.0.1", server.port())) {
            peer.setSoTimeout((int) PATIENCE.toMillis());
            assertThat(peer.getInputStream().read()).isEqualTo(-1);
            CloseReason reason = closed.poll(5, TimeUnit.SECONDS);
            assertThat(reason.code()).isEqualTo(CloseReason.Code.TIMEOUT);
            assertThat(reason.text()).isEqualTo("TLS handshake not finished within 200 ms; connection closed"
                    + " (a peer that connects and says nothing; raise --handshake-timeout for very slow links)");
        }
    }

    @Test
    void tellsAPlainTextPeerThatThePortSpeaksTls() throws Exception {
        try (Server server = tlsServer(Tls.server(cert, key)).start();
             Socket peer = new Socket("127.0.0.1", server.port())) {
            peer.setSoTimeout((int) PATIENCE.toMillis());
            peer.getOutputStream().write("hello\n".getBytes(UTF_8));
            assertThat(reader(peer).readLine()).isEqualTo("error: this port speaks TLS; connect with a TLS client (tls://)");
            CloseReason reason = closed.poll(5, TimeUnit.SECONDS);
            assertThat(reason.code()).isEqualTo(CloseReason.Code.PROTOCOL_ERROR);
            assertThat(reason.text()).startsWith("TLS handshake failed: the peer does not speak TLS (it sent \"hello\\x0a\")");
        }
    }

    @Test
    void aTlsClientToAPlainServerSaysTheServerDoesNotSpeakTls() throws Exception {
        try (Server server = Server.listen(Endpoint.parse("tcp://127.0.0.1:0")).handler(Handlers.ack("hi")).start();
             Socket ignored = null) {
            // A lines server answers nothing before a whole line: it closes on our binary hello, or waits.
            Server greeting = Server.listen(Endpoint.parse("tcp://127.0.0.1:0")).handler(connection -> {
                connection.send("220 hello, plain text here");
                connection.receive();
            }).start();
            try (greeting) {
                assertThatThrownBy(() -> Client.connect(Endpoint.tls("127.0.0.1", greeting.port()))
                        .tls(Tls.client().trust(cert)).open())
                        .isInstanceOf(IOException.class)
                        .hasMessageContaining("the server does not speak TLS (it answered \"220 hello");
            }
        }
    }

    @Test
    void refusesToStartATlsServerWithoutACertificate() {
        assertThatThrownBy(() -> Server.listen(Endpoint.parse("tls://127.0.0.1:0")).start())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs a certificate").hasMessageContaining("--cert FILE --key FILE");
    }

    @Test
    void refusesAKeyThatIsNotTheCertificates() throws Exception {
        Path otherKey = dir.resolve("other-key.pem");
        DevCertificate.builder().create().write(dir.resolve("other-cert.pem"), otherKey, false);
        assertThatThrownBy(() -> tlsServer(Tls.server(cert, otherKey)).start())
                .isInstanceOf(IOException.class)
                .hasMessage("the key in " + otherKey + " does not belong to the certificate in " + cert
                        + " (CN=localhost); give the key that was made with it");
    }

    @Test
    void refusesAPkcs1KeyWithTheCommandThatConvertsIt() throws Exception {
        Path pkcs1 = write("rsa.pem", "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
        assertThatThrownBy(() -> tlsServer(Tls.server(cert, pkcs1)).start())
                .isInstanceOf(IOException.class)
                .hasMessageContaining("holds a PKCS#1 RSA key")
                .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt -in " + pkcs1 + " -out key-pkcs8.pem");
    }

    @Test
    void readsAPkcs12Keystore() throws Exception {
        DevCertificate dev = DevCertificate.builder().create();
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("server", dev.privateKey(), "secret".toCharArray(), new java.security.cert.Certificate[] {dev.certificate()});
        Path p12 = dir.resolve("server.p12");
        try (var out = Files.newOutputStream(p12)) {
            store.store(out, "secret".toCharArray());
        }
        Path devCert = write("dev.pem", dev.certificatePem());
        try (Server server = tlsServer(Tls.keystore(p12, "secret".toCharArray())).start();
             Connection connection = client(server, Tls.client().trust(devCert)).open()) {
            connection.send("hello");
            assertThat(connection.receive().text()).isEqualTo("hello");
        }
        assertThatThrownBy(() -> tlsServer(Tls.keystore(p12, "wrong".toCharArray())).start())
                .hasMessageContaining("cannot open the keystore " + p12 + ": wrong password");
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    private static BufferedReader reader(Socket socket) throws IOException {
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), UTF_8));
    }
}
