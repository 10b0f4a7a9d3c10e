package dev.sockit.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.Client;
import dev.sockit.Connection;
import dev.sockit.DevCertificate;
import dev.sockit.Endpoint;
import dev.sockit.Handlers;
import dev.sockit.Message;
import dev.sockit.Server;
import dev.sockit.Tls;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** wss://: WebSocket over TLS with the certificate options of tls://, and the page over https. */
class SecureWebSocketTest {

    @TempDir
    static Path dir;
    static Path cert;
    static Path key;

    @BeforeAll
    static void certificate() throws Exception {
        cert = dir.resolve("cert.pem");
        key = dir.resolve("key.pem");
        DevCertificate.builder().create().write(cert, key, false);
    }

    static Server secureEcho() throws Exception {
        return Server.listen(Endpoint.parse("wss://127.0.0.1:0/echo")).tls(Tls.server(cert, key))
                .handler(Handlers.echo()).start();
    }

    @Test
    void sockitsClientTalksOverWss() throws Exception {
        try (Server server = secureEcho();
             Connection c = Client.connect(Endpoint.parse("wss://127.0.0.1:" + server.port() + "/echo"))
                     .tls(Tls.client().trust(cert)).open()) {
            assertThat(c.protocol()).isEqualTo("wss");
            c.send(Message.of("over TLS"));
            assertThat(c.receive()).isEqualTo(Message.of("over TLS"));
            assertThat(c.tls()).isPresent();
        }
    }

    @Test
    void theJdkClientTalksOverWssAndGetsThePageOverHttps() throws Exception {
        try (Server server = secureEcho(); HttpClient http = HttpClient.newBuilder().sslContext(trusting(cert)).build()) {
            String page = http.send(java.net.http.HttpRequest.newBuilder(
                    URI.create("https://127.0.0.1:" + server.port() + "/echo")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            assertThat(page).contains("new WebSocket(url)");
            WebSocketInteropTest.Heard heard = new WebSocketInteropTest.Heard();
            java.net.http.WebSocket ws = http.newWebSocketBuilder()
                    .buildAsync(URI.create("wss://127.0.0.1:" + server.port() + "/echo"), heard).get(5, TimeUnit.SECONDS);
            ws.sendText("secure", true).get(5, TimeUnit.SECONDS);
            assertThat(heard.next()).isEqualTo("secure");
            ws.sendClose(1000, "").get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aWssEndpointNeedsACertificate() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Server.listen(Endpoint.parse("wss://127.0.0.1:0/")).start())
                .hasMessageContaining("needs a certificate");
    }

    static SSLContext trusting(Path pem) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        try (var in = java.nio.file.Files.newInputStream(pem)) {
            store.setCertificateEntry("sockit", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }
}
