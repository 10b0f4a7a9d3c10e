package dev.sockit;

import static dev.sockit.TestKit.PATIENCE;
import static dev.sockit.TestKit.awaitUntil;
import static dev.sockit.TestKit.onLoopback;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.TestKit.Peer;
import dev.sockit.cluster.Broker;
import dev.sockit.cluster.InProcessBroker;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Servers joined into one cluster by an in-memory broker, each a "node" with its own
 * listening socket and its own clients: what crosses between them, and what does not.
 */
class ClusterTest {

    private final InProcessBroker.Hub hub = new InProcessBroker.Hub();
    private final List<AutoCloseable> opened = new ArrayList<>();

    /** A chat server on node {@code name}; its test knows when a first member is in the room. */
    private final class ChatNode {
        final InProcessBroker broker;
        final Server server;
        final BlockingQueue<Connection> received = new LinkedBlockingQueue<>();

        ChatNode(String name) throws IOException {
            broker = hub.join(name);
            server = onLoopback().broker(broker).handler(Handlers.chat(broker)).observer(new Observer() {
                @Override
                public void received(Connection connection, Message message) {
                    received.add(connection);
                }
            }).start();
            opened.add(broker);
            opened.add(server); // closed first: later in the list
        }

        /** The first member of the whole cluster: it says "here" and the server proves it heard. */
        Member first() throws Exception {
            Peer peer = connect(server);
            peer.send("here");
            Connection connection = received.poll(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertThat(connection).as("the first member's line reached its server").isNotNull();
            // The handler publishes after the observer hears the line: wait until its arrival and
            // its line have crossed (to no other node yet), or a node started next could get them late.
            awaitUntil("the first member's arrival and line were published", () -> broker.stats().published() == 2);
            return new Member(peer, broker.node() + "/" + connection.id());
        }

        /** Another member: every member already in the room hears it join, on whatever node. */
        Member join(Member... already) throws Exception {
            // What crossed before must have reached this node's room first: delivery is
            // asynchronous, and a relay still on its way would reach the newcomer too, late.
            awaitUntil("every relay so far was delivered", hub::settled);
            Peer peer = connect(server);
            String id = null;
            for (Member member : already) {
                Matcher joined = JOINED.matcher(member.peer.readLine());
                assertThat(joined.matches()).isTrue();
                assertThat(id == null || id.equals(joined.group(1))).isTrue();
                id = joined.group(1);
            }
            assertThat(id).startsWith(broker.node() + "/");
            return new Member(peer, id);
        }
    }

    private static final Pattern JOINED = Pattern.compile("\\* (\\S+) joined from 127\\.0\\.0\\.1:\\d+");

    private record Member(Peer peer, String id) {}

