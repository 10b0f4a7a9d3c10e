package dev.sockit;

import static dev.sockit.TestKit.awaitUntil;
import static dev.sockit.TestKit.onLoopback;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.TestKit.Peer;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Server push: sends from other threads, broadcasts, and peers that stop reading. */
class PushTest {

    @Test
    void aBroadcastReachesAThousandClientsExactlyOnceEach() throws Exception {
        int clients = 1000;
        try (Server server = onLoopback().handler(Handlers.discard()).start()) {
            List<Peer> peers = new ArrayList<>();
            try {
                for (int i = 0; i < clients; i++) {
                    peers.add(Peer.connect(server));
                }
                awaitUntil("all connected", () -> server.connections().size() == clients);

                assertThat(server.broadcast(Message.of("news"))).isEqualTo(clients);
                server.broadcast(Message.of("end"));

                for (Peer peer : peers) {
                    assertThat(peer.readLines(2)).containsExactly("news", "end");
                }
            } finally {
                for (Peer peer : peers) {
                    peer.close();
                }
            }
        }
    }

    @Test
    void theFirstPushesFromManyThreadsAtOnceAllArriveExactlyOnce() throws Exception {
        // The outbox is made by a connection's first push (Pusher): threads that push first at
        // the same moment must all queue into the one that is kept, none into one thrown away.
        int threads = 8;
        int each = 50;
        try (Server server = onLoopback().handler(connection -> {
                    java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
                    List<Thread> pushers = new ArrayList<>();
                    for (int t = 0; t < threads; t++) {
                        int thread = t;
                        pushers.add(Thread.ofPlatform().start(() -> {
                            try {
                                go.await();
                                for (int i = 0; i < each; i++) {
                                    connection.send(thread + "-" + i);
                                }
                            } catch (Exception e) {
                                throw new AssertionError(e);
                            }
                        }));
                    }
                    go.countDown();
                    for (Thread pusher : pushers) {
                        pusher.join();
                    }
                    connection.receive(); // until the peer leaves
                }).start();
             Peer peer = Peer.connect(server)) {
            List<String> expected = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                for (int i = 0; i < each; i++) {
                    expected.add(t + "-" + i);
                }
            }
            List<String> received = peer.readLines(threads * each);
            assertThat(received).containsExactlyInAnyOrderElementsOf(expected);
            for (int t = 0; t < threads; t++) {
                String prefix = t + "-";
                // Each sender's pushes leave in the order it made them.
                assertThat(received.stream().filter(line -> line.startsWith(prefix)).toList())
                        .isEqualTo(expected.subList(t * each, (t + 1) * each));
            }
        }
    }

    @Test
    void broadcastsFramedOnceForManyMembersReachEachInItsFramingAndOrderAmidItsOwnReplies() throws Exception {
        // A broadcast's frame is made once and shared (SharedFrame): members of another framing
        // must still get their own, and a member's replies to itself may come between the
        // pushes, which must keep their order.
        Group group = new Group("mixed");
        Handler member = connection -> {
            group.join(connection);
            try {
                Handlers.echo().handle(connection);
            } finally {
                group.leave(connection);
            }
        };
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            expected.add(i % 2 == 0 ? "even " + i : "odd " + i);
        }
        try (Server lines = onLoopback().handler(member).start();
             Server raw = onLoopback().framing(dev.sockit.framing.Raw.bytes()).handler(connection -> {
                 group.join(connection);
                 connection.receive(); // until the peer leaves
             }).start();
             Peer talker = Peer.connect(lines);
             Peer listener = Peer.connect(lines);
             Peer bytes = Peer.connect(raw)) {
            awaitUntil("three members", () -> group.size() == 3);
            Thread pushing = Thread.ofPlatform().start(() -> {
                for (String line : expected) {
                    group.broadcast(Message.of(line));
                }
            });
            for (int i = 0; i < 200; i++) {
                talker.send("reply " + i);
            }
            pushing.join();

            List<String> toTalker = talker.readLines(expected.size() + 200);
            assertThat(toTalker.stream().filter(line -> !line.startsWith("reply ")).toList()).isEqualTo(expected);
            assertThat(toTalker.stream().filter(line -> line.startsWith("reply ")).toList()).hasSize(200);
            assertThat(listener.readLines(expected.size())).isEqualTo(expected);
            // Raw framing adds nothing: the pushes arrive as one run of bytes, in order.
            String sent = String.join("", expected);
            byte[] all = bytes.socket().getInputStream().readNBytes(sent.length());
            assertThat(new String(all, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(sent);
        }
    }

    @Test
    void aClientThatNeverReadsIsCutOffWithAReasonWhileTheOthersKeepChatting() throws Exception {
        BlockingQueue<CloseReason> reasons = new LinkedBlockingQueue<>();
        // A short patience: while the silent one's queue is full, each chat line waits that long for it.
        OutboundLimit small = OutboundLimit.of(256 * 1024, 10_000, OutboundLimit.Overflow.DISCONNECT)
                .withPatience(java.time.Duration.ofSeconds(1));
        try (Server server = onLoopback().handler(Handlers.chat()).outbound(small)
                .observer(new Observer() {
                    @Override
                    public void closed(Connection connection, CloseReason reason) {
                        reasons.add(reason);
                    }
                }).start();
             Socket silent = new Socket("127.0.0.1", server.port());
             Peer talker = Peer.connect(server);
             Socket listener = new Socket("127.0.0.1", server.port())) {
            silent.setReceiveBufferSize(4096); // it never reads: let its window fill fast
            awaitUntil("three members", () -> server.connections().size() == 3);

            String line = "x".repeat(1000);
            // The listener reads as it goes, like a live client; only the silent one falls behind.
            BlockingQueue<String> heardLines = new LinkedBlockingQueue<>();
            Thread reading = Thread.ofPlatform().start(() -> {
                // Not closed here: closing the reader would close the listener's socket too.
                try {
                    var in = new java.io.BufferedReader(new java.io.InputStreamReader(listener.getInputStream(),
                            java.nio.charset.StandardCharsets.UTF_8));
                    for (String l; (l = in.readLine()) != null && !l.endsWith("still here"); ) {
                        heardLines.add(l);
                    }
                } catch (java.io.IOException e) {
                    heardLines.add("failed: " + e);
                }
            });
            // 16 MB in rounds, each heard by the listener before the next, as people chat: more
            // than the bound plus what the kernel buffers on both ends of the silent one absorb.
            int rounds = 80;
            int perRound = 200;
            for (int round = 1; round <= rounds; round++) {
                for (int i = 0; i < perRound; i++) {
                    talker.send(line);
                }
                int expected = round * perRound;
                awaitUntil("the listener heard round " + round, () -> heardLines.size() >= expected);
            }
            talker.send("still here");

            CloseReason reason = reasons.poll(10, TimeUnit.SECONDS);
            assertThat(reason).isNotNull();
            assertThat(reason.code()).isEqualTo(CloseReason.Code.LIMIT);
            assertThat(reason.text()).startsWith("not reading: ");
            reading.join(20_000);
            assertThat(reading.isAlive()).as("the listener heard the last line").isFalse();
            assertThat(new ArrayList<>(heardLines)).filteredOn(l -> l.endsWith(line)).hasSize(rounds * perRound);
            assertThat(server.connections()).hasSize(2);
        }
    }

    @Test
    void aPushedMessageWaitsAtMostTheOutboundLimitForASlowPeer() throws Exception {
        OutboundLimit limit = OutboundLimit.of(32 * 1024, 100_000, OutboundLimit.Overflow.DROP);
        try (Server server = onLoopback().handler(Handlers.discard()).outbound(limit).start();
             Socket silent = new Socket("127.0.0.1", server.port())) {
            silent.setReceiveBufferSize(4096);
            awaitUntil("connected", () -> server.connections().size() == 1);
            Connection connection = server.connections().iterator().next();
            Message kilobyte = Message.of("y".repeat(1023));
            for (int i = 0; i < 20_000; i++) { // 20 MB offered to a peer that reads nothing
                connection.send(kilobyte);
                assertThat(connection.stats().queuedBytes()).isLessThanOrEqualTo(32 * 1024);
            }
            assertThat(connection.stats().dropped()).isGreaterThan(0);
            assertThat(connection.isOpen()).isTrue();
        }
    }

    @Test
    void anIdlePeerIsClosedAtTheIdleTimeoutWithTheReason() throws Exception {
        BlockingQueue<CloseReason> reasons = new LinkedBlockingQueue<>();
        try (Server server = onLoopback()
                .heartbeat(Heartbeat.DEFAULT.idleTimeout(java.time.Duration.ofMillis(300)))
                .observer(new Observer() {
                    @Override
                    public void closed(Connection connection, CloseReason reason) {
                        reasons.add(reason);
                    }
                }).start();
             Peer peer = Peer.connect(server)) {
            long start = System.nanoTime();
            assertThat(peer.ask("hello")).isEqualTo(Handlers.ACK_REPLY);
            assertThat(peer.atEndOfStream()).isTrue();
            long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            CloseReason reason = reasons.poll(5, TimeUnit.SECONDS);
            assertThat(reason.code()).isEqualTo(CloseReason.Code.TIMEOUT);
            assertThat(reason.text()).isEqualTo("idle for 300 ms (idle timeout)");
            assertThat(elapsedMillis).isBetween(300L, 3_000L);
        }
    }

    @Test
    void aHeartbeatThatPingsIsRefusedOverLinesWithAWayOut() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> onLoopback()
                        .heartbeat(Heartbeat.every(java.time.Duration.ofSeconds(1))).start())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("frames").hasMessageContaining("--idle-timeout");
    }

    @Test
    void aSenderBlockedByAFullQueueWaitsWithoutSpinningUntilTheConnectionCloses() throws Exception {
        OutboundLimit tiny = OutboundLimit.of(4096, 1_000, OutboundLimit.Overflow.BLOCK);
        try (java.net.ServerSocket deaf = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Connection connection = Client.connect(Endpoint.tcp("127.0.0.1", deaf.getLocalPort())).outbound(tiny).open();
            Socket accepted = deaf.accept(); // never reads
            accepted.setReceiveBufferSize(4096);
            BlockingQueue<Throwable> ended = new LinkedBlockingQueue<>();
            // 1,001 bytes framed: the queue fills to 4,004 of 4,096 bytes, short of the bound yet full.
            Message kilobyte = Message.of("z".repeat(1000));
            Thread pusher = Thread.ofPlatform().start(() -> {
                try {
                    for (int i = 0; i < 1_000_000; i++) {
                        connection.send(kilobyte);
                    }
                    ended.add(new AssertionError("a million kilobytes were taken by a peer that reads nothing"));
                } catch (Throwable e) {
                    ended.add(e);
                }
            });
            awaitUntil("the pusher waits for room", () -> pusher.getState() == Thread.State.TIMED_WAITING
                    || pusher.getState() == Thread.State.WAITING);
            // A sender that spins looks RUNNABLE whenever we look; a waiting one almost never.
            int[] looks = {0, 0};
            awaitUntil("200 looks at the sender", () -> {
                looks[0]++;
                if (pusher.getState() == Thread.State.RUNNABLE) {
                    looks[1]++;
                }
                return looks[0] >= 200;
            });
            assertThat(looks[1]).as("looks that found the blocked sender running, of 200").isLessThan(40);

            connection.close();
            Throwable outcome = ended.poll(5, TimeUnit.SECONDS);
            assertThat(outcome).isInstanceOf(ClosedConnectionException.class);
            accepted.close();
        }
    }
}
