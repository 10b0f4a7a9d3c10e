package dev.sockit.cli;

import static dev.sockit.TestKit.awaitUntil;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.testing.RedisServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Separate sockit server processes on one real redis-server: one chat, one console, and presence. */
class ClusterCommandTest {

    private RedisServer redis;

    @BeforeEach
    void startRedis() throws Exception {
        redis = RedisServer.start();
    }

    @AfterEach
    void stopRedis() throws Exception {
        redis.close();
    }

    private SockitProcess node(String name) throws IOException {
        // A short presence time, so that a killed node leaves within this test's patience.
        SockitProcess node = SockitProcess.server("--mode", "chat", "--console", "--cluster",
                redis.uri() + "?presence=2s", "--node", name);
        assertThat(node.awaitOut("Cluster: .*")).startsWith("Cluster: node " + name + " of ");
        return node;
    }

    private record Peer(Socket socket, BufferedReader in) implements AutoCloseable {
        static Peer connect(SockitProcess server) throws IOException {
            Socket socket = new Socket();
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
            socket.setSoTimeout(10_000);
            return new Peer(socket, new BufferedReader(new InputStreamReader(socket.getInputStream(), UTF_8)));
        }

        void send(String line) throws IOException {
            socket.getOutputStream().write((line + "\n").getBytes(UTF_8));
        }

        /** The next line, past what crossed while this peer was joining (the first member's "hi"). */
        String next() throws IOException {
            String line;
            do {
                line = in.readLine();
            } while (line != null && (line.equals("[one/1] hi") || line.startsWith("* one/1 joined")));
            return line;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void twoServerProcessesServeOneChatAndOneConsole() throws Exception {
        try (SockitProcess one = node("one"); SockitProcess two = node("two");
             Peer alice = Peer.connect(one)) {
            alice.send("hi");
            one.awaitOut(".*: hi"); // "[ID] ADDRESS: hi", read by the chat handler: alice is in the room
            try (Peer bob = Peer.connect(two)) {
                assertThat(alice.next()).startsWith("* two/1 joined from 127.0.0.1:");
                bob.send("hello from two");
                assertThat(alice.next()).isEqualTo("[two/1] hello from two");
                alice.send("hello from one");
                assertThat(bob.next()).isEqualTo("[one/1] hello from one");

                one.writeLine("/nodes");
                assertThat(one.awaitOut("\\d+ live nodes?: .*")).isEqualTo("2 live nodes: one (this one), two");
                one.writeLine("/list");
                assertThat(one.awaitOut("\\d+ connections? on .*")).isEqualTo("2 connections on 2 nodes:");
                assertThat(one.awaitOut("  #two/1 .*")).contains("127.0.0.1:" + bob.socket().getLocalPort());
                one.writeLine("/stats");
                assertThat(one.awaitOut("  total over .*")).startsWith("  total over 2 nodes: 2 open, 2 accepted");
                one.writeLine("/send two/1 psst");
                assertThat(bob.next()).isEqualTo("psst");
                assertThat(one.awaitOut("sent to #.*")).isEqualTo("sent to #two/1");
                one.writeLine("/send two/9 nobody");
                assertThat(one.awaitOut("/send: .*")).startsWith("/send: no connection #two/9");
                one.writeLine("/kick two/1 enough");
                assertThat(bob.next()).isEqualTo("error: kicked: enough");
                assertThat(alice.next()).isEqualTo("* two/1 left");
            }
        }
    }

    @Test
    void aKilledNodeLeavesTheOthersListWithinThePresenceTime() throws Exception {
        try (SockitProcess one = node("one"); SockitProcess two = node("two")) {
            one.writeLine("/nodes");
            assertThat(one.awaitOut("\\d+ live nodes?: .*")).isEqualTo("2 live nodes: one (this one), two");
            two.process().destroyForcibly(); // SIGKILL: it says nothing to anyone
            two.process().waitFor();
            // The bound is 2 s + 0.67 s; the rest is slack for a machine busy with other builds.
            awaitUntil("two gone from one's /nodes within presence (2 s), a renewal, and slack", Duration.ofSeconds(12),
                    Duration.ofMillis(200), () -> one.writeLine("/nodes").awaitOut("\\d+ live nodes?: .*")
                            .equals("1 live node: one (this one)"));
        }
    }

    @Test
    void aServerLeftWithoutRedisSaysSoOnceAndKeepsChattingLocally() throws Exception {
        try (SockitProcess one = node("one"); Peer alice = Peer.connect(one)) {
            alice.send("hi");
            one.awaitOut(".*: hi"); // the chat log: "[ID] ADDRESS: hi"
            try (Peer dave = Peer.connect(one)) {
                assertThat(alice.next()).startsWith("* one/2 joined");
                redis.kill();
                assertThat(one.awaitErr("sockit: cluster link down: .*")).contains("serving this node's clients only");
                dave.send("still here");
                assertThat(alice.next()).isEqualTo("[one/2] still here");
                redis.restart();
                assertThat(one.awaitErr("sockit: cluster link back up.*")).contains("could not cross meanwhile");
            }
        }
    }

    @Test
    void theDefaultNodeNameIsTheShortHostAndThePid() {
        assertThat(ClusterOptions.defaultName("Web1.example.com", 4711)).isEqualTo("web1-4711");
        assertThat(ClusterOptions.defaultName("", 7)).isEqualTo("node-7");
    }

    @Test
    void nodeWithoutClusterIsRefusedWithTheFix() {
        java.io.StringWriter err = new java.io.StringWriter();
        int status = Sockit.commandLine().setErr(new java.io.PrintWriter(err)).execute("server", "--node", "web-1");
        assertThat(status).isNotZero();
        assertThat(err.toString()).contains("give the cluster too, e.g. --cluster redis://127.0.0.1:6379 --node web-1");
    }
}
