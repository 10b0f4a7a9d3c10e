package dev.sockit.cluster;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The receivers of one node, by topic: the part every {@link Broker} engine shares. Delivery
 * calls each receiver of the topic in turn; one that throws is reported to the thread's
 * uncaught-exception handler and the others still get the message.
 */
public final class Subscribers {

    private final Map<String, List<Broker.Receiver>> byTopic = new ConcurrentHashMap<>();

    /** No receivers yet. */
    public Subscribers() {
    }

    /**
     * Adds {@code receiver} to {@code topic}; {@code firstForTopic} runs when it is the topic's
     * first (an engine then subscribes to the topic itself).
     *
     * @param topic         the topic to take
     * @param receiver      called for each delivery on the topic
     * @param firstForTopic run on the calling thread when no one took the topic before
     * @return the subscription; closing it removes {@code receiver}
     */
    public Broker.Subscription add(String topic, Broker.Receiver receiver, Runnable firstForTopic) {
        Objects.requireNonNull(receiver, "receiver");
        boolean[] first = {false};
        byTopic.compute(topic, (t, list) -> {
            List<Broker.Receiver> receivers = list == null ? new CopyOnWriteArrayList<>() : list;
            first[0] = receivers.isEmpty();
            receivers.add(receiver);
            return receivers;
        });
        if (first[0]) {
            firstForTopic.run();
        }
        return () -> byTopic.computeIfPresent(topic, (t, receivers) -> {
            receivers.remove(receiver);
            return receivers.isEmpty() ? null : receivers;
        });
    }

    /**
     * {@return true when someone on this node takes {@code topic}}
     *
     * @param topic the topic
     */
    public boolean has(String topic) {
        return byTopic.containsKey(topic);
    }

    /** {@return the topics someone takes now} */
    public Set<String> topics() {
        return Set.copyOf(byTopic.keySet());
    }

    /**
     * Hands {@code payload} from node {@code from} to every receiver of {@code topic}, on the calling thread.
     *
     * @param topic   the topic it was published on
     * @param from    the publishing node's name
     * @param payload the bytes published, shared by every receiver
     */
    public void deliver(String topic, String from, byte[] payload) {
        for (Broker.Receiver receiver : byTopic.getOrDefault(topic, List.of())) {
            try {
                receiver.receive(from, payload);
            } catch (RuntimeException bug) {
                // One receiver's failure must not end delivery to the others, nor the engine's thread.
                Thread.currentThread().getUncaughtExceptionHandler().uncaughtException(Thread.currentThread(), bug);
            }
        }
    }
}
