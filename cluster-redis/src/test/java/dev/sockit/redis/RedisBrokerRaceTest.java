package dev.sockit.redis;

import static dev.sockit.TestKit.PATIENCE;
import static dev.sockit.TestKit.awaitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.cluster.Broker;
import dev.sockit.testing.RedisServer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * The races of {@link RedisBroker}'s subscriber connection, driven through a real redis-server:
 * a {@link Relay} holds a SUBSCRIBE back on its way to Redis, so that what must happen before
 * Redis confirms it happens then, every run.
 */
class RedisBrokerRaceTest {

    private RedisServer redis;
    private Relay relay;
    private final List<AutoCloseable> opened = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.start();
        relay = Relay.to(redis.port());
    }

    @AfterEach
    void stop() throws Exception {
        relay.close(); // first: a held command must not keep a broker's close waiting
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
        redis.close();
    }

    private RedisBroker open(String uri, String node) {
        RedisBroker broker = RedisBroker.open(RedisSettings.parse(URI.create(uri)), node);
        opened.add(broker);
        return broker;
    }

    private Jedis direct() {
        Jedis jedis = new Jedis("127.0.0.1", redis.port());
        opened.add(jedis);
        return jedis;
    }

    /** How many connections Redis has subscribed to {@code channel}, asked past the relay. */
    private static long subscribed(Jedis jedis, String channel) {
        return jedis.pubsubNumSub(channel).get(channel);
    }

    @Test
    void aTopicTakenWhileTheSubscriberReconnectsIsRenewedWithTheOthers() throws Exception {
        RedisBroker a = open(relay.uri(), "a");
        RedisBroker b = open(redis.uri(), "b");
        Inbox before = new Inbox();
        a.subscribe("before", before);

        // Cut node a off; its new subscriber connection's SUBSCRIBE is held on its way to Redis:
        // the topics to renew are being sent, and Redis has confirmed none of them.
        Relay.Hold hold = relay.holdNext("SUBSCRIBE");
        relay.cutAll();
        hold.awaitHeld();
        assertThat(a.linkUp()).isFalse();
        Inbox late = new Inbox();
        a.subscribe("late", late); // the link is down: returns at once, to be renewed with the others
        hold.release();

        awaitUntil("node a's link is back", a::linkUp);
        assertThat(b.publish("before", bytes("one"))).isTrue();
        assertThat(b.publish("late", bytes("two"))).isTrue();
        before.expect("one");
        late.expect("two");
    }

    @Test
    void aSecondSubscriberReturnsOnlyOnceRedisConfirmedTheTopic() throws Exception {
        RedisBroker a = open(relay.uri(), "a");
        RedisBroker b = open(redis.uri(), "b");
        Jedis observer = direct();
        String channel = "sockit/0/news";
        Relay.Hold hold = relay.holdNext("SUBSCRIBE", channel);
        Inbox first = new Inbox(), second = new Inbox();
        Thread firstCaller = Thread.ofPlatform().start(() -> a.subscribe("news", first));
        hold.awaitHeld(); // the topic's first subscriber sent SUBSCRIBE; Redis has not seen it

        AtomicLong seenByRedis = new AtomicLong(-1);
        Thread secondCaller = Thread.ofPlatform().start(() -> {
            a.subscribe("news", second);
            seenByRedis.set(subscribed(observer, channel)); // what Redis has when subscribe returns
        });
        // Let the SUBSCRIBE go once the second caller returned (and looked) or waits for Redis.
        awaitUntil("the second subscribe returned or waits", () -> seenByRedis.get() >= 0 || parked(secondCaller));
        hold.release();
        secondCaller.join(PATIENCE.toMillis());
        firstCaller.join(PATIENCE.toMillis());

        assertThat(seenByRedis.get()).as("node a subscribed in Redis when the second subscribe returned").isEqualTo(1);
        assertThat(b.publish("news", bytes("hello"))).isTrue();
        first.expect("hello");
        second.expect("hello");
    }

    @Test
    void subscribesFromManyThreadsAtOnceKeepTheSubscriberConnectionWhole() throws Exception {
        RedisBroker a = open(redis.uri(), "a");
        RedisBroker b = open(redis.uri(), "b");
        Map<String, Inbox> inboxes = new LinkedHashMap<>();
        int threads = 8;
        // Each round starts 8 callers at once (spinning on a flag, so that they leave together),
        // each subscribing to a topic of its own, so that their SUBSCRIBEs meet on node a's one
        // subscriber connection; long names keep each write long. Stops at the first damage
        // that shows at once, a broken link, or after 100 rounds (a few seconds).
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (int round = 0; round < 100 && System.nanoTime() < until && a.stats().linkDowns() == 0; round++) {
            AtomicBoolean go = new AtomicBoolean();
            List<Thread> callers = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                String topic = "t" + round + "-" + i + "-" + "x".repeat(4000);
                Inbox inbox = new Inbox();
                inboxes.put(topic, inbox);
                callers.add(Thread.ofPlatform().start(() -> {
                    while (!go.get()) {
                        Thread.onSpinWait();
                    }
                    a.subscribe(topic, inbox);
                }));
            }
            go.set(true);
            for (Thread caller : callers) {
                caller.join(2 * PATIENCE.toMillis());
            }
        }
        assertThat(a.stats().linkDowns()).as("node a's link never went down").isZero();
        inboxes.keySet().forEach(topic -> b.publish(topic, bytes("to " + topic.substring(0, 8))));
        awaitUntil("every topic heard b", () -> inboxes.values().stream().noneMatch(inbox -> inbox.messages.isEmpty()));
        for (Map.Entry<String, Inbox> entry : inboxes.entrySet()) {
            entry.getValue().expect("to " + entry.getKey().substring(0, 8));
        }
    }

    @Test
    void aSubscriberConnectionGoneSilentIsFoundByItsPingsAndReconnected() throws Exception {
        // Pinged every 200 ms, dead after 2 unanswered: silent for 600 ms.
        RedisBroker a = open(relay.uri() + "?heartbeat=200ms&heartbeat-misses=2", "a");
        RedisBroker b = open(redis.uri(), "b");
        List<String> said = new java.util.concurrent.CopyOnWriteArrayList<>();
        a.watch(new Broker.LinkListener() {
            @Override
            public void linkDown(String why) {
                said.add("down: " + why);
            }

            @Override
            public void linkUp(long lost) {
                said.add("up");
            }
        });
        Inbox inbox = new Inbox();
        a.subscribe("news", inbox);
        assertThat(b.publish("news", bytes("one"))).isTrue();
        inbox.expect("one");

        // Node a's subscriber connection goes silent, open at both ends (its publisher and
        // heartbeat connections still work): a NAT that forgot it. Its new ones too, until healed.
        relay.blackHole("SUBSCRIBE");
        // (linkUp() is false a moment before the listeners are told)
        awaitUntil("node a's link is said down", () -> !a.linkUp() && !said.isEmpty());
        assertThat(said.getFirst()).startsWith("down: ").contains("no answer on the subscriber connection");

        relay.forwardAgain();
        awaitUntil("node a's link is said back", () -> a.linkUp() && said.getLast().equals("up"));
        assertThat(b.publish("news", bytes("two"))).isTrue();
        inbox.expect("two");
    }

    @Test
    void aTopicsLastReceiverLeavingUnsubscribesItInRedis() throws Exception {
        RedisBroker a = open(redis.uri(), "a");
        RedisBroker b = open(redis.uri(), "b");
        Jedis observer = direct();
        String channel = "sockit/0/news";
        Inbox first = new Inbox(), second = new Inbox();
        Broker.Subscription one = a.subscribe("news", first);
        Broker.Subscription two = a.subscribe("news", second);
        assertThat(subscribed(observer, channel)).isEqualTo(1);

        one.close();
        assertThat(b.publish("news", bytes("still"))).isTrue();
        second.expect("still"); // one receiver left: still subscribed
        assertThat(subscribed(observer, channel)).isEqualTo(1);

        two.close();
        awaitUntil("Redis has no subscriber of the channel", () -> subscribed(observer, channel) == 0);
        two.close(); // twice: nothing more
        Inbox again = new Inbox();
        a.subscribe("news", again);
        assertThat(subscribed(observer, channel)).isEqualTo(1);
        assertThat(b.publish("news", bytes("back"))).isTrue();
        again.expect("back");
        assertThat(a.linkUp()).isTrue();
    }

    @Test
    void aTopicTakenAgainWhileItsUnsubscribeIsOnItsWayEndsSubscribed() throws Exception {
        RedisBroker a = open(relay.uri(), "a");
        RedisBroker b = open(redis.uri(), "b");
        Jedis observer = direct();
        String channel = "sockit/0/news";
        Broker.Subscription leaving = a.subscribe("news", new Inbox());
        Relay.Hold hold = relay.holdNext("UNSUBSCRIBE", channel);
        leaving.close(); // its last receiver: UNSUBSCRIBE, held on its way to Redis
        hold.awaitHeld();

        Inbox arriving = new Inbox();
        AtomicLong seenByRedis = new AtomicLong(-1);
        Thread caller = Thread.ofPlatform().start(() -> {
            a.subscribe("news", arriving);
            seenByRedis.set(subscribed(observer, channel));
        });
        awaitUntil("the subscribe returned or waits", () -> seenByRedis.get() >= 0 || parked(caller));
        hold.release();
        caller.join(PATIENCE.toMillis());

        assertThat(seenByRedis.get()).as("node a subscribed in Redis when subscribe returned").isEqualTo(1);
        assertThat(b.publish("news", bytes("hello"))).isTrue();
        arriving.expect("hello");
        assertThat(subscribed(observer, channel)).isEqualTo(1);
    }

    /** {@return true when {@code thread} is parked}, as a caller waiting for Redis's answer is. */
    private static boolean parked(Thread thread) {
        Thread.State state = thread.getState();
        return state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** What one receiver was given, in order. */
    private static final class Inbox implements Broker.Receiver {
        private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();

        @Override
        public void receive(String fromNode, byte[] payload) {
            messages.add(new String(payload, StandardCharsets.UTF_8));
        }

        void expect(String message) throws InterruptedException {
            assertThat(messages.poll(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).as("received").isEqualTo(message);
        }
    }
}
