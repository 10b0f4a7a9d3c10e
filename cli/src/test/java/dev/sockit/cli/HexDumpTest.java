package dev.sockit.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code -x/--hexdump} on client, server and relay: both directions, offsets, timestamps. */
class HexDumpTest {

    // "> 2026/12/03 06:28:37.000196  length=6 from=0 to=5", then an optional label.
    private static final String HEAD = "[<>] \\d{4}/\\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{6}  length=\\d+ from=\\d+ to=\\d+.*";

    @TempDir
    Path dir;

    @Test
    void aClientDumpsWhatItSendsAndReceivesWithOffsetsAndTime() throws Exception {
        Path file = dir.resolve("client.hex");
        try (SockitProcess server = SockitProcess.server("--mode", "echo", "--quiet");
             SockitProcess client = SockitProcess.start("client", server.endpoint(), "-x", file.toString())
                     .input("hello\nworld, more than sixteen bytes\n")) {
            assertThat(client.restOfOut()).containsExactly("hello", "world, more than sixteen bytes");
            assertThat(client.exitStatus()).isZero();
        }
        List<String> lines = Files.readAllLines(file, UTF_8);
        assertThat(lines).allSatisfy(line -> assertThat(line).matches(HEAD + "|[0-9a-f]{4,}  .*"));
        // Sent and received, each way with offsets counted from the start of that direction.
        assertThat(lines).anySatisfy(line -> assertThat(line).startsWith("> ").endsWith("length=6 from=0 to=5"));
        assertThat(lines).anySatisfy(line -> assertThat(line).startsWith("< ").endsWith("length=6 from=0 to=5"));
        assertThat(lines).anySatisfy(line -> assertThat(line).startsWith("> ").endsWith("length=31 from=6 to=36"));
        assertThat(lines).contains("0000   68 65 6c 6c 6f 0a                                 hello.");
        assertThat(lines).contains("0006   77 6f 72 6c 64 2c 20 6d  6f 72 65 20 74 68 61 6e  world,.more.than");
        assertThat(lines).contains("0016   20 73 69 78 74 65 65 6e  20 62 79 74 65 73 0a     .sixteen.bytes.");
    }

    @Test
    void aServerDumpsEachConnectionToStderrNamingIt() throws Exception {
        try (SockitProcess server = SockitProcess.server("--reply", "ok", "-x");
             Socket peer = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            peer.getOutputStream().write("hi\n".getBytes(UTF_8));
            assertThat(new String(peer.getInputStream().readNBytes(3), UTF_8)).isEqualTo("ok\n");
            String label = "connection 1 127.0.0.1:" + peer.getLocalPort();
            assertThat(server.awaitErr("< .*")).matches(HEAD).endsWith("length=3 from=0 to=2  " + label);
            assertThat(server.nextErr()).isEqualTo("0000   68 69 0a                                          hi.");
            assertThat(server.awaitErr("> .*")).endsWith("length=3 from=0 to=2  " + label);
            assertThat(server.nextErr()).startsWith("0000   6f 6b 0a");
        }
    }

    @Test
    void aRelayDumpsBothDirectionsOfEachConnection() throws Exception {
        Path file = dir.resolve("relay.hex");
        try (ServerSocket target = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             SockitProcess relay = RelayCommandTest.relay("tcp://127.0.0.1:0", "tcp://127.0.0.1:" + target.getLocalPort(),
                     "--hexdump", file.toString());
             Socket client = new Socket(InetAddress.getLoopbackAddress(), relay.port());
             Socket far = target.accept()) {
            far.setSoTimeout(10_000);
            client.setSoTimeout(10_000);
            OutputStream up = client.getOutputStream();
            up.write(new byte[] {0, 1, 2, (byte) 0xff});
            assertThat(far.getInputStream().readNBytes(4)).containsExactly(0, 1, 2, 0xff);
            far.getOutputStream().write("back".getBytes(UTF_8));
            assertThat(client.getInputStream().readNBytes(4)).isEqualTo("back".getBytes(UTF_8));
            client.shutdownOutput();
            far.close();
            relay.awaitOut("Ended .*");
        }
        List<String> lines = Files.readAllLines(file, UTF_8);
        assertThat(lines).anySatisfy(line -> assertThat(line).startsWith("> ").contains("length=4 from=0 to=3  connection 1"));
        assertThat(lines).contains("0000   00 01 02 ff                                       ....");
        assertThat(lines).anySatisfy(line -> assertThat(line).startsWith("< ").contains("length=4 from=0 to=3  connection 1"));
        assertThat(lines).contains("0000   62 61 63 6b                                       back");
    }

    @Test
    void anEndpointTakenAsTheDumpFileIsRefusedWithWhatToWrite() throws Exception {
        try (SockitProcess client = SockitProcess.start("client", "-x", "tcp://127.0.0.1:9")) {
            assertThat(client.exitStatus()).isEqualTo(2);
            assertThat(client.restOfErr()).singleElement().asString().contains("-x").contains("endpoint first");
        }
    }
}
