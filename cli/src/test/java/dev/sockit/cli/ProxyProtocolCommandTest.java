package dev.sockit.cli;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.proxy.ProxyHeader;
import dev.sockit.proxy.ProxyHeaderDecoder;
import dev.sockit.proxy.ProxyProtocol;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** sockit server --proxy-protocol, run as its own process, with a plain socket playing the proxy. */
class ProxyProtocolCommandTest {

    private static Socket connect(int port) throws Exception {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    @Test
    void theServerLogsTheClientTheHeaderNamesAndAnswersIt() throws Exception {
        byte[] header = ProxyHeader.proxied(new InetSocketAddress(InetAddress.ofLiteral("203.0.113.7"), 5555),
                new InetSocketAddress(InetAddress.ofLiteral("192.0.2.1"), 8001)).v2Bytes();
        try (SockitProcess server = SockitProcess.server("--proxy-protocol", "v2", "--proxy-from", "10.0.0.0/8,127.0.0.1");
             Socket proxy = connect(server.port())) {
            ByteArrayOutputStream first = new ByteArrayOutputStream();
            first.writeBytes(header);
            first.writeBytes("hello\n".getBytes(UTF_8));
            proxy.getOutputStream().write(first.toByteArray());

            assertThat(server.awaitOut("Connected by .*")).isEqualTo("Connected by 203.0.113.7:5555");
            assertThat(server.awaitOut("hello")).isEqualTo("hello");
            byte[] reply = proxy.getInputStream().readNBytes(dev.sockit.Handlers.ACK_REPLY.length() + 1);
            assertThat(new String(reply, UTF_8)).isEqualTo(dev.sockit.Handlers.ACK_REPLY + "\n");
        }
    }

    @Test
    void healthChecksAreServedButLeftOutOfTheLog() throws Exception {
        byte[] client = ProxyHeader.proxied(new InetSocketAddress(InetAddress.ofLiteral("203.0.113.7"), 5555),
                new InetSocketAddress(InetAddress.ofLiteral("192.0.2.1"), 8001)).v2Bytes();
        try (SockitProcess server = SockitProcess.server("--proxy-protocol", "v2", "--proxy-from", "127.0.0.1")) {
            assertThat(server.nextOut()).isEqualTo("wait for connection...");
            // As HAProxy checks: a LOCAL header, then a reset.
            for (int i = 0; i < 3; i++) {
                try (Socket check = connect(server.port())) {
                    check.getOutputStream().write(ProxyHeader.local().v2Bytes());
                    check.setSoLinger(true, 0);
                }
            }
            try (Socket proxy = connect(server.port())) {
                proxy.getOutputStream().write(client);
                proxy.getOutputStream().write("hello\n".getBytes(UTF_8));
                assertThat(server.nextOut()).as("no line for the health checks").isEqualTo("Connected by 203.0.113.7:5555");
            }
        }
    }

    @Test
    void aBadHeaderIsClosedAndLoggedWithTheReason() throws Exception {
        try (SockitProcess server = SockitProcess.server("--proxy-protocol", "any", "--proxy-from", "127.0.0.1");
             Socket proxy = connect(server.port())) {
            proxy.getOutputStream().write("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n".getBytes(US_ASCII));

            assertThat(proxy.getInputStream().read()).as("closed unserved").isEqualTo(-1);
            assertThat(server.awaitErr("sockit: refused .*")).isEqualTo("sockit: refused 127.0.0.1:"
                    + proxy.getLocalPort() + ": bad PROXY header: PROXY v1 line \"PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\" has 6"
                    + " fields after PROXY, separated by single spaces; it needs 5: TCP4 SOURCE DESTINATION SOURCE-PORT"
                    + " DESTINATION-PORT");
        }
    }

    @Test
    void aClientWithSendProxyIsServedByAServerThatRequiresAHeader() throws Exception {
        try (SockitProcess server = SockitProcess.server("--proxy-protocol", "v1", "--proxy-from", "127.0.0.1");
             SockitProcess client = SockitProcess.start("client", server.endpoint(), "--send-proxy", "v1").input("hi\n")) {
            assertThat(client.restOfOut()).containsExactly(dev.sockit.Handlers.ACK_REPLY);
            assertThat(client.exitStatus()).isZero();
            assertThat(server.awaitOut("Connected by .*")).matches("Connected by 127\\.0\\.0\\.1:\\d+");
        }
    }

    @Test
    void sendProxyV2PutsTheClientsOwnAddressesOnTheWireFirst() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.ofLiteral("127.0.0.1"));
             SockitProcess client = SockitProcess.start("client", "tcp://127.0.0.1:" + listener.getLocalPort(),
                     "--send-proxy", "v2").input("hi\n");
             Socket accepted = accept(listener)) {
            byte[] first = accepted.getInputStream().readNBytes(16 + 12 + 3);
            ProxyHeaderDecoder decoder = new ProxyHeaderDecoder(ProxyProtocol.Version.V2, ProxyProtocol.MAX_HEADER_BYTES);
            ByteBuffer in = ByteBuffer.wrap(first);

            ProxyHeader header = decoder.decode(in);

            assertThat(header.source()).isEqualTo(accepted.getRemoteSocketAddress());
            assertThat(header.destination()).isEqualTo(accepted.getLocalSocketAddress());
            assertThat(new String(first, in.position(), in.remaining(), UTF_8)).isEqualTo("hi\n");
        }
    }

    private static Socket accept(ServerSocket listener) throws Exception {
        listener.setSoTimeout(10_000);
        Socket socket = listener.accept();
        socket.setSoTimeout(10_000);
        return socket;
    }

    @Test
    void proxyProtocolWithoutProxyFromStopsTheServerSayingWhy() throws Exception {
        try (SockitProcess server = SockitProcess.start("server", "tcp://127.0.0.1:0", "--proxy-protocol", "v2")) {
            assertThat(server.exitStatus()).isNotZero();
            assertThat(server.restOfErr()).anySatisfy(line -> assertThat(line).contains("--proxy-protocol needs --proxy-from"));
        }
    }
}
