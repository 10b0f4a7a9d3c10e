package dev.sockit.cluster;

import java.net.URI;
import java.util.Set;

/**
 * Opens a {@link Broker} for an engine's URIs: the service a cluster module provides, found by
 * {@link java.util.ServiceLoader} (a {@code META-INF/services/dev.sockit.cluster.BrokerFactory}
 * line, or {@code provides} in its module), so that core and the command line depend on no
 * engine. Module {@code cluster-redis} provides {@code redis} and {@code rediss}.
 */
public interface BrokerFactory {

    /** {@return the URI schemes this engine serves, lower case}, e.g. {@code redis}, {@code rediss}. */
    Set<String> schemes();

    /**
     * Connects to the engine at {@code uri} as node {@code node}.
     *
     * @param uri  the engine's address, its scheme one of {@link #schemes()}
     * @param node this node's name, to be checked with {@link Broker#requireNodeName(String)}
     * @return the broker, linked
     * @throws IllegalArgumentException when the URI is not one the engine understands, saying why
     * @throws IllegalStateException when the engine cannot be reached or refuses us, naming it and what to do
     */
    Broker open(URI uri, String node);
}
