package dev.sockit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sockit.framing.Raw;
import dev.sockit.testing.RequiredProgram;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client through real proxies on loopback: microsocks for SOCKS5 (with and without a user
 * name and password), tinyproxy for HTTP CONNECT. (Not ncat's {@code --proxy-type http}: 7.93
 * ignores the address it is told to listen on and serves an open proxy on every interface.)
 */
class ClientProxyTest {

    @TempDir
    Path dir;

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void stopProxies() throws InterruptedException {
        for (Process process : started) {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    @Test
    void throughSocks5WithoutAuthentication() throws Exception {
        int proxy = start("microsocks", "microsocks", "-i", "127.0.0.1", "-p", "%PORT%");
        assertEchoedThrough(ClientProxy.parse("socks5://127.0.0.1:" + proxy));
    }

    @Test
    void throughSocks5WithAUserNameAndPassword() throws Exception {
        int proxy = start("microsocks", "microsocks", "-i", "127.0.0.1", "-p", "%PORT%", "-u", "alice", "-P", "s3cret");
        assertEchoedThrough(ClientProxy.parse("socks5://alice:s3cret@127.0.0.1:" + proxy));
    }

    @Test
    void aWrongPasswordIsRefusedInWords() throws Exception {
        int proxy = start("microsocks", "microsocks", "-i", "127.0.0.1", "-p", "%PORT%", "-u", "alice", "-P", "s3cret");
        try (ServerSocket target = listener()) {
            Client client = Client.connect(Endpoint.parse("tcp://127.0.0.1:" + target.getLocalPort()))
                    .proxy(ClientProxy.parse("socks5://alice:wrong@127.0.0.1:" + proxy));
            assertThatThrownBy(client::open).isInstanceOf(IOException.class)
                    .hasMessageContaining("refused the user name and password for alice");
        }
    }

    @Test
    void aTargetTheProxyCannotReachIsSaidWithTheProxysReason() throws Exception {
        int proxy = start("microsocks", "microsocks", "-i", "127.0.0.1", "-p", "%PORT%");
        int closed;
        try (ServerSocket gone = listener()) {
            closed = gone.getLocalPort();
        }
        Client client = Client.connect(Endpoint.parse("tcp://127.0.0.1:" + closed))
                .proxy(ClientProxy.parse("socks5://127.0.0.1:" + proxy));
        assertThatThrownBy(client::open).isInstanceOf(IOException.class)
                .hasMessageContaining("cannot connect to 127.0.0.1:" + closed);
    }

    @Test
    void throughAnHttpProxyWithConnect() throws Exception {
        int proxy = startHttpProxy();
        assertEchoedThrough(ClientProxy.parse("http://127.0.0.1:" + proxy));
    }

    @Test
    void anHttpProxyThatWantsAPasswordSaysSo() throws Exception {
        int proxy = startHttpProxy("BasicAuth alice s3cret");
        try (ServerSocket target = listener()) {
            Client without = Client.connect(Endpoint.parse("tcp://127.0.0.1:" + target.getLocalPort()))
                    .proxy(ClientProxy.parse("http://127.0.0.1:" + proxy));
            assertThatThrownBy(without::open).hasMessageContaining("407").hasMessageContaining("USER:PASSWORD@");
        }
        assertEchoedThrough(ClientProxy.parse("http://alice:s3cret@127.0.0.1:" + proxy));
    }

    @Test
    void tlsGoesEndToEndThroughTheTunnel() throws Exception {
        int proxy = start("microsocks", "microsocks", "-i", "127.0.0.1", "-p", "%PORT%");
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        DevCertificate.builder().create().write(cert, key, false);
        try (Server server = Server.listen(Endpoint.parse("tls://127.0.0.1:0")).tls(Tls.server(cert, key))
                .handler(Handlers.echo()).start();
             Connection connection = Client.connect(Endpoint.parse("tls://127.0.0.1:" + server.port()))
                     .tls(Tls.client().trust(cert)).proxy(ClientProxy.parse("socks5://127.0.0.1:" + proxy)).open()) {
            connection.send("secret through socks");
            assertThat(connection.receive().text()).isEqualTo("secret through socks");
            assertThat(connection.tls()).isPresent();
        }
    }

    @Test
    void aProxyUriIsReadWithItsUserAndShownWithoutItsPassword() {
        ClientProxy proxy = ClientProxy.parse("socks5://al%40ce:p%3Ass@[::1]:1080");
        assertThat(proxy.kind()).isEqualTo(ClientProxy.Kind.SOCKS5);
        assertThat(proxy.host()).isEqualTo("::1");
        assertThat(proxy.user()).isEqualTo("al@ce");
        assertThat(proxy.password()).isEqualTo("p:ss");
        assertThat(proxy.toString()).isEqualTo("socks5://al@ce:***@[::1]:1080");
        assertThatThrownBy(() -> ClientProxy.parse("ftp://127.0.0.1:21")).hasMessageContaining("socks5:// or http://");
        assertThatThrownBy(() -> ClientProxy.parse("socks5://127.0.0.1")).hasMessageContaining("port");
    }

    /** A client through {@code proxy} to a plain target socket: bytes both ways. */
    private void assertEchoedThrough(ClientProxy proxy) throws Exception {
        try (ServerSocket target = listener();
             Connection connection = Client.connect(Endpoint.parse("tcp://127.0.0.1:" + target.getLocalPort()))
                     .framing(Raw.bytes()).proxy(proxy).open();
             Socket far = target.accept()) {
            far.setSoTimeout(10_000);
            connection.send("through " + proxy.kind());
            byte[] got = far.getInputStream().readNBytes(("through " + proxy.kind()).length());
            assertThat(new String(got, UTF_8)).isEqualTo("through " + proxy.kind());
            far.getOutputStream().write("and back".getBytes(UTF_8));
            assertThat(connection.receive().text()).isEqualTo("and back");
        }
    }

    /** Starts tinyproxy on a free loopback port, with {@code settings} added to its configuration. */
    private int startHttpProxy(String... settings) throws Exception {
        Path config = dir.resolve("tinyproxy-" + started.size() + ".conf");
        // No ConnectPort line: CONNECT may reach any port (the targets are on ephemeral ports).
        String lines = "Port %PORT%\nListen 127.0.0.1\nAllow 127.0.0.1\nTimeout 30\n" + String.join("\n", settings) + "\n";
        return start("tinyproxy", "tinyproxy-bin", port -> Files.writeString(config, lines.replace("%PORT%", port)),
                "-d", "-c", config.toString());
    }

    private int start(String program, String debianPackage, String... args) throws Exception {
        return start(program, debianPackage, port -> { }, args);
    }

    /** Writes what the program reads before it starts, knowing its port. */
    private interface Prepare {
        void at(String port) throws IOException;
    }

    /**
     * Starts a proxy program on a free loopback port (%PORT% in its arguments) and waits until it
     * listens. The port is free when probed and the program binds it a moment later, so another
     * process can take it in between: then a new port is tried, at most three times.
     */
    private int start(String program, String debianPackage, Prepare prepare, String... args) throws Exception {
        Path found = RequiredProgram.find(program, debianPackage);
        for (int attempt = 1; ; attempt++) {
            int port;
            try (ServerSocket probe = listener()) {
                port = probe.getLocalPort();
            }
            prepare.at(Integer.toString(port));
            List<String> command = new ArrayList<>(List.of(found.toString()));
            for (String arg : args) {
                command.add(arg.replace("%PORT%", Integer.toString(port)));
            }
            Path log = dir.resolve(program + "-" + started.size() + ".log");
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            started.add(process);
            if (awaitListening(process, port, log, attempt == 3)) {
                return port;
            }
        }
    }

    /**
     * Waits until the proxy listens, or exits: then false, unless {@code last}, when it fails at
     * once with the exit status and the output, which a timeout alone would hide.
     */
    private static boolean awaitListening(Process process, int port, Path log, boolean last) throws IOException {
        TestKit.awaitUntil("something listens on 127.0.0.1:" + port, Duration.ofSeconds(10),
                Duration.ofMillis(20), () -> TestKit.listening(port) || !process.isAlive());
        // Another process that took the port listens there too: only a live proxy's listening counts.
        if (process.isAlive() && TestKit.listening(port)) {
            return true;
        }
        if (!last) {
            return false;
        }
        throw new AssertionError(process.info().command().orElse("the proxy") + " exited ("
                + process.exitValue() + ") before it listened on 127.0.0.1:" + port + ", three ports in a row; its output: "
                + Files.readString(log));
    }

    private static ServerSocket listener() throws IOException {
        ServerSocket socket = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        socket.setSoTimeout(10_000);
        return socket;
    }
}
