package dev.sockit;

import static dev.sockit.TestKit.PATIENCE;
import static dev.sockit.TestKit.onLoopback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sockit.TestKit.Peer;
import dev.sockit.framing.Framing;
import dev.sockit.framing.Lines;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Admission: what happens to a peer between accept and its handler. */
class AdmissionTest {

    @TempDir
    Path dir;

    @Test
    void aFailureWhileAdmittingLosesNeitherThePermitNorTheDescriptor() throws Exception {
        AtomicInteger decoders = new AtomicInteger();
        Framing failingOnce = new Framing() {
            private final Lines lines = Lines.defaults();

            @Override
            public String name() {
                return "lines";
            }

            @Override
            public Decoder decoder() {
                if (decoders.incrementAndGet() == 1) {
                    throw new IllegalStateException("a framing bug, once");
                }
                return lines.decoder();
            }

            @Override
            public int encodedLength(Message message) {
                return lines.encodedLength(message);
            }

            @Override
            public void encode(Message message, ByteBuffer out) {
                lines.encode(message, out);
            }
        };
        BlockingQueue<Exception> failures = new LinkedBlockingQueue<>();
        try (Server server = onLoopback().framing(failingOnce).maxConnections(1).observer(new Observer() {
                    @Override
                    public void acceptFailed(Exception failure) {
                        failures.add(failure);
                    }
                }).start()) {
            try (Peer first = Peer.connect(server)) {
                assertThat(first.atEndOfStream()).as("the first peer's channel was closed").isTrue();
            }
            assertThat(failures.poll(PATIENCE.toSeconds(), TimeUnit.SECONDS)).hasMessage("a framing bug, once");
            try (Peer second = Peer.connect(server)) {
                assertThat(second.ask("hi")).as("the permit came back").isEqualTo(Handlers.ACK_REPLY);
            }
        }
    }

    @Test
    void aTlsPeerBeyondTheLimitIsClosedBeforeItsHandshake() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        DevCertificate.builder().create().write(cert, key, false);
        try (Server server = Server.listen(Endpoint.parse("tls://127.0.0.1:0")).tls(Tls.server(cert, key))
                .maxConnections(1).start();
             SSLSocket first = TestKit.jdkTlsClient(cert, server.port());
             SSLSocket second = TestKit.jdkTlsClient(cert, server.port())) {
            first.getOutputStream().write("hi\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertThat(readLine(first.getInputStream())).isEqualTo(Handlers.ACK_REPLY);
            // The refusal costs the server no handshake: the second peer's fails.
            assertThatThrownBy(second::startHandshake).isInstanceOf(IOException.class);
            assertThat(server.stats().rejected()).isEqualTo(1);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b; (b = in.read()) != -1 && b != '\n'; ) {
            line.append((char) b);
        }
        return line.toString();
    }

}
