package dev.sockit;

import static dev.sockit.TestKit.PATIENCE;
import static dev.sockit.TestKit.awaitUntil;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay over loopback, with plain JDK sockets at both ends so that nothing sockit does is
 * trusted: a client socket talks to the relay, the relay to a target the test accepts itself.
 */
class RelayTest {

    @TempDir
    Path dir;

    @Test
    void randomBinaryDataCrossesByteExactInBothDirectionsAtOnce() throws Exception {
        byte[] up = random(3 << 20, 1);
        byte[] down = random(2 << 20, 2);
        try (ServerSocket target = listener();
             Server relay = Relay.listen(loopback(), Client.connect(endpointOf(target))).start();
             Socket client = connect(relay.port());
             Socket far = accept(target)) {
            CompletableFuture<byte[]> farGot = readAllAsync(far);
            CompletableFuture<byte[]> clientGot = readAllAsync(client);
            CompletableFuture<Void> w1 = writeAsync(client, up, true);
            CompletableFuture<Void> w2 = writeAsync(far, down, true);
            w1.get(20, TimeUnit.SECONDS);
            w2.get(20, TimeUnit.SECONDS);
            assertThat(farGot.get(20, TimeUnit.SECONDS)).isEqualTo(up);
            assertThat(clientGot.get(20, TimeUnit.SECONDS)).isEqualTo(down);
        }
    }

    @Test
    void aHalfCloseIsCarriedAcrossAndTheOtherWayStaysOpen() throws Exception {
        try (ServerSocket target = listener();
             Server relay = Relay.listen(loopback(), Client.connect(endpointOf(target))).start();
             Socket client = connect(relay.port());
             Socket far = accept(target)) {
            client.getOutputStream().write("question".getBytes(UTF_8));
            client.shutdownOutput();
            // The target sees the question, then end of stream, while it may still answer.
            assertThat(readAll(far.getInputStream())).isEqualTo("question".getBytes(UTF_8));
            far.getOutputStream().write("answer after your FIN".getBytes(UTF_8));
            far.shutdownOutput();
            assertThat(readAll(client.getInputStream())).isEqualTo("answer after your FIN".getBytes(UTF_8));
            awaitUntil("the relay to drop the finished connection", () -> relay.connections().isEmpty());
        }
    }

    @Test
    void theTargetHalfClosingFirstIsCarriedToTheClient() throws Exception {
        try (ServerSocket target = listener();
             Server relay = Relay.listen(loopback(), Client.connect(endpointOf(target))).start();
             Socket client = connect(relay.port());
             Socket far = accept(target)) {
            far.getOutputStream().write("banner".getBytes(UTF_8));
            far.shutdownOutput();
            assertThat(readAll(client.getInputStream())).isEqualTo("banner".getBytes(UTF_8));
            client.getOutputStream().write("still heard".getBytes(UTF_8));
            client.shutdownOutput();
            assertThat(readAll(far.getInputStream())).isEqualTo("still heard".getBytes(UTF_8));
        }
    }

