package dev.sockit;

import dev.sockit.cluster.Broker;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A server's place in a cluster: what reaches the clients of every node, and the questions
 * one node asks another. {@link Server#cluster()} gives it; with no cluster it is a node alone,
 * and every method acts on this server only, as a server always has.
 *
 * <p>What crosses, over the server's {@link Broker}:
 * <ul>
 *   <li>{@link #broadcast}: topic {@code all}, taken by every node to all its connections;</li>
 *   <li>a {@link Group} made with the broker: topic {@code group/NAME};</li>
 *   <li>{@link #send}, {@link #kick}, {@link #connections}, {@link #stats}: a request on the
 *       target node's own topic {@code node/NAME}, answered on the asker's, so that a command
 *       for one connection goes to the one node holding it, not to all.</li>
 * </ul>
 *
 * <pre>{@code
 * Cluster cluster = server.cluster();
 * cluster.send(ConnectionId.parse("web-2/7"), Message.of("hello"), Duration.ofSeconds(2));
 * }</pre>
 */
public final class Cluster implements AutoCloseable {

    /** What became of a command for one connection. */
    public enum Outcome {
        /** Done by the node that holds the connection. */
        DONE,
        /** That node has no such connection (it may have left). */
        NO_SUCH_CONNECTION,
        /** No live node has that name. */
        NO_SUCH_NODE,
        /** The link to the other nodes is down: nothing was sent. */
        LINK_DOWN,
        /** The node did not answer in time: it may or may not have done it. */
        NO_ANSWER
    }

    /**
     * What became of a command for one connection, and whose connection it was.
     *
     * @param outcome what became of it
     * @param remote  the connection's peer, when the node that holds it said
     */
    public record Result(Outcome outcome, String remote) {}

    private static final String ALL = "all";
    // Operations of the node protocol, the first byte of a message on a node's own topic.
    private static final byte SEND = 1, KICK = 2, LIST = 3, STATS = 4, ANSWER = 5;
    // Requests from other nodes served at once; more are not answered (the asker times out):
    // a node flooded with requests must not grow threads without bound.
    private static final int REQUESTS_IN_FLIGHT = 64;

    private final Server server;
    private final Broker broker;
    private final List<Broker.Subscription> subscriptions = new ArrayList<>();
    private final Map<Long, CompletableFuture<byte[]>> pending = new ConcurrentHashMap<>();
    private final AtomicLong requests = new AtomicLong();
    private final Semaphore serving = new Semaphore(REQUESTS_IN_FLIGHT);

    Cluster(Server server, Broker broker) {
        this.server = server;
        this.broker = broker;
        if (broker.spansNodes()) {
            subscriptions.add(broker.subscribe(ALL, (from, payload) -> server.broadcastHere(Message.of(payload))));
            subscriptions.add(broker.subscribe(nodeTopic(broker.node()), this::onNodeMessage));
        }
    }

    /** {@return the broker the cluster runs on} */
    public Broker broker() {
        return broker;
    }

    /** {@return this node's name} */
    public String node() {
        return broker.node();
    }

    /** {@return false for a server alone} */
    public boolean spansNodes() {
        return broker.spansNodes();
    }

    /** {@return the live nodes, this one included, sorted} */
    public List<String> nodes() {
        return broker.nodes();
    }

    /**
     * {@return {@code connection}'s id across the cluster}: {@code node/number}, or the number alone for a server alone.
     *
     * @param connection a connection of this server
     */
    public ConnectionId id(Connection connection) {
        return idOf(broker, connection);
    }

    static ConnectionId idOf(Broker broker, Connection connection) {
        return new ConnectionId(broker.spansNodes() ? broker.node() : null, connection.id());
    }

    /**
     * Sends {@code message} to every connection of every node. Returns how many connections
     * of this node it reached; the other nodes' are not counted (they are told, at most once).
     *
     * @param message the message for everyone
     * @return how many connections of this node it reached
     */
    public int broadcast(Message message) {
        int reached = server.broadcastHere(message);
        if (broker.spansNodes()) {
            broker.publish(ALL, message.bytes());
        }
        return reached;
    }

    /**
     * Sends {@code message} to one connection of any node, waiting for its node to say it did.
     *
     * @param id      the connection's id, as {@link #id} gives it
     * @param message the message
     * @param wait    how long to wait for another node's answer; a connection of this node does not wait
     * @return what became of it; {@link Outcome#NO_ANSWER} when {@code wait} passed
     */
    public Result send(ConnectionId id, Message message, Duration wait) {
        if (id.isOn(node())) {
            return sendHere(id.number(), message);
        }
        byte[] bytes = message.bytes();
        return ask(id.node(), SEND, out -> {
            out.writeLong(id.number());
            out.writeInt(bytes.length);
            out.write(bytes);
        }, wait);
    }

    /**
     * Closes one connection of any node with {@code reason}, its peer told.
     *
     * @param id     the connection's id, as {@link #id} gives it
     * @param reason why, for the peer and the log
     * @param wait   how long to wait for another node's answer
     * @return what became of it; {@link Outcome#NO_ANSWER} when {@code wait} passed
     */
    public Result kick(ConnectionId id, String reason, Duration wait) {
        if (id.isOn(node())) {
            return kickHere(id.number(), reason);
        }
        return ask(id.node(), KICK, out -> {
            out.writeLong(id.number());
            out.writeUTF(reason);
        }, wait);
    }

    /**
     * Every node's connections, asking each other node and waiting for all.
     *
     * @param wait how long to wait, in all, for the other nodes' answers
     * @return each node's connections by id, and the nodes that did not answer in time
     */
    public Survey<List<ConnectionInfo>> connections(Duration wait) {
        return survey(LIST, this::listHere, Cluster::readList, wait);
    }

    /**
     * Every node's counters, asking each other node and waiting for all.
     *
     * @param wait how long to wait, in all, for the other nodes' answers
     * @return each node's counters, and the nodes that did not answer in time
     */
    public Survey<ServerStats> stats(Duration wait) {
        return survey(STATS, server::stats, Cluster::readStats, wait);
    }

    private <T> Survey<T> survey(byte op, java.util.function.Supplier<T> here, java.util.function.BiFunction<String, DataInputStream, T> read,
            Duration wait) {
        Map<String, CompletableFuture<byte[]>> asked = new HashMap<>();
        for (String node : nodes()) {
            if (!node.equals(node())) {
                asked.put(node, request(node, op, out -> {}));
            }
        }
        Map<String, T> answers = new HashMap<>();
        answers.put(node(), here.get());
        List<String> silent = new ArrayList<>();
        long deadline = System.nanoTime() + wait.toNanos();
        asked.forEach((node, answer) -> {
            Optional<byte[]> bytes = await(answer, deadline);
            if (bytes.isPresent()) {
                answers.put(node, read.apply(node, new DataInputStream(new ByteArrayInputStream(bytes.get()))));
            } else {
                silent.add(node);
            }
        });
        silent.sort(Comparator.naturalOrder());
        return new Survey<>(answers, silent);
    }

    private List<ConnectionInfo> listHere() {
        return server.connections().stream().sorted(Comparator.comparingLong(Connection::id))
                .map(c -> ConnectionInfo.of(id(c), c)).toList();
    }

    private Result sendHere(long number, Message message) {
        Optional<Connection> connection = server.connection(number);
        if (connection.isEmpty()) {
            return new Result(Outcome.NO_SUCH_CONNECTION, null);
        }
        try {
            connection.get().send(message);
            return new Result(Outcome.DONE, Peers.describe(connection.get().remote()));
        } catch (IOException gone) {
            return new Result(Outcome.NO_SUCH_CONNECTION, null);
        }
    }

    private Result kickHere(long number, String reason) {
        Optional<Connection> connection = server.connection(number);
        if (connection.isEmpty()) {
            return new Result(Outcome.NO_SUCH_CONNECTION, null);
        }
        // Closing from this thread says the farewell here: the peer reads "error: kicked: ..." first.
        connection.get().close(CloseReason.of(CloseReason.Code.KICKED, reason));
        return new Result(Outcome.DONE, Peers.describe(connection.get().remote()));
    }

    // The asking side ---------------------------------------------------------------------

    private interface Body {
        void write(DataOutputStream out) throws IOException;
    }

    /** Asks {@code node} to act on one connection and reads its answer, or says why there is none. */
    private Result ask(String node, byte op, Body body, Duration wait) {
        if (!broker.linkUp()) {
            return new Result(Outcome.LINK_DOWN, null);
        }
        if (!nodes().contains(node)) {
            return new Result(Outcome.NO_SUCH_NODE, null);
        }
        Optional<byte[]> answer = await(request(node, op, body), System.nanoTime() + wait.toNanos());
        if (answer.isEmpty()) {
            return new Result(broker.linkUp() ? Outcome.NO_ANSWER : Outcome.LINK_DOWN, null);
        }
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(answer.get()));
            Outcome outcome = Outcome.values()[in.readByte()];
            String remote = in.readBoolean() ? in.readUTF() : null;
            return new Result(outcome, remote);
        } catch (IOException | ArrayIndexOutOfBoundsException malformed) {
            return new Result(Outcome.NO_ANSWER, null);
        }
    }

    private CompletableFuture<byte[]> request(String node, byte op, Body body) {
        long request = requests.incrementAndGet();
        CompletableFuture<byte[]> answer = new CompletableFuture<>();
        pending.put(request, answer);
        if (!broker.publish(nodeTopic(node), encode(op, request, body))) {
            pending.remove(request);
            answer.completeExceptionally(new IOException("not sent"));
        }
        return answer;
    }

    private Optional<byte[]> await(CompletableFuture<byte[]> answer, long deadline) {
        try {
            return Optional.of(answer.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
        } catch (TimeoutException | ExecutionException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } finally {
            pending.values().remove(answer);
        }
    }

    private byte[] encode(byte op, long request, Body body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(op);
            out.writeLong(request);
            out.writeUTF(node());
            body.write(out);
        } catch (IOException impossible) {
            throw new UncheckedIOException(impossible); // a byte array never fails
        }
        return bytes.toByteArray();
    }

    // The answering side ------------------------------------------------------------------

    private void onNodeMessage(String from, byte[] payload) {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload));
        try {
            byte op = in.readByte();
            long request = in.readLong();
            String asker = in.readUTF();
            if (op == ANSWER) {
                CompletableFuture<byte[]> answer = pending.remove(request);
                if (answer != null) {
                    answer.complete(in.readAllBytes());
                }
                return;
            }
            if (!serving.tryAcquire()) {
                return; // flooded: the asker hears nothing and says so
            }
            // Off the delivery thread: a kick may wait for its farewell, and must not hold up chat.
            Thread.ofVirtual().name("sockit-cluster-request").start(() -> {
                try {
                    answer(op, request, asker, in);
                } catch (IOException malformed) {
                    // A node speaking another version of the protocol: it gets no answer and times out.
                } finally {
                    serving.release();
                }
            });
        } catch (IOException malformed) {
            // As above: not ours to answer.
        }
    }

    private void answer(byte op, long request, String asker, DataInputStream in) throws IOException {
        Body body = switch (op) {
            case SEND -> {
                long number = in.readLong();
                byte[] bytes = in.readNBytes(in.readInt());
                yield writeResult(sendHere(number, Message.of(bytes)));
            }
            case KICK -> writeResult(kickHere(in.readLong(), in.readUTF()));
            case LIST -> out -> writeList(out, listHere());
            case STATS -> out -> writeStats(out, server.stats());
            default -> throw new IOException("unknown operation " + op);
        };
        broker.publish(nodeTopic(asker), encode(ANSWER, request, body));
    }

    private static Body writeResult(Result result) {
        return out -> {
            out.writeByte(result.outcome().ordinal());
            out.writeBoolean(result.remote() != null);
            if (result.remote() != null) {
                out.writeUTF(result.remote());
            }
        };
    }

    private static void writeList(DataOutputStream out, List<ConnectionInfo> list) throws IOException {
        out.writeInt(list.size());
        for (ConnectionInfo c : list) {
            out.writeLong(c.id().number());
            out.writeUTF(c.remote());
            out.writeLong(c.openedAt().toEpochMilli());
            out.writeLong(c.messagesIn());
            out.writeLong(c.messagesOut());
            out.writeLong(c.queuedBytes());
        }
    }

    private static List<ConnectionInfo> readList(String node, DataInputStream in) {
        try {
            int count = in.readInt();
            List<ConnectionInfo> list = new ArrayList<>(Math.min(count, 100_000));
            for (int i = 0; i < count; i++) {
                list.add(new ConnectionInfo(new ConnectionId(node, in.readLong()), in.readUTF(),
                        Instant.ofEpochMilli(in.readLong()), in.readLong(), in.readLong(), in.readLong()));
            }
            return list;
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Writes {@code s} in its record order; a field added later goes last, so an older node can still read it. */
    static void writeStats(DataOutputStream out, ServerStats s) throws IOException {
        out.writeInt(s.open());
        for (long value : new long[] {s.accepted(), s.rejected(), s.refused(), s.messagesIn(), s.messagesOut(),
                s.bytesIn(), s.bytesOut(), s.proxyHeaderRefused()}) {
            out.writeLong(value);
        }
    }

    /**
     * Reads what {@link #writeStats} wrote. A node that does not count PROXY-header refusals yet
     * sends the shorter form without the last field: that reads as 0, its other counters kept.
     */
    static ServerStats readStats(String node, DataInputStream in) {
        try {
            int open = in.readInt();
            long accepted = in.readLong();
            long rejected = in.readLong();
            long refused = in.readLong();
            long messagesIn = in.readLong();
            long messagesOut = in.readLong();
            long bytesIn = in.readLong();
            long bytesOut = in.readLong();
            long proxyHeaderRefused = in.available() >= Long.BYTES ? in.readLong() : 0;
            return new ServerStats(open, accepted, rejected, refused, messagesIn, messagesOut, bytesIn, bytesOut,
                    proxyHeaderRefused);
        } catch (IOException e) {
            return new ServerStats(0, 0, 0, 0, 0, 0, 0, 0, 0);
        }
    }

    private static String nodeTopic(String node) {
        return "node/" + node;
    }

    /** Ends this server's subscriptions; the broker stays open for its owner to close. */
    @Override
    public void close() {
        subscriptions.forEach(Broker.Subscription::close);
        pending.values().forEach(answer -> answer.completeExceptionally(new IOException("server stopped")));
    }

    @Override
    public String toString() {
        return spansNodes() ? "node " + node() + " of " + nodes() : "a server alone";
    }
}
