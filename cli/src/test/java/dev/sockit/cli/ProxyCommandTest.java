package dev.sockit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.testing.RequiredProgram;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code sockit client --proxy} and {@code sockit relay --target-proxy} through real proxies. */
class ProxyCommandTest {

    @Test
    void aPipedClientTalksThroughSocks5() throws Exception {
        Path microsocks = RequiredProgram.find("microsocks", "microsocks");
        int port = RelayCommandTest.freePort();
        Process proxy = new ProcessBuilder(microsocks.toString(), "-i", "127.0.0.1", "-p", Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try (AutoCloseable stop = () -> RelayCommandTest.stop(proxy);
             SockitProcess server = SockitProcess.server("--mode", "echo");
             SockitProcess client = SockitProcess.start("client", server.endpoint(), "--proxy",
                     "socks5://127.0.0.1:" + RelayCommandTest.awaitPort(port, proxy))) {
            // The input stays open until the reply is in: microsocks closes both ways at the first
            // end of stream, so a half-close would race the echo.
            client.writeLine("through socks");
            assertThat(client.nextOut()).isEqualTo("through socks");
            client.endInput();
            assertThat(client.exitStatus()).isZero();
        }
    }

    @Test
    void aClientThroughAnHttpProxyThatIsNotThereSaysWhich() throws Exception {
        int nobody = RelayCommandTest.freePort();
        try (SockitProcess client = SockitProcess.start("client", "tcp://127.0.0.1:9", "--proxy",
                "http://127.0.0.1:" + nobody).input("x\n")) {
            assertThat(client.exitStatus()).isEqualTo(1);
            assertThat(client.restOfErr()).singleElement().asString()
                    .contains("cannot reach the proxy http://127.0.0.1:" + nobody);
        }
    }

    @Test
    void aRelayReachesItsTargetThroughAnHttpProxy() throws Exception {
        Path ncat = RequiredProgram.find("ncat", "ncat");
        int port = RelayCommandTest.freePort();
        Process proxy = new ProcessBuilder(ncat.toString(), "-l", "-k", "127.0.0.1", Integer.toString(port),
                "--proxy-type", "http").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try (AutoCloseable stop = () -> RelayCommandTest.stop(proxy);
             SockitProcess server = SockitProcess.server("--mode", "echo", "--framing", "raw", "--quiet");
             SockitProcess relay = RelayCommandTest.relay("tcp://127.0.0.1:0", server.endpoint(), "--target-proxy",
                     "http://127.0.0.1:" + RelayCommandTest.awaitPort(port, proxy));
             java.net.Socket client = new java.net.Socket("127.0.0.1", relay.port())) {
            client.setSoTimeout(10_000);
            client.getOutputStream().write("via http".getBytes());
            assertThat(new String(client.getInputStream().readNBytes(8))).isEqualTo("via http");
        }
        assertThat(proxy.waitFor(5, TimeUnit.SECONDS)).isTrue();
    }
}
