package dev.sockit.redis;

import dev.sockit.cluster.Broker;
import dev.sockit.cluster.BrokerFactory;
import java.net.URI;
import java.util.Set;

/** The {@link BrokerFactory} for {@code redis://} and {@code rediss://}, found by {@link java.util.ServiceLoader}. */
public final class RedisBrokerFactory implements BrokerFactory {

    /** The factory, as {@link java.util.ServiceLoader} makes it; applications need not. */
    public RedisBrokerFactory() {
    }

    @Override
    public Set<String> schemes() {
        return Set.of("redis", "rediss");
    }

    @Override
    public Broker open(URI uri, String node) {
        return RedisBroker.open(RedisSettings.parse(uri), node);
    }
}
