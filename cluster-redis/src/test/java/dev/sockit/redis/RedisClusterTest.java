package dev.sockit.redis;

import static dev.sockit.TestKit.PATIENCE;
import static dev.sockit.TestKit.awaitUntil;
import static dev.sockit.TestKit.onLoopback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sockit.ConnectionId;
import dev.sockit.Handlers;
import dev.sockit.Message;
import dev.sockit.Server;
import dev.sockit.TestKit.Peer;
import dev.sockit.cluster.Broker;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import dev.sockit.testing.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** sockit servers in one JVM joined through a real redis-server. */
class RedisClusterTest {

    private RedisServer redis;
    private final List<AutoCloseable> opened = new ArrayList<>();

    @BeforeEach
    void startRedis() throws Exception {
        redis = RedisServer.start();
    }

    @AfterEach
    void stopAll() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
        redis.close();
    }

    private Broker broker(String node) {
        Broker broker = Broker.open(URI.create(redis.uri()), node);
        opened.add(broker);
        return broker;
    }

    private Server chat(Broker broker) throws IOException {
        Server server = onLoopback().broker(broker).handler(Handlers.chat(broker)).start();
        opened.add(server);
        return server;
    }

    private Peer connect(Server server) throws IOException {
        Peer peer = Peer.connect(server);
        opened.add(peer);
        return peer;
    }

    /**
     * Connects the first member of the cluster's room and waits until it is in: the chat handler
     * joins the room before it reads, so a line read from it proves it joined. No one else is
     * in the room to hear that line.
     */
    private Peer first(Server server) throws IOException {
        Peer peer = connect(server);
        peer.send("here");
        awaitUntil("the first member's line was read", () -> server.stats().messagesIn() == 1);
        return peer;
    }

    /**
     * The next line, past what was said in the room before {@code peer} joined: the first member's
     * arrival and its "here", and the lines that start with {@code saidBefore}. These cross to the
     * other nodes asynchronously, so a member who joined there just after may or may not hear them.
     */
    private static String next(Peer peer, String... saidBefore) throws IOException {
        List<String> early = new ArrayList<>(List.of("[a/1] here", "* a/1 joined"));
        early.addAll(List.of(saidBefore));
        String line;
        do {
            line = peer.readLine();
        } while (early.stream().anyMatch(line::startsWith));
        return line;
    }

    @Test
    void chatCrossesThreeNodesInTheSendersOrderAndNeverReturnsToItsSender() throws Exception {
        Server a = chat(broker("a")), b = chat(broker("b")), c = chat(broker("c"));
        Peer alice = first(a);
        Peer bob = connect(b);
        assertThat(next(alice)).startsWith("* b/1 joined from 127.0.0.1:");
        Peer carol = connect(c);
        assertThat(next(alice)).startsWith("* c/1 joined");
        assertThat(next(bob)).startsWith("* c/1 joined");

        for (int i = 0; i < 500; i++) {
            alice.send("line " + i);
        }
        for (Peer reader : List.of(bob, carol)) {
            // Alice heard bob's arrival through node a; node c may hand it to its room after carol joined.
            List<String> lines = new ArrayList<>(List.of(next(reader, "* b/1 joined")));
            lines.addAll(reader.readLines(499));
            for (int i = 0; i < 500; i++) {
                assertThat(lines.get(i)).isEqualTo("[a/1] line " + i);
            }
        }
        carol.send("done");
        assertThat(alice.readLine()).isEqualTo("[c/1] done");
        assertThat(a.cluster().nodes()).containsExactly("a", "b", "c");
    }

    @Test
    void sendKickListAndStatsReachTheOtherNode() throws Exception {
        Server a = chat(broker("a")), b = chat(broker("b"));
        Peer alice = first(a);
        Peer bob = connect(b);
        assertThat(next(alice)).startsWith("* b/1 joined");

        assertThat(a.cluster().send(ConnectionId.parse("b/1"), Message.of("psst"), PATIENCE).outcome())
                .isEqualTo(dev.sockit.Cluster.Outcome.DONE);
        assertThat(next(bob)).isEqualTo("psst");
        assertThat(a.cluster().connections(PATIENCE).answers()).containsOnlyKeys("a", "b");
        assertThat(a.cluster().stats(PATIENCE).answers().get("b").open()).isEqualTo(1);
        assertThat(a.cluster().kick(ConnectionId.parse("b/1"), "kicked: test", PATIENCE).outcome())
                .isEqualTo(dev.sockit.Cluster.Outcome.DONE);
        assertThat(bob.readLine()).isEqualTo("error: kicked: test");
        assertThat(next(alice)).isEqualTo("* b/1 left");
    }

    @Test
    void aKickNeverOvertakesWhatItsNodePublishedBefore() throws Exception {
        Server a = chat(broker("a")), b = chat(broker("b"));
        Peer alice = first(a);
        Peer bob = connect(b);
        assertThat(next(alice)).startsWith("* b/1 joined");

        // The broadcast goes on the chat's topic, the kick on node b's: one queue and one
        // subscriber connection keep them in the order published.
        for (int i = 0; i < 100; i++) {
            a.broadcast(Message.of("line " + i));
        }
        assertThat(a.cluster().kick(ConnectionId.parse("b/1"), "kicked: test", PATIENCE).outcome())
                .isEqualTo(dev.sockit.Cluster.Outcome.DONE);
        List<String> lines = new ArrayList<>(List.of(next(bob)));
        lines.addAll(bob.readLines(100));
        for (int i = 0; i < 100; i++) {
            assertThat(lines.get(i)).isEqualTo("line " + i);
        }
        assertThat(lines.get(100)).isEqualTo("error: kicked: test");
    }

    @Test
    void aNodeThatClosesLeavesTheOthersViewAtOnce() {
        Broker a = broker("a");
        Broker b = broker("b");
        awaitUntil("a sees b", () -> a.nodes().equals(List.of("a", "b")));
        b.close();
        awaitUntil("a no longer sees b", () -> a.nodes().equals(List.of("a")));
    }

    @Test
    void aNameAlreadyLiveIsRefusedWithTheReason() {
        broker("a");
        assertThatThrownBy(() -> broker("a")).hasMessageContaining("node name \"a\" is taken");
    }

    @Test
    void anUnreachableRedisIsNamedWithWhatToDo() throws Exception {
        redis.kill();
        assertThatThrownBy(() -> broker("a")).hasMessageStartingWith("cannot reach Redis at " + redis.uri())
                .hasMessageContaining("Connection refused").hasMessageContaining("redis-server --port " + redis.port());
    }

    @Test
    void redisStoppedAndRestartedUnderLoad() throws Exception {
        Broker brokerA = broker("a");
        List<String> told = new CopyOnWriteArrayList<>();
        brokerA.watch(new Broker.LinkListener() {
            @Override
            public void linkDown(String why) {
                told.add("down");
            }

            @Override
            public void linkUp(long unsent) {
                told.add("up");
            }
        });
        Server a = chat(brokerA), b = chat(broker("b"));
        Peer alice = first(a);
        Peer bob = connect(b);
        assertThat(next(alice)).startsWith("* b/1 joined");
        Peer dave = connect(a);
        assertThat(next(alice)).startsWith("* a/2 joined");
        assertThat(next(bob)).startsWith("* a/2 joined");

        // Load: alice talks all through the outage; dave (her node) and bob (the other) read.
        AtomicBoolean talking = new AtomicBoolean(true);
        AtomicInteger sent = new AtomicInteger();
        Thread talker = Thread.ofVirtual().start(() -> {
            try {
                while (talking.get() && sent.get() < 200_000) {
                    alice.send("load " + sent.getAndIncrement());
                    if (sent.get() % 100 == 0) {
                        Thread.sleep(1);
                    }
                }
            } catch (Exception e) {
                talking.set(false);
            }
        });
        Drain daveReads = Drain.start(dave), bobReads = Drain.start(bob);
        awaitUntil("bob hears alice's load", () -> bobReads.count() > 100);

        redis.kill();
        awaitUntil("node a says the link is down", () -> told.contains("down"));
        long daveBefore = daveReads.count();
        awaitUntil("dave, on alice's node, still hears her", () -> daveReads.count() > daveBefore + 1000);
        awaitUntil("node a counts what it could not send", () -> brokerA.stats().unsent() > 0);
        assertThat(((RedisBroker) brokerA).queuedBytes()).isLessThanOrEqualTo(RedisBroker.QUEUE_BYTES);

        redis.restart();
        awaitUntil("node a is back", () -> told.equals(List.of("down", "up")));
        awaitUntil("node a sees node b again", () -> brokerA.nodes().equals(List.of("a", "b")));
        long bobBefore = bobReads.count();
        awaitUntil("bob hears alice again, without a restart", () -> bobReads.count() > bobBefore + 100);
        talking.set(false);
        talker.join(PATIENCE.toMillis());
        assertThat(told).as("said once each way").containsExactly("down", "up");
        assertThat(daveReads.failure()).isNull();
        assertThat(bobReads.failure()).isNull();
    }

    /** Reads a peer's lines on a thread of its own, counting them. */
    private static final class Drain {
        private final AtomicInteger lines = new AtomicInteger();
        private volatile Exception failure;

        static Drain start(Peer peer) {
            Drain drain = new Drain();
            Thread.ofVirtual().start(() -> {
                try {
                    peer.socket().setSoTimeout(0);
                    while (peer.readLine() != null) {
                        drain.lines.incrementAndGet();
                    }
                } catch (Exception e) {
                    if (!peer.socket().isClosed()) {
                        drain.failure = e;
                    }
                }
            });
            return drain;
        }

        int count() {
            return lines.get();
        }

        Exception failure() {
            return failure;
        }
    }
}
