package dev.sockit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.framing.Lines;
import dev.sockit.framing.Raw;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A server on a Unix socket, through the same handlers and framings as TCP, talked to by a plain JDK channel. */
class UnixSocketTest {

    @TempDir
    Path dir;

    private Endpoint endpoint() {
        return Endpoint.parse("unix:" + dir.resolve("s.sock"));
    }

    @Test
    void answersEveryLineWithTheAck() throws Exception {
        try (Server server = Server.listen(endpoint()).handler(Handlers.ack("ok")).start();
             UnixPeer peer = UnixPeer.connect(server.endpoint().path())) {
            peer.write("a\nb\nc\n");
            assertThat(peer.readLines(3)).containsExactly("ok", "ok", "ok");
        }
    }

    @Test
    void echoesLines() throws Exception {
        try (Server server = Server.listen(endpoint()).handler(Handlers.echo()).start();
             UnixPeer peer = UnixPeer.connect(server.endpoint().path())) {
            peer.write("hello\r\nwörld\n");
            assertThat(peer.readLines(2)).containsExactly("hello", "wörld");
        }
    }

    @Test
    void echoesRawBytes() throws Exception {
        try (Server server = Server.listen(endpoint()).framing(Raw.bytes()).handler(Handlers.echo()).start();
             UnixPeer peer = UnixPeer.connect(server.endpoint().path())) {
            peer.write("no newline");
            assertThat(new String(peer.readBytes(), UTF_8)).isEqualTo("no newline");
        }
    }

    @Test
    void refusesALineOverTheLimitAndSaysSo() throws Exception {
        try (Server server = Server.listen(endpoint()).framing(Lines.maxLength(4)).handler(Handlers.echo()).start();
             UnixPeer peer = UnixPeer.connect(server.endpoint().path())) {
            peer.write("toolong\n");
            assertThat(peer.readLine()).isEqualTo("error: line longer than 4 bytes");
            assertThat(peer.readsEndOfStream()).isTrue();
        }
    }

    @Test
    void relaysChatBetweenPeers() throws Exception {
        Received received = new Received();
        try (Server server = Server.listen(endpoint()).handler(Handlers.chat()).observer(received).start();
             UnixPeer first = UnixPeer.connect(server.endpoint().path())) {
            // Chat joins a peer to the room before it reads: once a line is read, the peer is in.
            first.write("anyone?\n");
            received.await("anyone?");
            try (UnixPeer second = UnixPeer.connect(server.endpoint().path())) {
                // Named after the socket and the newcomer's id, never "unix:(unnamed)".
                assertThat(first.readLine()).matches("\\* (\\d+) joined from unix:" + java.util.regex.Pattern.quote(
                        server.endpoint().path().toString()) + "#\\1");
                second.write("hi all\n");
                assertThat(first.readLine()).matches("\\[\\d+] hi all");
                first.write("hi you\n");
                String heard = second.readLine();
                if (heard.matches("\\[\\d+] anyone\\?")) {
                    // The server saw "anyone?" before relaying it; a peer that joined in between
                    // gets it too, which is right: it was in the room when the relay went out.
                    heard = second.readLine();
                }
                assertThat(heard).matches("\\[\\d+] hi you");
            }
            assertThat(first.readLine()).matches("\\* \\d+ left");
        }
    }

    @Test
    void talksToTheLibrarysOwnClient() throws Exception {
        try (Server server = Server.listen(endpoint()).handler(Handlers.echo()).start();
             Connection client = Client.connect(server.endpoint()).open()) {
            client.send("ping");
            assertThat(client.receive().text()).isEqualTo("ping");
        }
    }

    @Test
    void tellsTheFiveFactsOnBothSides() throws Exception {
        java.util.concurrent.BlockingQueue<Connection> accepted = new java.util.concurrent.LinkedBlockingQueue<>();
        Handler remember = connection -> {
            accepted.add(connection);
            Handlers.echo().handle(connection);
        };
        try (Server server = Server.listen(endpoint()).handler(remember).start();
             Connection client = Client.connect(server.endpoint()).open()) {
            Connection served = accepted.poll(5, java.util.concurrent.TimeUnit.SECONDS);
            Path path = server.endpoint().path();
            assertThat(client.protocol()).isEqualTo("unix");
            assertThat(served.protocol()).isEqualTo("unix");
            assertThat(client.remote()).isEqualTo(UnixDomainSocketAddress.of(path));
            assertThat(served.local()).isEqualTo(UnixDomainSocketAddress.of(path));
            assertThat(Peers.describe(served.remote())).isEqualTo("unix:(unnamed)");
            // The connection is named after the socket it came in on and its id, never "(unnamed)".
            assertThat(Peers.describe(served)).isEqualTo("unix:" + path + "#" + served.id());
            assertThat(Peers.describe(client.remote())).isEqualTo("unix:" + path);
            assertThat(server.port()).isEqualTo(-1);
        }
    }

    @Test
    void drainsGracefullyOnClose() throws Exception {
        Server server = Server.listen(endpoint()).handler(Handlers.ack("ok")).start();
        try (UnixPeer peer = UnixPeer.connect(server.endpoint().path())) {
            peer.write("a\n");
            assertThat(peer.readLine()).isEqualTo("ok");
            server.close();
            assertThat(peer.readsEndOfStream()).isTrue();
        }
    }
}
