package dev.sockit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults made by the kernel, not simulated: a server in a network namespace of its own
 * ({@link NetworkNamespace}), its clients here, the link between them cut or reset by
 * nftables rules. Skipped, saying why, without root.
 */
class NetworkFaultTest {

    // Heartbeat every 500 ms, dead after 2 unanswered pings: a dead peer goes within 1.5 s.
    private static final String INTERVAL = "500ms";
    private static final Duration DEAD_AFTER = Duration.ofMillis(1_500);
    // What the bound may be late by on a loaded machine: scheduling, not the design.
    private static final Duration SLACK = Duration.ofMillis(1_500);

    /** A server in the namespace on port 9000; options may start with "tls" for tls://. */
    private static SockitProcess serverIn(NetworkNamespace ns, String... options) throws Exception {
        boolean tls = options.length > 0 && options[0].equals("tls");
        List<String> args = new ArrayList<>(List.of("server", (tls ? "tls://" : "tcp://") + ns.inside() + ":9000"));
        args.addAll(List.of(options).subList(tls ? 1 : 0, options.length));
        SockitProcess server = SockitProcess.startVia(ns.launcher(), args.toArray(String[]::new));
        server.awaitOut("Server start at: .*");
        return server;
    }

    @Test
    void aPartitionIsFoundByBothEndsHeartbeatsAndAReconnectingClientReturnsWhenItHeals() throws Exception {
        try (NetworkNamespace ns = NetworkNamespace.create();
             SockitProcess server = serverIn(ns, "--mode", "echo", "--framing", "frames", "--heartbeat", INTERVAL,
                     "--heartbeat-misses", "2", "--show-messages");
             SockitProcess client = SockitProcess.start("client", "tcp://" + ns.inside() + ":9000", "--framing", "frames",
                     "--heartbeat", INTERVAL, "--heartbeat-misses", "2", "--reconnect", "--connect-timeout", "1s")) {
            client.writeLine("before 1").writeLine("before 2");
            assertThat(client.nextOut()).isEqualTo("before 1");
            assertThat(client.nextOut()).isEqualTo("before 2");

            List<String> logged = new ArrayList<>();
            String line;
            while (!(line = server.nextOut()).equals("before 2")) {
                logged.add(line);
            }
            logged.add(line);

            ns.partition();
            long cut = System.nanoTime();
            client.writeLine("during"); // may or may not have left before the cut; never acknowledged
            while (!(line = server.nextOut()).startsWith("Disconnected ")) {
                logged.add(line);
            }
            String serverSaw = line;
            Duration serverFound = Duration.ofNanos(System.nanoTime() - cut);
            String clientSaw = client.awaitErr("sockit: connection lost .*");
            Duration clientFound = Duration.ofNanos(System.nanoTime() - cut);
            assertThat(serverSaw).contains("no heartbeat");
            assertThat(serverFound).as("the server's bound").isLessThanOrEqualTo(DEAD_AFTER.plus(SLACK));
            assertThat(clientSaw).contains("no heartbeat");
            assertThat(clientFound).as("the client's bound").isLessThanOrEqualTo(DEAD_AFTER.plus(SLACK));

            ns.heal();
            client.awaitErr("sockit: reconnected to .*");
            client.writeLine("after");
            // Nothing acknowledged is lost: every echo the client got is a message the server logged.
            List<String> echoes = new ArrayList<>(List.of("before 1", "before 2"));
            while (!(line = client.nextOut()).equals("after")) {
                echoes.add(line); // only "during", if it made it across before the cut
            }
            echoes.add("after");
            assertThat(echoes).containsSubsequence("before 1", "before 2", "after").doesNotHaveDuplicates();
            client.endInput();
            assertThat(client.exitStatus()).isZero();
            server.close();
            logged.addAll(server.restOfOut());
            assertThat(logged).containsAll(echoes);
        }
    }

    @Test
    void aSlowAndAFastReaderShareAChatOverAThrottledLinkAndEachGetsEveryLineInOrder() throws Exception {
        int lines = 600;
        String payload = "x".repeat(500);
        try (NetworkNamespace ns = NetworkNamespace.create();
             SockitProcess server = serverIn(ns, "--mode", "chat", "--quiet")) {
            // 2 Mbit/s from the server: both readers together take 250 KB/s at most.
            ns.throttleInside("2mbit", "16kb");
            try (Socket fast = connect(ns); Socket slow = connect(ns); Socket sender = connect(ns)) {
                BufferedReader fastIn = reader(fast);
                BufferedReader slowIn = reader(slow);
                // Both readers are in the room once each has heard the sender; until then it says "sync".
                OutputStream out = sender.getOutputStream();
                CompletableFuture<Void> inRoom = CompletableFuture.allOf(
                        CompletableFuture.runAsync(() -> awaitLine(fastIn, "\\[\\d+] sync")),
                        CompletableFuture.runAsync(() -> awaitLine(slowIn, "\\[\\d+] sync")));
                while (!inRoom.isDone()) {
                    out.write("sync\n".getBytes(UTF_8));
                    out.flush();
                    try {
                        inRoom.get(100, TimeUnit.MILLISECONDS);
                    } catch (java.util.concurrent.TimeoutException notYet) {
                        // say it again
                    }
                }
                inRoom.get();
                CompletableFuture<Integer> fastGot = CompletableFuture.supplyAsync(() -> count(fastIn, lines, payload, 0));
                // The slow reader takes about 20 KB/s: a fifth of its share of the link, but always some.
                CompletableFuture<Integer> slowGot = CompletableFuture.supplyAsync(() -> count(slowIn, lines, payload, 25));
                for (int i = 0; i < lines; i++) {
                    out.write((i + " " + payload + "\n").getBytes(UTF_8));
                }
                out.flush();
                assertThat(fastGot.get(60, TimeUnit.SECONDS)).as("lines the fast reader got, in order").isEqualTo(lines);
                assertThat(slowGot.get(60, TimeUnit.SECONDS)).as("lines the slow reader got, in order").isEqualTo(lines);
            }
        }
    }

