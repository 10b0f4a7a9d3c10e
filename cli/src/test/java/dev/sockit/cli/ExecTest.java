package dev.sockit.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import org.junit.jupiter.api.Test;

/**
 * {@code sockit server --exec / --sh-exec} over TCP: each client joined to a process of its own,
 * as ncat -e / -c. The handler's contract with its process is tested on the kit, in ExecHandlerTest.
 */
class ExecTest {

    @Test
    void eachClientTalksToItsOwnProcessAndItsHalfCloseEndsTheProcessInput() throws Exception {
        try (SockitProcess server = SockitProcess.server("--exec", "tr a-z A-Z");
             Socket first = connect(server.port());
             Socket second = connect(server.port())) {
            first.getOutputStream().write("first client\n".getBytes(UTF_8));
            second.getOutputStream().write("second\n".getBytes(UTF_8));
            first.shutdownOutput();
            second.shutdownOutput();
            // tr answers once its input ends, then exits: the connection ends after its last byte.
            assertThat(new String(first.getInputStream().readAllBytes(), UTF_8)).isEqualTo("FIRST CLIENT\n");
            assertThat(new String(second.getInputStream().readAllBytes(), UTF_8)).isEqualTo("SECOND\n");
        }
    }

    @Test
    void theConnectionLimitBoundsTheProcesses() throws Exception {
        try (SockitProcess server = SockitProcess.server("--exec", "cat", "--max-connections", "1");
             Socket first = connect(server.port())) {
            first.getOutputStream().write("held\n".getBytes(UTF_8));
            assertThat(new BufferedReader(new InputStreamReader(first.getInputStream(), UTF_8)).readLine()).isEqualTo("held");
            try (Socket second = connect(server.port())) {
                // Raw bytes: no "error: server busy" is written into a program's stream; closed, and logged.
                assertThat(second.getInputStream().read()).isEqualTo(-1);
                assertThat(server.awaitErr("sockit: refused .*")).contains("--max-connections");
            }
        }
    }

    @Test
    void aProgramThatCannotStartIsSaidOnStderrAndTheServerGoesOn() throws Exception {
        try (SockitProcess server = SockitProcess.server("--exec", "/nonexistent/program");
             Socket client = connect(server.port())) {
            assertThat(client.getInputStream().read()).isEqualTo(-1);
            assertThat(server.awaitErr(".*cannot start /nonexistent/program.*")).isNotEmpty();
            try (Socket again = connect(server.port())) {
                assertThat(again.getInputStream().read()).isEqualTo(-1);
            }
        }
    }

    @Test
    void execAndAFramingOtherThanRawAreRefused() throws Exception {
        try (SockitProcess server = SockitProcess.start("server", "tcp://127.0.0.1:0", "--exec", "cat", "--framing", "lines")) {
            assertThat(server.exitStatus()).isEqualTo(2);
            assertThat(server.restOfErr()).singleElement().asString().contains("--exec").contains("raw");
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(10_000);
        return socket;
    }
}
