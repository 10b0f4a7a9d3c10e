package dev.sockit;

import static dev.sockit.TestKit.PATIENCE;
import static dev.sockit.TestKit.awaitUntil;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.transport.Drainable;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A server's stop on every endpoint kind, with its clients idle, in the middle of a message,
 * or waiting on a busy handler: the stop takes the work that is left, never the drain
 * timeout, and every message the handler took is acknowledged to its client.
 */
class StopMatrixTest {

    private static final Executor VIRTUAL = Executors.newVirtualThreadPerTaskExecutor();

    // Long, so that a stop that waits it out cannot pass for one that does not.
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);
    // What a stop that only finishes the work left may take on a loaded two-core machine.
    private static final Duration WORK_LEFT = Duration.ofSeconds(6);
    private static final int CLIENTS = 3;

    @TempDir
    static Path dir;
    private static Path cert;
    private static Path key;

    @BeforeAll
    static void makeCertificate() throws IOException {
        cert = dir.resolve("cert.pem");
        key = dir.resolve("key.pem");
        DevCertificate.builder().create().write(cert, key, false);
    }

    static Stream<Arguments> streamKinds() {
        return Stream.of("tcp", "tls", "unix").map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("streamKinds")
    void stopWithIdleClientsTakesNoTimeAndEndsEachCleanly(String kind) throws Exception {
        AtomicInteger handled = new AtomicInteger();
        try (Server server = server(kind, counting(handled, null)).start()) {
            List<StreamPeer> peers = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                StreamPeer peer = connect(kind, server);
                peers.add(peer);
                peer.write("hello " + i + "\n");
                assertThat(peer.readLine()).isEqualTo("ok");
            }
            Duration took = timed(server::close);
            assertThat(took).as("stop of " + kind + " with idle clients").isLessThan(WORK_LEFT);
            for (StreamPeer peer : peers) {
                assertThat(peer.readToEnd()).as("nothing more, and a clean end").isEmpty();
                peer.close();
            }
            assertThat(handled.get()).isEqualTo(CLIENTS);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("streamKinds")
    void stopWithClientsInTheMiddleOfAMessageTakesNoTimeAndAcknowledgesEveryWholeOne(String kind) throws Exception {
        AtomicInteger handled = new AtomicInteger();
        try (Server server = server(kind, counting(handled, null)).start()) {
            List<StreamPeer> peers = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                StreamPeer peer = connect(kind, server);
                peers.add(peer);
                peer.write("whole " + i + "\npart of a line " + i);
                assertThat(peer.readLine()).isEqualTo("ok");
            }
            awaitUntil("the partial lines reached the server",
                    () -> server.stats().bytesIn() >= CLIENTS * ("whole 0\npart of a line 0".length()));
            Duration took = timed(server::close);
            assertThat(took).as("stop of " + kind + " with clients mid-message").isLessThan(WORK_LEFT);
            for (StreamPeer peer : peers) {
                assertThat(peer.readToEnd()).as("a partial line is not acknowledged as a whole one").isEmpty();
                peer.close();
            }
            assertThat(handled.get()).isEqualTo(CLIENTS);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("streamKinds")
    void stopWithABusyHandlerTakesTheWorkLeftAndAcknowledgesEveryMessageItTook(String kind) throws Exception {
        AtomicInteger handled = new AtomicInteger();
        CountDownLatch gate = new CountDownLatch(1);
        try (Server server = server(kind, counting(handled, gate)).start();
             StreamPeer peer = connect(kind, server)) {
            String lines = "one\ntwo\nthree\nfour\n";
            peer.write(lines);
            awaitUntil("the handler is busy with the first line and the rest has arrived",
                    () -> handled.get() == 1 && server.stats().bytesIn() >= lines.length());
            CompletableFuture<Duration> stopping = CompletableFuture.supplyAsync(() -> timed(server::close), VIRTUAL);
            awaitUntil("the stop has begun draining", () -> server.connections().stream()
                    .allMatch(c -> ((Drainable) c).drainReason() != null));
            gate.countDown(); // the work finishes
            Duration took = stopping.get(DRAIN_TIMEOUT.toSeconds() + 10, TimeUnit.SECONDS);
            assertThat(took).as("stop of " + kind + " with a busy handler").isLessThan(WORK_LEFT);
            assertThat(peer.readToEnd()).as("every message taken was acknowledged")
                    .containsExactly("ok", "ok", "ok", "ok");
            assertThat(handled.get()).isEqualTo(4);
        }
    }

    @ParameterizedTest(name = "udp, busy: {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void stopOfAUdpServerTakesTheWorkLeftAndAnswersEveryDatagramItTook(boolean busy) throws Exception {
        AtomicInteger handled = new AtomicInteger();
        CountDownLatch gate = new CountDownLatch(busy ? 1 : 0);
        try (Server server = server("udp", counting(handled, gate)).start();
             DatagramSocket peer = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            peer.setSoTimeout((int) PATIENCE.toMillis());
            InetSocketAddress to = new InetSocketAddress("127.0.0.1", server.port());
            int sent = busy ? 4 : 1;
            for (int i = 0; i < sent; i++) {
                byte[] datagram = ("d" + i).getBytes(UTF_8);
                peer.send(new DatagramPacket(datagram, datagram.length, to));
            }
            awaitUntil("the server took the datagrams", () -> server.stats().bytesIn() >= 2L * sent && handled.get() >= 1);
            CompletableFuture<Duration> stopping = CompletableFuture.supplyAsync(() -> timed(server::close), VIRTUAL);
            awaitUntil("the stop has begun", server::isClosing);
            gate.countDown();
            Duration took = stopping.get(DRAIN_TIMEOUT.toSeconds() + 10, TimeUnit.SECONDS);
            assertThat(took).as("stop of udp").isLessThan(WORK_LEFT);
            int answers = 0;
            byte[] buffer = new byte[64];
            for (int i = 0; i < handled.get(); i++) {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                peer.receive(packet);
                answers++;
            }
            assertThat(answers).isEqualTo(handled.get()).isPositive();
        }
    }

    /** Answers "ok" to every message; the first waits for {@code gate}, when there is one. */
    private static Handler counting(AtomicInteger handled, CountDownLatch gate) {
        return connection -> {
            for (Message message; (message = connection.receive()) != null; ) {
                if (handled.incrementAndGet() == 1 && gate != null) {
                    gate.await();
                }
                connection.send("ok");
            }
        };
    }

    private static Server.Builder server(String kind, Handler handler) {
        Server.Builder builder = switch (kind) {
            case "tcp" -> Server.listen(Endpoint.parse("tcp://127.0.0.1:0"));
            case "tls" -> Server.listen(Endpoint.parse("tls://127.0.0.1:0")).tls(Tls.server(cert, key));
            case "unix" -> Server.listen(Endpoint.parse("unix:" + dir.resolve("stop-" + System.nanoTime() + ".sock")));
            case "udp" -> Server.listen(Endpoint.parse("udp://127.0.0.1:0"));
            default -> throw new IllegalArgumentException(kind);
        };
        return builder.handler(handler).drainTimeout(DRAIN_TIMEOUT);
    }

    private static Duration timed(Runnable action) {
        long start = System.nanoTime();
        action.run();
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private static StreamPeer connect(String kind, Server server) throws Exception {
        return switch (kind) {
            case "tcp" -> {
                Socket socket = new Socket("127.0.0.1", server.port());
                yield new StreamPeer(socket.getInputStream(), socket.getOutputStream(), socket);
            }
            case "tls" -> {
                SSLSocket socket = TestKit.jdkTlsClient(cert, server.port());
                yield new StreamPeer(socket.getInputStream(), socket.getOutputStream(), socket);
            }
            case "unix" -> {
                SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                channel.connect(UnixDomainSocketAddress.of(server.endpoint().path()));
                yield new StreamPeer(Channels.newInputStream(channel), Channels.newOutputStream(channel), channel);
            }
            default -> throw new IllegalArgumentException(kind);
        };
    }


    /** A plain client of any stream kind: lines in, bytes out, every read bounded by a deadline. */
    private record StreamPeer(InputStream in, OutputStream out, AutoCloseable socket) implements AutoCloseable {

        void write(String text) throws IOException {
            out.write(text.getBytes(UTF_8));
            out.flush();
        }

        String readLine() throws Exception {
            return CompletableFuture.supplyAsync(() -> {
                ByteArrayOutputStream line = new ByteArrayOutputStream();
                try {
                    for (int b; (b = in.read()) != -1 && b != '\n'; ) {
                        line.write(b);
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
                return line.toString(UTF_8);
            }, VIRTUAL).get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        }

        /** Every line until the server ends the stream; fails on a reset, which would lose acknowledgements. */
        List<String> readToEnd() throws Exception {
            byte[] rest = CompletableFuture.supplyAsync(() -> {
                try {
                    return in.readAllBytes();
                } catch (IOException e) {
                    throw new RuntimeException("the stream did not end cleanly", e);
                }
            }, VIRTUAL).get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            String text = new String(rest, UTF_8);
            return text.isEmpty() ? List.of() : Arrays.asList(text.split("\n"));
        }

        @Override
        public void close() throws Exception {
            socket.close();
        }
    }
}
