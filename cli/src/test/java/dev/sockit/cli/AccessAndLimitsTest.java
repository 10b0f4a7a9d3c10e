package dev.sockit.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.Socket;
import org.junit.jupiter.api.Test;

/** --allow, --deny and --max-per-source on the sockit command, run as its own process. */
class AccessAndLimitsTest {

    private static Socket connectFrom(String source, int port) throws Exception {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(source, 0));
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    @Test
    void aDeniedPeerIsClosedUnansweredAndTheRefusalLogged() throws Exception {
        try (SockitProcess server = SockitProcess.server("--deny", "10.0.0.0/8,127.0.0.2");
             Socket stranger = connectFrom("127.0.0.2", server.port());
             Socket friend = connectFrom("127.0.0.1", server.port())) {
            // Nothing sent first: closing over unread input would reset, not end, the stream.
            assertThat(stranger.getInputStream().read()).as("closed with nothing said").isEqualTo(-1);
            int port = stranger.getLocalPort();
            assertThat(server.awaitErr("sockit: refused .*"))
                    .isEqualTo("sockit: refused 127.0.0.2:" + port + ": denied by --deny 127.0.0.2");
            friend.getOutputStream().write("hi\n".getBytes(UTF_8));
            byte[] reply = friend.getInputStream().readNBytes(Handlers.ACK_REPLY_LENGTH + 1);
            assertThat(new String(reply, UTF_8)).isEqualTo(dev.sockit.Handlers.ACK_REPLY + "\n");
        }
    }

    @Test
    void aBadRangeStopsTheServerSayingWhichFlagAndWhy() throws Exception {
        try (SockitProcess server = SockitProcess.start("server", "tcp://127.0.0.1:0", "--allow", "10.0.0.0/33")) {
            assertThat(server.exitStatus()).isNotZero();
            assertThat(server.restOfErr()).anySatisfy(line -> assertThat(line)
                    .contains("--allow 10.0.0.0/33: a prefix of an IPv4 range is 0 to 32"));
        }
    }

    @Test
    void onePastMaxPerSourceIsToldWhyAndTheOperatorHowToRaiseIt() throws Exception {
        try (SockitProcess server = SockitProcess.server("--max-per-source", "1");
             Socket first = connectFrom("127.0.0.1", server.port());
             Socket second = connectFrom("127.0.0.1", server.port())) {
            assertThat(new String(second.getInputStream().readAllBytes(), UTF_8)).isEqualTo(
                    "error: too many connections from 127.0.0.1: 1 open, the most one address may have; try again later\n");
            assertThat(server.awaitErr("sockit: refused .*")).endsWith("(raise it with --max-per-source)");
        }
    }

    /** The reply's length, for reading exactly one. */
    private static final class Handlers {
        static final int ACK_REPLY_LENGTH = dev.sockit.Handlers.ACK_REPLY.length();
    }
}
