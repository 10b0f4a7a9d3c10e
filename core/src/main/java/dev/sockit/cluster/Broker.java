package dev.sockit.cluster;

import java.net.URI;
import java.util.List;
import java.util.ServiceLoader;

/**
 * The engine that carries messages between the nodes of a cluster of servers: publish and
 * subscribe on named topics, this node's name, and which nodes are alive. A server, its
 * {@link dev.sockit.Group groups} and its console reach the clients of every node through
 * it; a handler never sees it.
 *
 * <pre>{@code
 * Broker broker = Broker.open(URI.create("redis://127.0.0.1:6379"), "web-1");   // with module cluster-redis
 * Server server = Server.listen(endpoint).broker(broker).handler(Handlers.chat(broker)).start();
 * }</pre>
 *
 * <p>The default, {@link #standalone()}, is one node alone: nothing crosses, which is how a
 * server behaves without a cluster. {@link InProcessBroker.Hub} joins several nodes inside one
 * JVM. Another engine is one more module holding a {@link BrokerFactory} (found by
 * {@link ServiceLoader}); core depends on none of them.
 *
 * <p>What every engine promises: a message published reaches the subscribers of its topic on
 * every <em>other</em> live node, never this node's (the caller serves its own node directly,
 * which keeps working when the engine is down); messages from one publishing thread arrive in
 * the order published; delivery is <em>at most once</em>: what is published while the link is
 * down, or lost by the engine, is counted in {@link Stats#unsent()} or lost, never retried.
 * {@link #publish} never blocks on the engine and nothing waits in memory without bound.
 */
public interface Broker extends AutoCloseable {

    /**
     * Opens a broker for {@code uri} with an engine found by its scheme; see {@link BrokerFactory}.
     *
     * @param uri  the engine's address, e.g. {@code redis://127.0.0.1:6379}
     * @param node this node's name; see {@link #requireNodeName(String)}
     * @return the broker, linked; close it to leave the cluster
     * @throws IllegalArgumentException when the URI names no scheme, or no installed engine serves it
     * @throws IllegalStateException    when the engine cannot be reached, as {@link BrokerFactory#open} says
     */
    static Broker open(URI uri, String node) {
        String scheme = uri.getScheme();
        if (scheme == null) {
            throw new IllegalArgumentException("cluster \"" + uri + "\" names no engine; write it as a URI, e.g."
                    + " redis://127.0.0.1:6379");
        }
        List<String> known = new java.util.ArrayList<>();
        for (BrokerFactory factory : ServiceLoader.load(BrokerFactory.class, Broker.class.getClassLoader())) {
            if (factory.schemes().contains(scheme.toLowerCase(java.util.Locale.ROOT))) {
                return factory.open(uri, node);
            }
            known.addAll(factory.schemes());
        }
        throw new IllegalArgumentException("no cluster engine for " + scheme + "://"
                + (known.isEmpty() ? " (none is installed: put the module sockit-cluster-redis on the class path)"
                : "; installed: " + String.join(", ", known)));
    }

    /**
     * Checks a node's name: 1 to 64 letters, digits, {@code .}, {@code _} or {@code -}, so that it
     * reads well in a connection id ({@code web-1/42}) and in an engine's keys.
     *
     * @param node the name to check; null is refused
     * @return {@code node}, unchanged
     * @throws IllegalArgumentException naming the name and what a name may hold
     */
    static String requireNodeName(String node) {
        if (node == null || !node.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("node name \"" + node + "\" is not one: use 1 to 64 letters, digits,"
                    + " '.', '_' or '-', e.g. web-1");
        }
        return node;
    }

    /** {@return one node alone}, as a server is without a cluster: publishing reaches no one. */
    static Broker standalone() {
        return InProcessBroker.standalone();
    }

    /** {@return this node's name, unique in the cluster}, e.g. {@code web-1} or {@code host-4711}. */
    String node();

    /**
     * {@return false for a node alone ({@link #standalone()})}: there is no other node to reach,
     * and ids need no node part.
     */
    boolean spansNodes();

    /**
     * Sends {@code payload} to the subscribers of {@code topic} on every other node, never this
     * one's. Returns at once; false when it could not be sent (link down, the engine's bounded
     * queue full), which is counted in {@link Stats#unsent()}.
     *
     * @param topic   the topic, e.g. a group's name
     * @param payload the bytes to carry, not to be changed after the call
     * @return true when the message was handed to the engine
     */
    boolean publish(String topic, byte[] payload);

    /**
     * Receives what other nodes publish on {@code topic}, on the broker's delivery thread, in the
     * order each publisher published. The receiver should not block for long: it holds up
     * every later delivery to this node. Once it returns, the subscription is in place as far
     * as the engine could confirm: what another node publishes after that reaches the receiver.
     * An engine that cannot confirm in time (the Redis engine waits 5 s for the server's answer)
     * returns anyway rather than hold up the caller, and counts on its link's recovery; what is
     * published before the subscription is in place is not delivered (at most once, above).
     *
     * @param topic    the topic to take
     * @param receiver called for each message from another node
     * @return the subscription; close it to stop receiving
     */
    Subscription subscribe(String topic, Receiver receiver);

    /** {@return the live nodes, this one included, sorted by name} */
    List<String> nodes();

    /** {@return true while messages can cross to other nodes} */
    boolean linkUp();

    /** {@return what the broker has carried and failed to carry, since it opened} */
    Stats stats();

    /**
     * Tells {@code listener} when the link goes down and comes back: once per change.
     *
     * @param listener called on the thread that notices the change; it should return soon
     */
    void watch(LinkListener listener);

    /** Leaves the cluster: this node is no longer among {@link #nodes()} of the others. */
    @Override
    void close();

    /** Takes what another node published on a topic this node subscribed to. */
    @FunctionalInterface
    interface Receiver {
        /**
         * Takes one message, on the broker's delivery thread.
         *
         * @param fromNode the name of the node that published it
         * @param payload  the bytes published
         */
        void receive(String fromNode, byte[] payload);
    }

    /** One subscription; closing it ends it. */
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    /** Told when the link to the other nodes changes. */
    interface LinkListener {
        /**
         * The link is down: nothing crosses until it is back.
         *
         * @param why what failed, for the log
         */
        void linkDown(String why);

        /**
         * The link is back, subscriptions renewed.
         *
         * @param unsent how many messages were not sent while it was down
         */
        void linkUp(long unsent);
    }

    /**
     * What a broker has carried, counted since it opened.
     *
     * @param published messages sent to other nodes
     * @param received  messages received from other nodes
     * @param unsent    messages that could not be sent: link down, or the send queue full
     * @param linkDowns how many times the link went down
     */
    record Stats(long published, long received, long unsent, long linkDowns) {}
}
