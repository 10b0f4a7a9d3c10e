package dev.sockit.cluster;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A {@link Broker} inside one JVM: {@link #standalone()} is a node alone (the default of every
 * server), and a {@link Hub} joins several nodes, for tests and for applications that run
 * several servers in one process. Each node takes deliveries through a bounded inbox of
 * {@link #INBOX} messages, drained in order by one thread of its own, as a remote engine's
 * subscriber would be; a message that finds the inbox full is counted as unsent.
 *
 * <pre>{@code
 * InProcessBroker.Hub hub = new InProcessBroker.Hub();
 * Broker a = hub.join("a"), b = hub.join("b");
 * }</pre>
 */
public final class InProcessBroker implements Broker {

    /** The most messages waiting for one node's delivery thread. */
    public static final int INBOX = 10_000;

    /** Nodes that reach each other. */
    public static final class Hub {
        private final Map<String, InProcessBroker> nodes = new ConcurrentHashMap<>();
        private final AtomicInteger publishing = new AtomicInteger();

        /**
         * True when everything published so far has been handed to its receivers on every
         * live node: no publish half done, no delivery waiting or under way. Delivery is
         * asynchronous, as with a remote engine, so a client who joins a group on one node
         * may otherwise still be sent what another node published before it joined; a test
         * that must not see such a late relay waits for this first.
         *
         * @return whether nothing published on this hub is still on its way
         */
        public boolean settled() {
            return publishing.get() == 0 && nodes.values().stream().allMatch(node -> node.pending.get() == 0);
        }

        /** A hub with no node yet. */
        public Hub() {
        }

        /**
         * A new node on this hub.
         *
         * @param node the node's name; see {@link Broker#requireNodeName(String)}
         * @return the node, linked to the others on the hub
         * @throws IllegalArgumentException when a node of that name is already on it
         */
        public InProcessBroker join(String node) {
            InProcessBroker broker = new InProcessBroker(this, Broker.requireNodeName(node), true);
            if (nodes.putIfAbsent(node, broker) != null) {
                broker.close();
                throw new IllegalArgumentException("node \"" + node + "\" is already in this cluster; give each node"
                        + " a name of its own");
            }
            return broker;
        }
    }

    private record Delivery(String topic, String from, byte[] payload) {}

    private final Hub hub;
    private final String node;
    private final boolean spans;
    private final Subscribers subscribers = new Subscribers();
    private final BlockingQueue<Delivery> inbox;
    private final Thread deliverer;
    private final List<LinkListener> listeners = new CopyOnWriteArrayList<>();
    private final LongAdder published = new LongAdder();
    private final LongAdder received = new LongAdder();
    private final LongAdder unsent = new LongAdder();
    private final LongAdder linkDowns = new LongAdder();
    // Offered to this node's inbox and not yet handed to every receiver: see Hub#settled.
    private final AtomicLong pending = new AtomicLong();
    private volatile boolean cut;
    private volatile boolean closed;

    private InProcessBroker(Hub hub, String node, boolean spans) {
        this.hub = hub;
        this.node = Objects.requireNonNull(node, "node");
        this.spans = spans;
        this.inbox = spans ? new ArrayBlockingQueue<>(INBOX) : null;
        this.deliverer = spans ? Thread.ofVirtual().name("sockit-broker-" + node).start(this::deliver) : null;
    }

    /** {@return a node alone}: publishing reaches no one and costs nothing. */
    public static InProcessBroker standalone() {
        return new InProcessBroker(null, "local", false);
    }

    @Override
    public String node() {
        return node;
    }

    @Override
    public boolean spansNodes() {
        return spans;
    }

    @Override
    public boolean publish(String topic, byte[] payload) {
        if (!spans) {
            return true; // no other node: nothing to send, nothing lost
        }
        if (cut || closed) {
            unsent.increment();
            return false;
        }
        boolean all = true;
        hub.publishing.incrementAndGet();
        try {
            for (InProcessBroker other : hub.nodes.values()) {
                if (other != this && !other.cut && !other.closed && other.subscribers.has(topic)) {
                    other.pending.incrementAndGet();
                    if (!other.inbox.offer(new Delivery(topic, node, payload))) {
                        other.pending.decrementAndGet();
                        all = false; // that node is not keeping up: at most once, it loses this one
                    }
                }
            }
        } finally {
            hub.publishing.decrementAndGet();
        }
        if (all) {
            published.increment();
        } else {
            unsent.increment();
        }
        return all;
    }

    private void deliver() {
        try {
            while (!closed) {
                Delivery delivery = inbox.take();
                received.increment();
                try {
                    subscribers.deliver(delivery.topic(), delivery.from(), delivery.payload());
                } finally {
                    pending.decrementAndGet();
                }
            }
        } catch (InterruptedException closing) {
            // close(): nothing more to deliver
        }
    }

    @Override
    public Subscription subscribe(String topic, Receiver receiver) {
        return subscribers.add(topic, receiver, () -> {});
    }

    @Override
    public List<String> nodes() {
        if (!spans) {
            return List.of(node);
        }
        return hub.nodes.values().stream().filter(n -> !n.closed && (n == this || !n.cut && !cut))
                .map(InProcessBroker::node).sorted().toList();
    }

    @Override
    public boolean linkUp() {
        return !cut && !closed;
    }

    @Override
    public Stats stats() {
        return new Stats(published.sum(), received.sum(), unsent.sum(), linkDowns.sum());
    }

    @Override
    public void watch(LinkListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Cuts this node off from the others, as a lost link to the engine would: for tests of faults.
     *
     * @param why what failed, as {@link LinkListener#linkDown} is told
     */
    public void cut(String why) {
        if (spans && !cut) {
            cut = true;
            linkDowns.increment();
            listeners.forEach(l -> l.linkDown(why));
        }
    }

    /** Joins a node that was {@link #cut} back to the others. */
    public void restore() {
        if (cut) {
            cut = false;
            long lost = unsent.sum();
            listeners.forEach(l -> l.linkUp(lost));
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (spans) {
            hub.nodes.remove(node, this);
            deliverer.interrupt();
        }
    }

    @Override
    public String toString() {
        return spans ? "in-process node " + node : "standalone node";
    }
}
