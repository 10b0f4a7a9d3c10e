package dev.sockit;

import dev.sockit.transport.DatagramListener;
import dev.sockit.transport.DatagramSettings;
import dev.sockit.transport.Listener;
import dev.sockit.transport.StreamListener;
import dev.sockit.transport.Tcp;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A server's listeners, one per endpoint, each accepting for its {@link Site} into the one
 * {@link Acceptor}; the first is the one {@link Server#endpoint()} names. Closing stops the
 * accepting; releasing, after the connections have closed, gives back the sockets (a UDP
 * server's sessions reply from the listening socket until they close).
 */
final class Listeners {

    private final List<Listener> all;

    private Listeners(List<Listener> all) {
        this.all = all;
    }

    /**
     * Binds every endpoint of {@code settings} (the socket systemd passed when there is none)
     * and starts accepting; when one cannot be bound, the others are given back.
     */
    static Listeners bind(ServerSettings settings, Acceptor acceptor) throws IOException {
        List<Listener> bound = new ArrayList<>();
        try {
            if (settings.endpoints().isEmpty()) {
                bound.add(listener(Site.of(null, settings), settings, acceptor));
            }
            for (Endpoint endpoint : settings.endpoints()) {
                bound.add(listener(Site.of(endpoint, settings), settings, acceptor));
            }
        } catch (IOException | RuntimeException e) {
            bound.forEach(l -> {
                l.close();
                l.release();
            });
            throw e;
        }
        return new Listeners(List.copyOf(bound));
    }

    private static Listener listener(Site site, ServerSettings settings, Acceptor acceptor) throws IOException {
        Duration userTimeout = settings.connection().heartbeat().userTimeout();
        Endpoint endpoint = site.endpoint();
        if (endpoint == null) {
            return StreamListener.activated(settings.tls() != null, userTimeout, channel -> acceptor.accepted(channel, site),
                    settings.observer()::acceptFailed);
        }
        return switch (endpoint.kind()) {
            case TCP, TLS, WS, WSS -> {
                // On Linux the listener carries the options every accepted socket would be given
                // one system call each (TCP_NODELAY, keepalive): they inherit them.
                // Not with SO_REUSEPORT: its listeners share one address, by which the
                // descriptor that takes the options is found.
                boolean inherit = Tcp.listenerCarriesOptions() && !settings.reusePort();
                Site accepting = inherit ? site.withOptionsInherited() : site;
                yield StreamListener.start(endpoint, new StreamListener.Options(settings.backlog(), settings.socketMode(),
                        settings.reusePort(), userTimeout, inherit ? settings.connection().heartbeat().keepalive() : null),
                        channel -> acceptor.accepted(channel, accepting), settings.observer()::acceptFailed);
            }
            case UNIX, UNIX_SEQPACKET -> StreamListener.start(endpoint, new StreamListener.Options(settings.backlog(),
                    settings.socketMode(), settings.reusePort(), userTimeout), channel -> acceptor.accepted(channel, site),
                    settings.observer()::acceptFailed);
            case UDP -> DatagramListener.start(endpoint, sessions(settings), settings.observer(), acceptor::openSession);
            case UNIXGRAM -> DatagramListener.startUnix(endpoint, settings.socketMode(), sessions(settings),
                    settings.observer(), acceptor::openSession);
        };
    }

    private static DatagramSettings sessions(ServerSettings settings) {
        return new DatagramSettings(settings.maxDatagram(), settings.sessionTimeout(), null,
                settings.connection().clock());
    }

    /** Every endpoint as bound (port 0 replaced by the port chosen), in the order given. */
    List<Endpoint> endpoints() {
        return all.stream().map(Listener::endpoint).toList();
    }

    Endpoint first() {
        return all.getFirst().endpoint();
    }

    /** The datagrams the UDP listeners dropped; see {@link Server#droppedDatagrams()}. */
    long droppedDatagrams() {
        return all.stream().mapToLong(l -> l instanceof DatagramListener datagrams ? datagrams.droppedCount() : 0).sum();
    }

    /** Stops accepting. */
    void close() {
        all.forEach(Listener::close);
    }

    /** Gives back the sockets; once the connections have closed. */
    void release() {
        all.forEach(Listener::release);
    }
}
