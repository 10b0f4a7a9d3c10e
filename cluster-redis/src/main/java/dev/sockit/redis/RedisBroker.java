package dev.sockit.redis;

import dev.sockit.Backoff;
import dev.sockit.cluster.Broker;
import dev.sockit.cluster.Subscribers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import redis.clients.jedis.BinaryJedisPubSub;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * A {@link Broker} over Redis: topics are pub/sub channels, and each node's presence is a key
 * that it renews every third of its time to live, so that a node that dies without a word
 * (SIGKILL, power cut) leaves {@link #nodes()} of the others within the time to live plus one
 * renewal: 10 s + 3.3 s by default, under 15 s.
 *
 * <p>Three connections, each read by one thread of its own: the subscriber (blocking in
 * SUBSCRIBE, handing every message to the receivers in the order Redis sent it; callers of
 * {@link #subscribe} write their SUBSCRIBE on it, one at a time, and return once Redis
 * confirmed it, or after 5 s without an answer; the close of a topic's last receiver here
 * writes its UNSUBSCRIBE; a fourth thread pings Redis on it every
 * {@link RedisSettings#heartbeat()} and takes it for dead when it stays silent for
 * {@link RedisSettings#deadAfter()}, 15 s by default, as a connection dropped by a NAT or
 * firewall without a word, or a paused Redis, would), the publisher (draining a bounded queue into
 * pipelined PUBLISH commands, in the order published), and the heartbeat (the presence key, and
 * the list of live nodes). When any of them fails the link is down: said once to the
 * {@link LinkListener}s, everything published meanwhile is counted as unsent and dropped, and
 * each part reconnects with backoff (100 ms doubling to 2 s); the link is up again once Redis
 * confirmed every topic renewed. Nothing waits in memory without bound: the queue holds at most
 * {@link #QUEUE_MESSAGES} messages and {@link #QUEUE_BYTES} bytes.
 *
 * <p>Pub/sub in Redis delivers at most once: a node that is not subscribed at the moment a
 * message is published (reconnecting, or cut off by Redis for reading too slowly) never gets it.
 * Channels ignore the database number, so the channel names carry it: {@code sockit/DB/TOPIC}.
 */
public final class RedisBroker implements Broker {

    /** The most messages waiting to be published. */
    public static final int QUEUE_MESSAGES = 10_000;
    /** The most bytes waiting to be published. */
    public static final long QUEUE_BYTES = 16L << 20;
    private static final int BATCH = 256;
    private static final Duration SUBSCRIBE_WAIT = Duration.ofSeconds(5);
    // The channel where nodes say they arrive ("+") and leave ("-"), so that the others see it
    // at once rather than at their next look at the presence keys. Not a topic a caller can name.
    private static final String PRESENCE = "-presence";

    private enum Part { SUBSCRIBER, PUBLISHER, HEARTBEAT }

    private record Outgoing(byte[] channel, byte[] message) {}

    private final RedisSettings settings;
    private final String node;
    private final byte[] nodeBytes;
    private final String channelPrefix;
    private final Subscribers subscribers = new Subscribers();
    private final BlockingQueue<Outgoing> queue = new ArrayBlockingQueue<>(QUEUE_MESSAGES);
    private final AtomicLong queuedBytes = new AtomicLong();
    private final List<LinkListener> listeners = new CopyOnWriteArrayList<>();
    private final Set<Part> broken = ConcurrentHashMap.newKeySet();
    private final LongAdder published = new LongAdder();
    private final LongAdder received = new LongAdder();
    private final LongAdder unsent = new LongAdder();
    private final LongAdder linkDowns = new LongAdder();
    private final Object linkLock = new Object();
    private volatile long unsentAtDown;
    private volatile List<String> nodes;
    private volatile boolean closed;
    private volatile Subscriber subscriber;
    private final List<Thread> threads = new ArrayList<>();

    private RedisBroker(RedisSettings settings, String node) {
        this.settings = settings;
        this.node = node;
        this.nodeBytes = node.getBytes(StandardCharsets.UTF_8);
        this.channelPrefix = "sockit/" + settings.database() + "/";
        this.nodes = List.of(node);
    }

    /**
     * Joins the cluster at {@code settings} as {@code node}: checks that Redis answers and that
     * no live node has that name, then starts its three connections.
     *
     * @param settings where Redis is, from {@link RedisSettings#parse}
     * @param node     this node's name, unique among the live nodes
     * @return the broker, linked; close it to leave the cluster
     * @throws IllegalArgumentException for a node name that is not one, as {@link Broker#requireNodeName} says
     * @throws IllegalStateException when Redis cannot be reached or refuses us, or the name is taken; the message
     *     says which and what to do
     */
    public static RedisBroker open(RedisSettings settings, String node) {
        Broker.requireNodeName(node);
        RedisBroker broker = new RedisBroker(settings, node);
        try (Jedis jedis = settings.connect()) {
            String taken = jedis.set(broker.presenceKey(node), node, SetParams.setParams().nx().px(settings.ttl().toMillis()));
            if (taken == null) {
                throw new IllegalStateException("node name \"" + node + "\" is taken: a live node of the cluster at "
                        + settings + " has it, or one of that name stopped less than "
                        + settings.ttl().toSeconds() + " s ago; give this one another name (--node NAME)");
            }
            broker.nodes = broker.scanNodes(jedis);
        } catch (RuntimeException e) {
            if (e instanceof IllegalStateException) {
                throw e;
            }
            throw new IllegalStateException(settings.describeFailure(e), e);
        }
        broker.start();
        return broker;
    }

    private void start() {
        Subscriber first = new Subscriber();
        subscriber = first;
        threads.add(Thread.ofPlatform().daemon().name("sockit-redis-subscriber-" + node).start(this::subscribeLoop));
        threads.add(Thread.ofPlatform().daemon().name("sockit-redis-publisher-" + node).start(this::publishLoop));
        threads.add(Thread.ofPlatform().daemon().name("sockit-redis-heartbeat-" + node).start(this::heartbeatLoop));
        threads.add(Thread.ofPlatform().daemon().name("sockit-redis-watch-" + node).start(this::watchLoop));
        first.awaitReady(SUBSCRIBE_WAIT);
        publish(PRESENCE, new byte[] {'+'});
    }

    @Override
    public String node() {
        return node;
    }

    @Override
    public boolean spansNodes() {
        return true;
    }

    @Override
    public boolean publish(String topic, byte[] payload) {
        if (closed || !broken.isEmpty()) {
            unsent.increment();
            return false;
        }
        byte[] message = envelope(payload);
        // Reserve the bytes first: past the bound the message is not queued, and counted.
        if (queuedBytes.addAndGet(message.length) > QUEUE_BYTES
                || !queue.offer(new Outgoing(channel(topic), message))) {
            queuedBytes.addAndGet(-message.length);
            unsent.increment();
            return false;
        }
        return true;
    }

    @Override
    public Subscription subscribe(String topic, Receiver receiver) {
        Subscription subscription = subscribers.add(topic, receiver, () -> {});
        // Every subscriber of the topic waits for Redis's confirmation, not only its first: what
        // is published after subscribe returned must reach it (while the link is up).
        subscriber.confirm(channelName(topic));
        return () -> {
            subscription.close();
            // The topic's last receiver here left: Redis need not send us its messages any more.
            if (!subscribers.has(topic)) {
                subscriber.release(topic);
            }
        };
    }

    @Override
    public List<String> nodes() {
        return broken.isEmpty() ? nodes : List.of(node);
    }

    @Override
    public boolean linkUp() {
        return broken.isEmpty() && !closed;
    }

    @Override
    public Stats stats() {
        return new Stats(published.sum(), received.sum(), unsent.sum(), linkDowns.sum());
    }

    @Override
    public void watch(LinkListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** {@return the bytes waiting to be published now} */
    public long queuedBytes() {
        return queuedBytes.get();
    }

    /** The payload behind this node's name: the length of the name in one byte, the name, the payload. */
    private byte[] envelope(byte[] payload) {
        byte[] message = new byte[1 + nodeBytes.length + payload.length];
        message[0] = (byte) nodeBytes.length;
        System.arraycopy(nodeBytes, 0, message, 1, nodeBytes.length);
        System.arraycopy(payload, 0, message, 1 + nodeBytes.length, payload.length);
        return message;
    }

    // Link state ------------------------------------------------------------------------------

    private void failed(Part part, Exception why) {
        if (closed) {
            return;
        }
        boolean wasUp;
        synchronized (linkLock) {
            wasUp = broken.isEmpty();
            broken.add(part);
            if (wasUp) {
                linkDowns.increment();
                unsentAtDown = unsent.sum();
                String text = "lost Redis at " + settings + ": " + RedisSettings.reason(why);
                listeners.forEach(l -> l.linkDown(text));
            }
        }
        // Every part starts afresh: a connection that outlived a Redis restart would fail on its
        // next use and take the link down a second time. The publisher and the heartbeat see the
        // change of linkDowns; the subscriber, blocked reading, is woken by closing its socket.
        if (wasUp && part != Part.SUBSCRIBER) {
            subscriber.cut();
        }
    }

    private void working(Part part) {
        synchronized (linkLock) {
            if (broken.remove(part) && broken.isEmpty() && !closed) {
                long lost = unsent.sum() - unsentAtDown;
                listeners.forEach(l -> l.linkUp(lost));
            }
        }
    }

    // The subscriber --------------------------------------------------------------------------

    /**
     * One SUBSCRIBE session on one connection, and which of its channels Redis confirmed.
     *
     * <p>Five kinds of thread write on its connection: callers of {@link #subscribe}, of a
     * subscription's close (UNSUBSCRIBE), of {@link #close}, the watch thread (PING), and its
     * own reading thread when it renews the topics. Jedis does not guard
     * a connection's writes (two SUBSCRIBEs at once interleave their bytes, Redis answers "ERR
     * unknown command '$9'" and the session fails), so every write, and the state it is decided
     * by, is under {@code lock}; under it nothing blocks but the write of one short command.
     * Closing the socket ({@link #cut}) writes nothing and takes no lock, so that it wakes
     * whatever is blocked on the connection.
     */
    private final class Subscriber extends BinaryJedisPubSub {
        private final Object lock = new Object();
        private final CountDownLatch ready = new CountDownLatch(1);
        private volatile Jedis connection;
        // Under lock:
        private boolean live;  // Redis confirmed the first channel: SUBSCRIBE may be written now
        private boolean ended; // the connection is gone: the next session renews every topic
        private final Set<String> confirmed = new HashSet<>(); // as Redis last answered, for a channel with nothing in flight
        // Per channel, the SUBSCRIBEs (with the latch their callers wait on) and UNSUBSCRIBEs
        // written and not answered yet, in the order written, which is the order Redis answers.
        private final Map<String, Deque<Request>> inFlight = new HashMap<>();
        private String renewedWith; // the last channel of the renewal: when it is confirmed, all are
        // The liveness check's (the watch thread's): anything heard since its last look, and how
        // many looks in a row heard nothing.
        private final AtomicBoolean heard = new AtomicBoolean();
        private int silentLooks;

        /**
         * Returns once Redis confirmed {@code channel} on this session, or when the session
         * ends; at once when the link is down, as at most once allows; after at most
         * {@link #SUBSCRIBE_WAIT} (a reading thread held up by slow receivers reads the answer late).
         */
        void confirm(String channel) {
            CountDownLatch confirmation;
            synchronized (lock) {
                if (!live || ended) {
                    // Not connected (the link is down): the topic is among the subscribers
                    // already, so the session that comes up lists it when it goes live, under
                    // this lock, whichever of us takes it first (onSubscribe).
                    return;
                }
                Request last = lastInFlight(channel);
                if (last == null && confirmed.contains(channel)) {
                    return;
                }
                if (last == null || last.confirmation() == null) {
                    // Not subscribed, or an UNSUBSCRIBE on its way (the topic's last receiver
                    // left just before): a SUBSCRIBE after it, which Redis answers after it.
                    request(List.of(channel));
                }
                // A second subscriber of a topic whose SUBSCRIBE is on its way waits for the same answer.
                confirmation = lastInFlight(channel).confirmation();
            }
            try {
                confirmation.await(SUBSCRIBE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private Request lastInFlight(String channel) {
            Deque<Request> requests = inFlight.get(channel);
            return requests == null ? null : requests.peekLast();
        }

        /** Writes SUBSCRIBE for {@code channels}, each awaited by a latch in {@link #inFlight}. Under lock. */
        private void request(List<String> channels) {
            channels.forEach(c -> inFlight.computeIfAbsent(c, k -> new ArrayDeque<>())
                    .addLast(new Request(new CountDownLatch(1))));
            try {
                subscribe(channels.stream().map(c -> c.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new));
            } catch (RuntimeException lost) {
                // The connection is failing: its reading thread sees it too and ends the session,
                // which lets the waiters go; the next session renews every topic.
            }
        }

        /**
         * Writes UNSUBSCRIBE for {@code topic} when no one here takes it any more and Redis has
         * it, or will once what is in flight is answered. Decided under the lock that
         * {@link #confirm} decides under: a subscriber arriving after this wrote its UNSUBSCRIBE
         * writes its SUBSCRIBE behind it, and waits for that one's answer.
         */
        void release(String topic) {
            String channel = channelName(topic);
            synchronized (lock) {
                if (!live || ended || subscribers.has(topic)) {
                    return; // not connected (the next session lists only topics taken), or taken again
                }
                Request last = lastInFlight(channel);
                if (last == null ? !confirmed.contains(channel) : last.confirmation() == null) {
                    return; // not subscribed, or unsubscribing already
                }
                inFlight.computeIfAbsent(channel, k -> new ArrayDeque<>()).addLast(Request.UNSUBSCRIBE);
                try {
                    unsubscribe(channel.getBytes(StandardCharsets.UTF_8));
                } catch (RuntimeException lost) {
                    // The connection is failing: the next session lists only the topics taken.
                }
            }
        }

        /** Redis answered the oldest request in flight for {@code channel}. Under lock. */
        private void answered(String channel) {
            Deque<Request> requests = inFlight.get(channel);
            if (requests == null) {
                return; // the presence channel, or close's UNSUBSCRIBE of every channel
            }
            Request request = requests.pollFirst();
            if (request != null && request.confirmation() != null) {
                request.confirmation().countDown();
            }
            if (requests.isEmpty()) {
                inFlight.remove(channel);
            }
        }

        /**
         * The watch thread's look, every heartbeat: when nothing was heard on the connection
         * since the last look (a message, a confirmation, a pong) for more looks in a row than
         * the misses allowed, the connection is dead (a NAT or firewall dropped it without a
         * word, or Redis is paused or cut off): the link is down, and the socket closed, so that
         * the loop reconnects and renews every topic. Then a PING, under the lock as every write.
         * A session that connected but never went live (its SUBSCRIBE unanswered) is dead the same way.
         */
        void look() {
            if (connection == null) {
                return; // connecting, within the connection's 2 s timeouts
            }
            synchronized (lock) {
                if (ended) {
                    return;
                }
            }
            if (heard.getAndSet(false)) {
                silentLooks = 0;
            } else if (++silentLooks > settings.heartbeatMisses()) {
                failed(Part.SUBSCRIBER, new IOException("no answer on the subscriber connection for "
                        + settings.deadAfter().toMillis() + " ms (heartbeat " + settings.heartbeat().toMillis()
                        + " ms, " + settings.heartbeatMisses() + " misses)"));
                cut();
                return;
            }
            synchronized (lock) {
                if (live && !ended) {
                    try {
                        ping();
                    } catch (RuntimeException lost) {
                        // The connection is failing: its reading thread sees it too.
                    }
                }
            }
        }

        void awaitReady(Duration wait) {
            try {
                ready.await(wait.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** The connection is gone: whoever waits for a confirmation goes on (the link is down). */
        void end() {
            synchronized (lock) {
                ended = true;
                inFlight.values().forEach(requests -> requests.forEach(r -> {
                    if (r.confirmation() != null) {
                        r.confirmation().countDown();
                    }
                }));
                inFlight.clear();
            }
        }

        /** Leaves Redis: UNSUBSCRIBE when live, so that the reading thread returns; else closes the socket. */
        void leave() {
            synchronized (lock) {
                if (live && !ended) {
                    try {
                        unsubscribe();
                        return;
                    } catch (RuntimeException gone) {
                        // Redis is gone already: close the socket
                    }
                }
            }
            cut();
        }

        /** Closes the socket without a write: the reading thread fails and the session ends. */
        void cut() {
            Jedis current = connection;
            if (current != null) {
                try {
                    current.getConnection().forceDisconnect();
                } catch (IOException | RuntimeException ignored) {
                    // closing a broken socket: nothing more to do
                }
            }
        }

        @Override
        public void onSubscribe(byte[] channel, int count) {
            String name = new String(channel, StandardCharsets.UTF_8);
            heard.set(true);
            boolean renewed;
            synchronized (lock) {
                confirmed.add(name);
                answered(name);
                if (!live) {
                    // The first confirmation, of the presence channel alone: from now on a
                    // subscribe() writes its own SUBSCRIBE, and every topic taken before now is
                    // listed now. Both under the lock, so that no topic falls between the two.
                    live = true;
                    List<String> topics = subscribers.topics().stream().map(RedisBroker.this::channelName)
                            .filter(c -> !confirmed.contains(c)).toList();
                    renewed = topics.isEmpty();
                    if (!renewed) {
                        renewedWith = topics.getLast();
                        request(topics);
                    }
                } else {
                    renewed = name.equals(renewedWith);
                }
            }
            if (renewed) { // the link is up once Redis has every topic back
                ready.countDown();
                working(Part.SUBSCRIBER);
            }
        }

        @Override
        public void onUnsubscribe(byte[] channel, int count) {
            heard.set(true);
            String name = new String(channel, StandardCharsets.UTF_8);
            synchronized (lock) {
                confirmed.remove(name);
                answered(name);
            }
        }

        @Override
        public void onPong(byte[] pattern) {
            heard.set(true);
        }

        @Override
        public void onMessage(byte[] channel, byte[] message) {
            heard.set(true);
            deliver(channel, message);
        }
    }

    /** A SUBSCRIBE, with the latch its callers wait on, or an UNSUBSCRIBE (no latch), written and not answered. */
    private record Request(CountDownLatch confirmation) {
        static final Request UNSUBSCRIBE = new Request(null);
    }

    /** Pings the subscriber connection every heartbeat, and finds it dead when it stays silent. */
    private void watchLoop() {
        long every = settings.heartbeat().toMillis();
        while (!closed) {
            try {
                Thread.sleep(every);
            } catch (InterruptedException e) {
                return;
            }
            if (!closed) {
                subscriber.look();
            }
        }
    }

    private void subscribeLoop() {
        Backoff backoff = RedisSettings.backoff();
        Subscriber session = subscriber; // the first, whose readiness start() awaits
        while (!closed) {
            try (Jedis jedis = settings.connect()) {
                session.connection = jedis;
                subscriber = session;
                if (closed) {
                    return; // closed meanwhile: close() left the session before this one, not this one
                }
                backoff.reset();
                // The presence channel alone: the topics follow once Redis confirmed it (onSubscribe).
                jedis.subscribe(session, channel(PRESENCE)); // returns when unsubscribed
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                failed(Part.SUBSCRIBER, e);
            } finally {
                session.end();
            }
            pause(backoff);
            session = new Subscriber();
        }
    }

    private void deliver(byte[] channel, byte[] message) {
        int length = message.length == 0 ? -1 : message[0] & 0xff;
        if (length < 0 || message.length < 1 + length) {
            return; // not one of ours: another program on our channel
        }
        String from = new String(message, 1, length, StandardCharsets.UTF_8);
        if (from.equals(node)) {
            return; // our own, echoed by Redis: this node served its own clients already
        }
        String topic = new String(channel, StandardCharsets.UTF_8).substring(channelPrefix.length());
        byte[] payload = java.util.Arrays.copyOfRange(message, 1 + length, message.length);
        if (topic.equals(PRESENCE)) {
            Set<String> now = new TreeSet<>(nodes);
            if (payload.length == 1 && payload[0] == '+') {
                now.add(from);
            } else {
                now.remove(from);
            }
            nodes = List.copyOf(now);
            return;
        }
        received.increment();
        subscribers.deliver(topic, from, payload);
    }

    // The publisher ---------------------------------------------------------------------------

    private void publishLoop() {
        Backoff backoff = RedisSettings.backoff();
        List<Outgoing> batch = new ArrayList<>(BATCH);
        while (!closed) {
            try (Jedis jedis = settings.connect()) {
                long generation = linkDowns.sum();
                working(Part.PUBLISHER);
                backoff.reset();
                while (!closed && linkDowns.sum() == generation) {
                    if (batch.isEmpty()) {
                        Outgoing first = queue.poll(1, TimeUnit.SECONDS);
                        if (first == null) {
                            continue;
                        }
                        batch.add(first);
                        queue.drainTo(batch, BATCH - 1);
                    }
                    if (linkDowns.sum() != generation) {
                        // The link went down and came back while we waited: this connection may be
                        // to the Redis that went away. Reconnect, then send the batch.
                        break;
                    }
                    Pipeline pipeline = jedis.pipelined();
                    for (Outgoing out : batch) {
                        pipeline.publish(out.channel(), out.message());
                    }
                    pipeline.sync();
                    published.add(batch.size());
                    release(batch);
                }
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                failed(Part.PUBLISHER, e);
                // What was in flight, and what waited behind it, is lost: at most once, never late.
                unsent.add(batch.size());
                release(batch);
                List<Outgoing> stale = new ArrayList<>();
                queue.drainTo(stale);
                unsent.add(stale.size());
                release(stale);
            } catch (InterruptedException e) {
                return;
            }
            pause(backoff);
        }
    }

    private void release(List<Outgoing> batch) {
        long bytes = 0;
        for (Outgoing out : batch) {
            bytes += out.message().length;
        }
        queuedBytes.addAndGet(-bytes);
        batch.clear();
    }

    // The heartbeat ---------------------------------------------------------------------------

    private void heartbeatLoop() {
        Backoff backoff = RedisSettings.backoff();
        long every = settings.ttl().toMillis() / 3;
        while (!closed) {
            try (Jedis jedis = settings.connect()) {
                long generation = linkDowns.sum();
                while (!closed && linkDowns.sum() == generation) {
                    jedis.set(presenceKey(node), node, SetParams.setParams().px(settings.ttl().toMillis()));
                    nodes = scanNodes(jedis);
                    working(Part.HEARTBEAT);
                    backoff.reset();
                    Thread.sleep(every);
                }
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                failed(Part.HEARTBEAT, e);
            } catch (InterruptedException e) {
                return;
            }
            pause(backoff);
        }
    }

    private List<String> scanNodes(Jedis jedis) {
        Set<String> found = new TreeSet<>();
        found.add(node);
        String prefix = presenceKey("");
        ScanParams params = new ScanParams().match(prefix + "*").count(1000);
        String cursor = ScanParams.SCAN_POINTER_START;
        do {
            ScanResult<String> page = jedis.scan(cursor, params);
            page.getResult().forEach(key -> found.add(key.substring(prefix.length())));
            cursor = page.getCursor();
        } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        return List.copyOf(found);
    }

    private void pause(Backoff backoff) {
        try {
            if (!closed) {
                backoff.pause();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // Names -----------------------------------------------------------------------------------

    private String channelName(String topic) {
        return channelPrefix + topic;
    }

    private byte[] channel(String topic) {
        return channelName(topic).getBytes(StandardCharsets.UTF_8);
    }

    private String presenceKey(String name) {
        return "sockit:node:" + name;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        subscriber.leave();
        threads.forEach(Thread::interrupt);
        try (Jedis jedis = settings.connect()) {
            jedis.del(presenceKey(node)); // leave at once rather than after the time to live
            jedis.publish(channel(PRESENCE), envelope(new byte[] {'-'}));
        } catch (RuntimeException gone) {
            // Redis is down: the key expires by itself.
        }
        for (Thread thread : threads) {
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
    }

    @Override
    public String toString() {
        return "Redis at " + settings + " as node " + node;
    }
}