    @Test
    void tlsIsTerminatedOnTheAcceptedSide() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        DevCertificate.builder().create().write(cert, key, false);
        byte[] secret = random(300_000, 3);
        try (ServerSocket target = listener();
             Server relay = Relay.listen(Endpoint.parse("tls://127.0.0.1:0"), Client.connect(endpointOf(target)))
                     .tls(Tls.server(cert, key)).start();
             javax.net.ssl.SSLSocket client = handshaken(TestKit.jdkTlsClient(cert, relay.port()));
             Socket far = accept(target)) {
            CompletableFuture<byte[]> farGot = readAllAsync(far);
            client.getOutputStream().write(secret);
            client.getOutputStream().flush();
            client.shutdownOutput();
            // Plain bytes at the target: the relay decrypted them.
            assertThat(farGot.get(20, TimeUnit.SECONDS)).isEqualTo(secret);
            far.getOutputStream().write("reply in clear".getBytes(UTF_8));
            far.close();
            assertThat(readAll(client.getInputStream())).isEqualTo("reply in clear".getBytes(UTF_8));
        }
    }

    @Test
    void tlsIsOriginatedTowardsTheTarget() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        DevCertificate.builder().create().write(cert, key, false);
        try (Server tlsEcho = Server.listen(Endpoint.parse("tls://127.0.0.1:0")).tls(Tls.server(cert, key))
                     .framing(dev.sockit.framing.Raw.bytes()).handler(Handlers.echo()).start();
             Server relay = Relay.listen(loopback(), Client.connect(Endpoint.parse("tls://127.0.0.1:" + tlsEcho.port()))
                     .tls(Tls.client().trust(cert))).start();
             Socket client = connect(relay.port())) {
            byte[] data = random(100_000, 4);
            CompletableFuture<byte[]> got = readAllAsync(client);
            client.getOutputStream().write(data);
            client.shutdownOutput();
            assertThat(got.get(20, TimeUnit.SECONDS)).isEqualTo(data);
        }
    }

    @Test
    void aTargetThatReadsNothingStopsTheRelayReadingSoTheSenderWaitsAndMemoryStaysBounded() throws Exception {
        AtomicReference<Connection> accepted = new AtomicReference<>();
        AtomicReference<Connection> joined = new AtomicReference<>();
        Relay.Observer watch = new Relay.Observer() {
            @Override
            public void joined(Connection a, Connection t) {
                accepted.set(a);
                joined.set(t);
            }
        };
        byte[] flood = random(64 << 20, 5);
        try (ServerSocket target = listener();
             Server relay = Relay.listen(loopback(), Relay.to(Client.connect(endpointOf(target))).observer(watch)).start();
             Socket client = connect(relay.port());
             Socket far = accept(target)) {
            AtomicLong written = new AtomicLong();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = client.getOutputStream();
                    for (int at = 0; at < flood.length; at += 64 * 1024) {
                        out.write(flood, at, Math.min(64 * 1024, flood.length - at));
                        written.addAndGet(Math.min(64 * 1024, flood.length - at));
                    }
                    client.shutdownOutput();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            awaitStalled(written);
            // Held back along the way: kernel buffers (a few MiB each on loopback) and the
            // relay's bounded queue, far from the 64 MiB offered.
            assertThat(written.get()).isLessThan(40L << 20);
            long heldByRelay = accepted.get().stats().bytesIn() - joined.get().stats().bytesOut();
            assertThat(heldByRelay).isLessThanOrEqualTo(Relay.OUTBOUND.maxBytes() + 2 * 65_536);
            // The slow reader starts reading: everything arrives, in order.
            assertThat(readAllAsync(far).get(30, TimeUnit.SECONDS)).isEqualTo(flood);
            writer.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void eachEndReportsTheBytesCarriedEachWayAndHowItEnded() throws Exception {
        LinkedBlockingQueue<Relay.Summary> ended = new LinkedBlockingQueue<>();
        Relay.Observer watch = new Relay.Observer() {
            @Override
            public void ended(Connection a, Connection t, Relay.Summary summary) {
                ended.add(summary);
            }
        };
        try (ServerSocket target = listener();
             Server relay = Relay.listen(loopback(), Relay.to(Client.connect(endpointOf(target))).observer(watch)).start();
             Socket client = connect(relay.port());
             Socket far = accept(target)) {
            client.getOutputStream().write(new byte[1000]);
            client.shutdownOutput();
            assertThat(readAll(far.getInputStream())).hasSize(1000);
            far.getOutputStream().write(new byte[20]);
            far.shutdownOutput();
            assertThat(readAll(client.getInputStream())).hasSize(20);
            Relay.Summary summary = ended.poll(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertThat(summary).isNotNull();
            assertThat(summary.forward()).isEqualTo(1000);
            assertThat(summary.back()).isEqualTo(20);
            assertThat(summary.ending()).isEqualTo("both sides closed");
        }
    }

    @Test
    void aTargetResetEndsTheClientsConnection() throws Exception {
        try (ServerSocket target = listener();
             Server relay = Relay.listen(loopback(), Client.connect(endpointOf(target))).start();
             Socket client = connect(relay.port());
             Socket far = accept(target)) {
            far.setSoLinger(true, 0);
            far.close(); // RST
            assertThat(client.getInputStream().read()).isEqualTo(-1);
            awaitUntil("the relay to drop the connection", () -> relay.connections().isEmpty());
        }
    }

    @Test
    void anUnreachableTargetClosesTheClientAndTellsTheObserver() throws Exception {
        int closedPort;
        try (ServerSocket gone = listener()) {
            closedPort = gone.getLocalPort();
        }
        LinkedBlockingQueue<String> why = new LinkedBlockingQueue<>();
        Relay relayTo = Relay.to(Client.connect(Endpoint.parse("tcp://127.0.0.1:" + closedPort))).observer(
                new Relay.Observer() {
                    @Override
                    public void unreachable(Connection a, IOException e) {
                        why.add(e.getMessage());
                    }
                });
        try (Server relay = Relay.listen(loopback(), relayTo).start(); Socket client = connect(relay.port())) {
            assertThat(client.getInputStream().read()).isEqualTo(-1); // closed, not a byte of ours
            assertThat(why.poll(PATIENCE.toSeconds(), TimeUnit.SECONDS)).contains("refused");
        }
    }

    @Test
    void aUnixListenerRelaysToTcp() throws Exception {
        Path socket = dir.resolve("relay.sock");
        try (ServerSocket target = listener();
             Server relay = Relay.listen(Endpoint.parse("unix:" + socket), Client.connect(endpointOf(target))).start();
             java.nio.channels.SocketChannel client = java.nio.channels.SocketChannel.open(
                     java.net.UnixDomainSocketAddress.of(socket));
             Socket far = accept(target)) {
            client.write(java.nio.ByteBuffer.wrap("over unix".getBytes(UTF_8)));
            client.shutdownOutput();
            assertThat(readAll(far.getInputStream())).isEqualTo("over unix".getBytes(UTF_8));
        }
    }

    @Test
    void aSeqpacketListenerRelaysToTcpWithoutAPushQueueItWouldRefuse() throws Exception {
        Endpoint packets = Endpoint.parse("unix+seqpacket:" + dir.resolve("relay-packets.sock"));
        try (ServerSocket target = listener();
             Server relay = Relay.listen(packets, Client.connect(endpointOf(target))).start();
             Connection client = Client.connect(packets).open();
             Socket far = accept(target)) {
            client.send("one message");
            assertThat(far.getInputStream().readNBytes("one message".length())).isEqualTo("one message".getBytes(UTF_8));
            far.getOutputStream().write("back".getBytes(UTF_8));
            assertThat(client.receive().text()).isEqualTo("back");
        }
    }

    @Test
    void aTcpClientIsRelayedToAUdpTargetAndItsRepliesComeBack() throws Exception {
        try (Server udpEcho = Server.listen(Endpoint.parse("udp://127.0.0.1:0")).handler(Handlers.echo()).start();
             Server relay = Relay.listen(loopback(), Client.connect(Endpoint.parse("udp://127.0.0.1:" + udpEcho.port())))
                     .start();
             Socket client = connect(relay.port())) {
            client.getOutputStream().write("ping over udp".getBytes(UTF_8));
            byte[] reply = client.getInputStream().readNBytes("ping over udp".length());
            assertThat(new String(reply, UTF_8)).isEqualTo("ping over udp");
            client.shutdownOutput();
            // UDP has no half-close: the target side is closed after the linger, and so are we.
            assertThat(client.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void aUdpListenerRelaysEachPeerToATcpTarget() throws Exception {
        try (ServerSocket target = listener();
             Server relay = Relay.listen(Endpoint.parse("udp://127.0.0.1:0"), Client.connect(endpointOf(target))).start();
             java.net.DatagramSocket peer = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            peer.setSoTimeout((int) PATIENCE.toMillis());
            byte[] hello = "datagram in".getBytes(UTF_8);
            peer.send(new java.net.DatagramPacket(hello, hello.length, InetAddress.getLoopbackAddress(), relay.port()));
            try (Socket far = accept(target)) {
                assertThat(far.getInputStream().readNBytes(hello.length)).isEqualTo(hello);
                far.getOutputStream().write("stream back".getBytes(UTF_8));
                java.net.DatagramPacket reply = new java.net.DatagramPacket(new byte[100], 100);
                peer.receive(reply);
                assertThat(new String(reply.getData(), 0, reply.getLength(), UTF_8)).isEqualTo("stream back");
            }
        }
    }

    // --- helpers -------------------------------------------------------------------------

    // The relay connects to its target once the TLS handshake is done, which a JDK client
    // starts only when asked (or at its first write).
    private static javax.net.ssl.SSLSocket handshaken(javax.net.ssl.SSLSocket socket) throws IOException {
        socket.startHandshake();
        return socket;
    }

    private static Endpoint loopback() {
        return Endpoint.parse("tcp://127.0.0.1:0");
    }

    private static ServerSocket listener() throws IOException {
        return new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    private static Endpoint endpointOf(ServerSocket target) {
        return Endpoint.parse("tcp://127.0.0.1:" + target.getLocalPort());
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout((int) PATIENCE.toMillis() * 4);
        return socket;
    }

    private static Socket accept(ServerSocket listener) throws IOException {
        listener.setSoTimeout((int) PATIENCE.toMillis());
        Socket socket = listener.accept();
        socket.setSoTimeout((int) PATIENCE.toMillis() * 4);
        return socket;
    }

    static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        in.transferTo(all);
        return all.toByteArray();
    }

    private static CompletableFuture<byte[]> readAllAsync(Socket socket) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return readAll(socket.getInputStream());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, runnable -> Thread.ofVirtual().start(runnable));
    }

    private static CompletableFuture<Void> writeAsync(Socket socket, byte[] data, boolean halfClose) {
        return CompletableFuture.runAsync(() -> {
            try {
                OutputStream out = socket.getOutputStream();
                // Uneven pieces, so chunk boundaries on the way mean nothing.
                Random sizes = new Random(data.length);
                for (int at = 0; at < data.length; ) {
                    int n = Math.min(data.length - at, 1 + sizes.nextInt(40_000));
                    out.write(data, at, n);
                    at += n;
                }
                if (halfClose) {
                    socket.shutdownOutput();
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, runnable -> Thread.ofVirtual().start(runnable));
    }

    /** Waits until {@code written} has not moved for 300 ms: the writer is blocked. */
    private static void awaitStalled(AtomicLong written) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long last = -1;
        long since = System.nanoTime();
        while (System.nanoTime() < deadline) {
            long now = written.get();
            if (now != last) {
                last = now;
                since = System.nanoTime();
            } else if (System.nanoTime() - since > TimeUnit.MILLISECONDS.toNanos(300)) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the writer never stalled: " + written.get() + " bytes of "
                + Arrays.toString(new long[] {written.get()}) + " written");
    }
}
