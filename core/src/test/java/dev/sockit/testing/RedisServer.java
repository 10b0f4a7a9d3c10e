package dev.sockit.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real redis-server for a test: on a free loopback port, nothing saved, stopped by its
 * process id; {@link #restart()} brings it back on the same port, as an operator would.
 *
 * <pre>{@code try (RedisServer redis = RedisServer.start()) { Broker.open(URI.create(redis.uri()), "a"); }}</pre>
 */
public final class RedisServer implements AutoCloseable {

    private final Path program;
    private final int port;
    private final List<String> extra;
    private Process process;

    private RedisServer(Path program, int port, List<String> extra) {
        this.program = program;
        this.port = port;
        this.extra = extra;
    }

    /** Starts one; skips the test locally (fails it under CI) when redis-server is not installed. */
    public static RedisServer start(String... extra) throws Exception {
        Path program = RequiredProgram.find("redis-server", "redis-server");
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        RedisServer redis = new RedisServer(program, port, List.of(extra));
        redis.restart();
        return redis;
    }

    public int port() {
        return port;
    }

    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    public long pid() {
        return process.pid();
    }

    /** Starts it (again) on its port and waits until it accepts connections. */
    public void restart() throws Exception {
        List<String> command = new ArrayList<>(List.of(program.toString(), "--port", Integer.toString(port), "--bind",
                "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "no",
                "--dir", System.getProperty("java.io.tmpdir")));
        command.addAll(extra);
        process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                assertThat(process.isAlive()).as("redis-server on port " + port + " is running").isTrue();
                assertThat(System.nanoTime()).as("redis-server accepts within 10 s").isLessThan(deadline);
                Thread.sleep(20);
            }
        }
    }

    /** Kills it (SIGKILL) and waits until it is gone: what a crash looks like to its clients. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            kill();
        }
    }
}