    @Test
    void aResetInTheMiddleOfATlsRecordClosesThatConnectionAloneAndDeliversNoPartOfIt(@TempDir Path dir)
            throws Exception {
        String cert = dir.resolve("cert.pem").toString();
        String key = dir.resolve("key.pem").toString();
        try (SockitProcess made = SockitProcess.start("cert", "--cert", cert, "--key", key, "--host", "localhost")) {
            assertThat(made.exitStatus()).isZero();
        }
        try (NetworkNamespace ns = NetworkNamespace.create();
             SockitProcess server = serverIn(ns, "tls", "--cert", cert, "--key", key, "--mode", "echo",
                     "--max-line", "100000")) {
            try (Socket raw = connect(ns); SSLSocket first = tls(raw, ns, Path.of(cert))) {
                first.getOutputStream().write("hello\n".getBytes(UTF_8));
                assertThat(reader(first).readLine()).isEqualTo("hello");
                assertThat(server.awaitOut("hello")).isEqualTo("hello");
                // Under the TLS layer: a record's header announcing 16,384 bytes of application data,
                // 5,000 of them, then a reset (SO_LINGER 0: the kernel sends RST, not FIN).
                byte[] part = new byte[5 + 5_000];
                part[0] = 0x17;
                part[1] = 0x03;
                part[2] = 0x03;
                part[3] = 0x40;
                part[4] = 0x00;
                java.util.Arrays.fill(part, 5, part.length, (byte) 'y');
                raw.getOutputStream().write(part);
                raw.getOutputStream().flush();
                raw.setSoLinger(true, 0);
                raw.close();
            }
            String ended = server.awaitOut("Disconnected .*");
            assertThat(ended).contains("(1 message, ").containsIgnoringCase("reset");
            try (Socket raw = connect(ns); SSLSocket second = tls(raw, ns, Path.of(cert))) {
                second.getOutputStream().write("still serving?\n".getBytes(UTF_8));
                assertThat(reader(second).readLine()).isEqualTo("still serving?");
            }
            server.close();
            assertThat(server.restOfOut()).noneMatch(line -> line.contains("yyyy"));
        }
    }

    /** TLS over {@code raw}, so that the test can also write under it, and reset it. */
    private static SSLSocket tls(Socket raw, NetworkNamespace ns, Path cert) throws Exception {
        // The test trusts the certificate it made for the server, and checks no name: it dials an address.
        java.security.KeyStore trusted = java.security.KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        try (java.io.InputStream pem = java.nio.file.Files.newInputStream(cert)) {
            trusted.setCertificateEntry("server", java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(pem));
        }
        javax.net.ssl.TrustManagerFactory trust = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(raw, ns.inside(), 9000, true);
        socket.startHandshake();
        return socket;
    }

    private static Socket connect(NetworkNamespace ns) throws Exception {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(ns.inside(), 9000), 5_000);
        socket.setSoTimeout(30_000);
        return socket;
    }

    private static BufferedReader reader(Socket socket) throws Exception {
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), UTF_8));
    }

    private static void awaitLine(BufferedReader in, String regex) {
        try {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.matches(regex)) {
                    return;
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        throw new AssertionError("no line matched " + regex + " before the end of the stream");
    }

    /** Reads relayed lines until {@code lines} have come, checking their order; pauses {@code pauseMillis} every 10. */
    private static int count(BufferedReader in, int lines, String payload, int pauseMillis) {
        try {
            int next = 0;
            for (String line; next < lines && (line = in.readLine()) != null; ) {
                if (!line.endsWith(payload)) {
                    continue; // "* N joined", "[N] sync"
                }
                assertThat(line).endsWith("] " + next + " " + payload);
                next++;
                if (pauseMillis > 0 && next % 10 == 0) {
                    Thread.sleep(pauseMillis); // a reader that is slow, not one that waits for something
                }
            }
            return next;
        } catch (Exception e) {
            throw new java.util.concurrent.CompletionException(e);
        }
    }
}
