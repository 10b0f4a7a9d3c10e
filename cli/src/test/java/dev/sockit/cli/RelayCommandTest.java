package dev.sockit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.DevCertificate;
import dev.sockit.TestKit;
import dev.sockit.testing.RequiredProgram;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sockit relay} as a user runs it, between the real tools: socat and ncat as the
 * clients that send through it and as the targets it relays to.
 */
class RelayCommandTest {

    @TempDir
    Path dir;

    @Test
    void socatAndNcatExchangeRandomBytesThroughTheRelayEachWayWithHalfCloses() throws Exception {
        Path socat = RequiredProgram.find("socat", "socat");
        Path ncat = RequiredProgram.find("ncat", "ncat");
        byte[] up = random(1 << 20, 11);
        byte[] down = random(700_000, 12);
        Path upFile = Files.write(dir.resolve("up.bin"), up);
        Path downFile = Files.write(dir.resolve("down.bin"), down);
        Path gotByNcat = dir.resolve("got-by-ncat.bin");
        Path gotBySocat = dir.resolve("got-by-socat.bin");
        int targetPort = freePort();
        // ncat listens as the target: it sends down.bin (then half-closes) and keeps what arrives.
        Process target = new ProcessBuilder(ncat.toString(), "-l", "127.0.0.1", Integer.toString(targetPort))
                .redirectInput(downFile.toFile()).redirectOutput(gotByNcat.toFile())
                .redirectError(dir.resolve("ncat.err").toFile()).start();
        try (AutoCloseable stop = () -> stop(target);
             SockitProcess relay = relay("tcp://127.0.0.1:0", "tcp://127.0.0.1:" + awaitPort(targetPort, target))) {
            // socat is the client: it sends up.bin, half-closes, and waits (-t 30) for the rest of down.bin.
            Process client = new ProcessBuilder(socat.toString(), "-t", "30", "-", "TCP:127.0.0.1:" + relay.port())
                    .redirectInput(upFile.toFile()).redirectOutput(gotBySocat.toFile())
                    .redirectError(dir.resolve("socat.err").toFile()).start();
            assertThat(client.waitFor(30, TimeUnit.SECONDS)).as("socat finished").isTrue();
            assertSameBytes(gotBySocat, down);
            assertThat(relay.awaitOut("Ended .*")).matches(
                    "Ended 127\\.0\\.0\\.1:\\d+: 1048576 bytes in, 700000 bytes out, [0-9.]+ s, both sides closed");
            // The relay has handed the last bytes to the kernel; ncat writes them out and exits at the end of its stream.
            assertThat(target.waitFor(30, TimeUnit.SECONDS)).as("ncat finished").isTrue();
            assertSameBytes(gotByNcat, up);
        }
    }

    @Test
    void ncatOverTlsIsRelayedInClearToASocatEcho() throws Exception {
        Path socat = RequiredProgram.find("socat", "socat");
        Path ncat = RequiredProgram.find("ncat", "ncat");
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        DevCertificate.builder().create().write(cert, key, false);
        byte[] data = random(200_000, 12);
        Path input = Files.write(dir.resolve("in.bin"), data);
        Path output = dir.resolve("out.bin");
        int targetPort = freePort();
        Process echo = new ProcessBuilder(socat.toString(), "TCP-LISTEN:" + targetPort + ",bind=127.0.0.1,reuseaddr,fork",
                "EXEC:/bin/cat").redirectErrorStream(true).redirectOutput(dir.resolve("socat.log").toFile()).start();
        try (AutoCloseable stop = () -> stop(echo);
             SockitProcess relay = relay("tls://127.0.0.1:0", "tcp://127.0.0.1:" + awaitPort(targetPort, echo),
                     "--cert", cert.toString(), "--key", key.toString())) {
            // ncat checks the certificate's DNS names only: "localhost" is one of the development certificate's.
            Process client = new ProcessBuilder(ncat.toString(), "--ssl", "--ssl-verify", "--ssl-trustfile",
                    cert.toString(), "localhost", Integer.toString(relay.port()))
                    .redirectInput(input.toFile()).redirectOutput(output.toFile())
                    .redirectError(dir.resolve("ncat.err").toFile()).start();
            assertThat(client.waitFor(30, TimeUnit.SECONDS)).as("ncat finished").isTrue();
            assertSameBytes(output, data);
            assertThat(relay.awaitOut("Ended .*")).contains("200000 bytes in, 200000 bytes out");
        }
    }