    private Peer connect(Server server) throws IOException {
        Peer peer = Peer.connect(server);
        opened.add(peer);
        return peer;
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    @Test
    void chatReachesTheMembersOfEveryNodeInTheSendersOrderAndNeverItsSender() throws Exception {
        ChatNode a = new ChatNode("a");
        Member alice = a.first();
        // The other nodes start after alice's "here": one started before could relay it to its members late.
        ChatNode b = new ChatNode("b"), c = new ChatNode("c");
        Member bob = b.join(alice);
        Member carol = c.join(alice, bob);
        Member dave = a.join(alice, bob, carol);
        assertThat(List.of(alice.id(), bob.id(), carol.id(), dave.id())).containsExactly("a/1", "b/1", "c/1", "a/2");

        for (int i = 0; i < 200; i++) {
            alice.peer().send("line " + i);
        }
        for (Member reader : List.of(bob, carol, dave)) {
            List<String> lines = reader.peer().readLines(200);
            for (int i = 0; i < 200; i++) {
                assertThat(lines.get(i)).isEqualTo("[a/1] line " + i);
            }
        }
        bob.peer().send("done");
        // Had alice been sent her own lines, they would come before bob's.
        assertThat(alice.peer().readLine()).isEqualTo("[b/1] done");
    }

    @Test
    void aMemberWhoLeavesIsAnnouncedOnEveryNode() throws Exception {
        ChatNode a = new ChatNode("a");
        Member alice = a.first();
        // The other nodes start after alice's "here": one started before could relay it to its members late.
        ChatNode b = new ChatNode("b");
        Member bob = b.join(alice);
        bob.peer().close();
        assertThat(alice.peer().readLine()).isEqualTo("* b/1 left");
    }

    @Test
    void aGroupJoinedOnOneNodeHearsWhatAnotherNodePublishes() throws Exception {
        InProcessBroker one = hub.join("one"), two = hub.join("two");
        opened.add(one);
        opened.add(two);
        Group newsOnOne = new Group("news", one), newsOnTwo = new Group("news", two), otherOnOne = new Group("other", one);
        // The member joins the group on its node, then tells its peer so: from then on it is in.
        Server server = onLoopback().broker(one).handler(connection -> {
            newsOnOne.join(connection);
            connection.send("in");
            while (connection.receive() != null) {
                // listening only
            }
        }).start();
        opened.add(server);
        Peer reader = connect(server);
        assertThat(reader.readLine()).isEqualTo("in");

        otherOnOne.broadcast(Message.of("not for news"));
        assertThat(newsOnTwo.broadcast(Message.of("extra! extra!"))).as("node two has no member of its own").isZero();
        assertThat(reader.readLine()).isEqualTo("extra! extra!");
        newsOnOne.close();
        newsOnTwo.close();
        otherOnOne.close();
    }

    @Test
    void serverBroadcastReachesTheClientsOfEveryNode() throws Exception {
        ChatNode a = new ChatNode("a");
        Member alice = a.first();
        // The other nodes start after alice's "here": one started before could relay it to its members late.
        ChatNode b = new ChatNode("b");
        Member bob = b.join(alice);
        assertThat(a.server.broadcast(Message.of("to everyone"))).as("reached on node a").isEqualTo(1);
        assertThat(alice.peer().readLine()).isEqualTo("to everyone");
        assertThat(bob.peer().readLine()).isEqualTo("to everyone");
    }

    @Test
    void sendAndKickGoToTheNodeThatHoldsTheConnectionOnly() throws Exception {
        ChatNode a = new ChatNode("a");
        Member alice = a.first();
        // The other nodes start after alice's "here": one started before could relay it to its members late.
        ChatNode b = new ChatNode("b"), c = new ChatNode("c");
        Member bob = b.join(alice);
        Member carol = c.join(alice, bob);
        Cluster cluster = a.server.cluster();
        Duration wait = PATIENCE;

        Cluster.Result sent = cluster.send(ConnectionId.parse("b/1"), Message.of("just for bob"), wait);
        assertThat(sent.outcome()).isEqualTo(Cluster.Outcome.DONE);
        assertThat(sent.remote()).isEqualTo("127.0.0.1:" + bob.peer().socket().getLocalPort());
        assertThat(bob.peer().readLine()).isEqualTo("just for bob");
        assertThat(cluster.send(ConnectionId.parse("b/9"), Message.of("nobody"), wait).outcome())
                .isEqualTo(Cluster.Outcome.NO_SUCH_CONNECTION);
        assertThat(cluster.send(ConnectionId.parse("z/1"), Message.of("nowhere"), wait).outcome())
                .isEqualTo(Cluster.Outcome.NO_SUCH_NODE);

        assertThat(cluster.kick(ConnectionId.parse("c/1"), "kicked: flooding", wait).outcome())
                .isEqualTo(Cluster.Outcome.DONE);
        assertThat(carol.peer().readLine()).isEqualTo("error: kicked: flooding");
        assertThat(alice.peer().readLine()).isEqualTo("* c/1 left");
        assertThat(bob.peer().readLine()).isEqualTo("* c/1 left");
        // Node c's connection 1 heard nothing for b/1; node a's own connection 1 neither.
        alice.peer().send("after");
        assertThat(bob.peer().readLine()).isEqualTo("[a/1] after");
    }

    @Test
    void aKickNeverOvertakesWhatItsNodePublishedBefore() throws Exception {
        ChatNode a = new ChatNode("a");
        Member alice = a.first();
        ChatNode b = new ChatNode("b");
        Member bob = b.join(alice);
        Cluster cluster = a.server.cluster();

        // One thread, one after the other: the broadcast is published before the kick is asked.
        a.server.broadcast(Message.of("last words"));
        assertThat(cluster.kick(ConnectionId.parse("b/1"), "kicked: flooding", PATIENCE).outcome())
                .isEqualTo(Cluster.Outcome.DONE);
        assertThat(bob.peer().readLine()).isEqualTo("last words");
        assertThat(bob.peer().readLine()).isEqualTo("error: kicked: flooding");
    }

    @Test
    void connectionsAndStatsAreGatheredFromEveryLiveNode() throws Exception {
        ChatNode a = new ChatNode("a");
        Member alice = a.first();
        // The other nodes start after alice's "here": one started before could relay it to its members late.
        ChatNode b = new ChatNode("b");
        Member bob = b.join(alice);
        Cluster cluster = b.server.cluster();
        assertThat(cluster.nodes()).containsExactly("a", "b");

        Survey<List<ConnectionInfo>> listing = cluster.connections(PATIENCE);
        assertThat(listing.silent()).isEmpty();
        assertThat(listing.answers().get("a")).extracting(ConnectionInfo::id).containsExactly(ConnectionId.parse("a/1"));
        assertThat(listing.answers().get("a").getFirst().remote())
                .isEqualTo("127.0.0.1:" + alice.peer().socket().getLocalPort());
        assertThat(listing.answers().get("b")).extracting(ConnectionInfo::id).containsExactly(ConnectionId.parse("b/1"));

        Survey<ServerStats> stats = cluster.stats(PATIENCE);
        assertThat(stats.answers().get("a").messagesIn()).isEqualTo(1); // alice's "here"
        assertThat(stats.answers().get("b").open()).isEqualTo(1);
        assertThat(bob.id()).isEqualTo("b/1");
    }

    @Test
    void aCutNodeKeepsServingItsOwnClientsAndCountsWhatCouldNotCross() throws Exception {
        ChatNode a = new ChatNode("a");
        List<String> told = new ArrayList<>();
        a.broker.watch(new Broker.LinkListener() {
            @Override
            public void linkDown(String why) {
                told.add("down: " + why);
            }

            @Override
            public void linkUp(long unsent) {
                told.add("up after " + unsent + " unsent");
            }
        });
        Member alice = a.first();
        // The other nodes start after alice's "here": one started before could relay it to its members late.
        ChatNode b = new ChatNode("b");
        Member bob = b.join(alice);
        Member dave = a.join(alice, bob);

        a.broker.cut("test cut");
        alice.peer().send("only here");
        assertThat(dave.peer().readLine()).isEqualTo("[a/1] only here");
        assertThat(a.broker.stats().unsent()).isEqualTo(1);
        assertThat(a.server.cluster().send(ConnectionId.parse("b/1"), Message.of("x"), PATIENCE).outcome())
                .isEqualTo(Cluster.Outcome.LINK_DOWN);

        a.broker.restore();
        alice.peer().send("everywhere");
        assertThat(dave.peer().readLine()).isEqualTo("[a/1] everywhere");
        // bob never heard "only here": at most once, nothing replayed.
        assertThat(bob.peer().readLine()).isEqualTo("[a/1] everywhere");
        assertThat(told).containsExactly("down: test cut", "up after 1 unsent");
    }

    @Test
    void theLinkAndWhatCrossedItAreCountedInTheServersMetrics() throws Exception {
        InProcessBroker one = hub.join("one");
        opened.add(one);
        opened.add(hub.join("two"));
        dev.sockit.metrics.Metrics metrics = new dev.sockit.metrics.Metrics();
        Server server = onLoopback().broker(one).metrics(metrics).start();
        opened.add(server);
        server.broadcast(Message.of("x"));
        one.cut("test");
        server.broadcast(Message.of("y"));
        String scrape = dev.sockit.metrics.PrometheusText.of(metrics);
        assertThat(scrape).contains("sockit_cluster_link_up 0", "sockit_cluster_nodes 1",
                "sockit_cluster_messages_unsent_total 1", "sockit_cluster_link_downs_total 1");
        one.restore();
        assertThat(dev.sockit.metrics.PrometheusText.of(metrics)).contains("sockit_cluster_link_up 1",
                "sockit_cluster_nodes 2");
    }

    @Test
    void aServerWithoutABrokerIsANodeAloneAndNamesConnectionsByNumber() throws Exception {
        Server server = onLoopback().handler(Handlers.chat()).start();
        opened.add(server);
        Peer peer = connect(server);
        awaitUntil("the peer is connected", () -> server.connections().size() == 1);
        Cluster cluster = server.cluster();
        assertThat(cluster.spansNodes()).isFalse();
        assertThat(cluster.nodes()).containsExactly("local");
        assertThat(cluster.connections(PATIENCE).answers().get("local")).extracting(c -> c.id().toString())
                .containsExactly("1");
        assertThat(cluster.send(ConnectionId.parse("1"), Message.of("hi"), PATIENCE).outcome())
                .isEqualTo(Cluster.Outcome.DONE);
        assertThat(peer.readLine()).isEqualTo("hi");
    }

    @Test
    void statsCrossTheWireWholeAndAnOlderNodesShorterFormKeepsItsCounters() throws IOException {
        ServerStats sent = new ServerStats(1, 2, 3, 4, 5, 6, 7, 8, 9);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        Cluster.writeStats(new DataOutputStream(wire), sent);
        assertThat(Cluster.readStats("b", in(wire.toByteArray()))).isEqualTo(sent);

        // A node from before PROXY-header refusals were counted: open, then seven counters, nothing after.
        ByteArrayOutputStream older = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(older);
        out.writeInt(1);
        for (long value = 2; value <= 8; value++) {
            out.writeLong(value);
        }
        assertThat(Cluster.readStats("b", in(older.toByteArray())))
                .isEqualTo(new ServerStats(1, 2, 3, 4, 5, 6, 7, 8, 0));
    }

    private static DataInputStream in(byte[] bytes) {
        return new DataInputStream(new ByteArrayInputStream(bytes));
    }
}
