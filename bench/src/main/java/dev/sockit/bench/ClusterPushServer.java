package dev.sockit.bench;

import dev.sockit.Endpoint;
import dev.sockit.cluster.Broker;
import java.io.IOException;
import java.net.URI;

/**
 * Two sockit nodes joined through Redis, in one process: bench/broadcast.sh's
 * {@code sockit-cluster} kind. Each node is a {@link SockitPushServer} whose group spans both
 * through its {@link Broker}; half the clients connect to each, and a push is the first
 * node's {@code group.broadcast}, which writes to its own clients and publishes once for the
 * second node's. Redis is named by the environment variable {@code SOCKIT_BENCH_REDIS}.
 */
public final class ClusterPushServer implements PushServer {

    private final Broker first, second;
    private final SockitPushServer one, two;

    private ClusterPushServer(Broker first, Broker second, SockitPushServer one, SockitPushServer two) {
        this.first = first;
        this.second = second;
        this.one = one;
        this.two = two;
    }

    /**
     * Starts both nodes on {@code endpoint}'s host, each on a port of its own.
     *
     * @throws IllegalStateException when SOCKIT_BENCH_REDIS is not set or Redis cannot be reached
     */
    public static ClusterPushServer start(Endpoint endpoint) throws IOException {
        String redis = System.getenv("SOCKIT_BENCH_REDIS");
        if (redis == null) {
            throw new IllegalStateException("sockit-cluster needs Redis: set SOCKIT_BENCH_REDIS=redis://127.0.0.1:PORT");
        }
        Broker first = Broker.open(URI.create(redis), "fanout-1");
        Broker second = Broker.open(URI.create(redis), "fanout-2");
        return new ClusterPushServer(first, second, SockitPushServer.start(endpoint, first),
                SockitPushServer.start(endpoint, second));
    }

    @Override
    public int port() {
        return one.port();
    }

    @Override
    public int secondPort() {
        return two.port();
    }

    @Override
    public int members() {
        return one.members() + two.members();
    }

    @Override
    public void push(String line) {
        one.push(line);
    }

    @Override
    public void close() {
        one.close();
        two.close();
        first.close();
        second.close();
    }
}