    @Test
    void aTargetThatIsNotThereIsSaidOnStderrAndTheRelayKeepsServing() throws Exception {
        int nobody = freePort();
        try (SockitProcess relay = relay("tcp://127.0.0.1:0", "tcp://127.0.0.1:" + nobody);
             Socket client = new Socket(InetAddress.getLoopbackAddress(), relay.port())) {
            client.setSoTimeout(10_000);
            assertThat(client.getInputStream().read()).isEqualTo(-1);
            assertThat(relay.awaitErr("sockit: cannot relay .*")).contains("127.0.0.1:" + nobody).contains("refused");
            try (Socket again = new Socket(InetAddress.getLoopbackAddress(), relay.port())) {
                again.setSoTimeout(10_000);
                assertThat(again.getInputStream().read()).isEqualTo(-1);
            }
        }
    }

    @Test
    void anIdleTimeoutOnAUdpListenEndsASilentClientsSessionAndItsConnectionToTheTarget() throws Exception {
        try (ServerSocket target = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             SockitProcess relay = relay("udp://127.0.0.1:0", "tcp://127.0.0.1:" + target.getLocalPort(),
                     "--idle-timeout", "300ms");
             java.net.DatagramSocket client = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            byte[] hello = "hello\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            client.send(new java.net.DatagramPacket(hello, hello.length, InetAddress.getLoopbackAddress(), relay.port()));
            target.setSoTimeout(10_000);
            try (Socket relayed = target.accept()) {
                relayed.setSoTimeout(10_000); // far below the session timeout's 60 s: the idle timeout ended it
                assertThat(relayed.getInputStream().readNBytes(hello.length)).isEqualTo(hello);
                assertThat(relayed.getInputStream().read()).as("the silent client's session ended").isEqualTo(-1);
            }
        }
    }

    @Test
    void tlsOptionsOnAPlainEndpointAreRefusedWithWhatToDo() throws Exception {
        try (SockitProcess relay = SockitProcess.start("relay", "tcp://127.0.0.1:0", "tcp://127.0.0.1:9",
                "--target-ca", "ca.pem")) {
            assertThat(relay.exitStatus()).isEqualTo(2);
            assertThat(relay.restOfErr()).singleElement().asString().contains("tls://127.0.0.1:9");
        }
    }

    /** Starts {@code sockit relay} and returns once it printed its start line, with its port known. */
    static SockitProcess relay(String listen, String target, String... options) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("relay", listen, target));
        args.addAll(List.of(options));
        SockitProcess relay = SockitProcess.start(args.toArray(String[]::new));
        String start = relay.nextOut();
        if (start == null || !start.startsWith("Relay start at: ")) {
            relay.close();
            throw new AssertionError("relay did not start: " + start + " / " + relay.restOfErr());
        }
        String bound = start.substring("Relay start at: ".length(), start.indexOf(" to "));
        relay.port(Integer.parseInt(bound.substring(bound.lastIndexOf(':') + 1)));
        return relay;
    }

    static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    /**
     * Waits until an external program listens on {@code port}, and returns the port. It asks the
     * kernel (/proc/net/tcp) rather than connecting: a probe would use up ncat's one connection.
     */
    static int awaitPort(int port) throws Exception {
        return awaitPort(port, null);
    }

    /** As {@link #awaitPort(int)}, failing at once when {@code program} exits first. */
    static int awaitPort(int port, Process program) {
        // Generous: the machine may be loaded by other test runs.
        TestKit.awaitUntil("something listens on 127.0.0.1:" + port, Duration.ofSeconds(30), Duration.ofMillis(20), () -> {
            if (program != null && !program.isAlive()) {
                throw new AssertionError(program.info().command().orElse("the program") + " exited with status "
                        + program.exitValue() + " before listening on 127.0.0.1:" + port + " (the port taken meanwhile?)");
            }
            return TestKit.listening(port);
        });
        return port;
    }

    /** Compares a file with the bytes expected by size, then by the first differing offset: no dump of megabytes. */
    static void assertSameBytes(Path file, byte[] expected) throws IOException {
        byte[] actual = Files.readAllBytes(file);
        assertThat(actual.length).as("bytes in " + file.getFileName()).isEqualTo(expected.length);
        int mismatch = java.util.Arrays.mismatch(actual, expected);
        assertThat(mismatch).as("first differing offset in " + file.getFileName()).isEqualTo(-1);
    }

    static void stop(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

}
