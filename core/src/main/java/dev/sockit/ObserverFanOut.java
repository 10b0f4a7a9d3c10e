package dev.sockit;

import java.net.SocketAddress;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/** {@link Observer#all}: tells each observer in turn. */
final class ObserverFanOut implements Observer {

    private final Observer[] observers;

    private ObserverFanOut(Observer[] observers) {
        this.observers = observers;
    }

    static Observer of(Observer... observers) {
        Observer[] watching = Arrays.stream(observers).map(o -> Objects.requireNonNull(o, "observer"))
                .filter(o -> o != NONE).toArray(Observer[]::new);
        return watching.length == 0 ? NONE : watching.length == 1 ? watching[0] : new ObserverFanOut(watching);
    }

    @Override
    public void connected(Connection connection) {
        for (Observer o : observers) {
            o.connected(connection);
        }
    }

    @Override
    public void received(Connection connection, Message message) {
        for (Observer o : observers) {
            o.received(connection, message);
        }
    }

    @Override
    public boolean watchesMessages() {
        for (Observer o : observers) {
            if (o.watchesMessages()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void closed(Connection connection, CloseReason reason) {
        for (Observer o : observers) {
            o.closed(connection, reason);
        }
    }

    @Override
    public void rejected(SocketAddress peer, CloseReason reason) {
        for (Observer o : observers) {
            o.rejected(peer, reason);
        }
    }

    @Override
    public void refused(SocketAddress peer, String why) {
        for (Observer o : observers) {
            o.refused(peer, why);
        }
    }

    @Override
    public void proxyHeaderRefused(SocketAddress proxy, String why) {
        for (Observer o : observers) {
            o.proxyHeaderRefused(proxy, why);
        }
    }

    @Override
    public void handshakeFailed(Connection connection, CloseReason reason) {
        for (Observer o : observers) {
            o.handshakeFailed(connection, reason);
        }
    }

    @Override
    public void slowReader(Connection connection, long queuedBytes, CloseReason reason) {
        for (Observer o : observers) {
            o.slowReader(connection, queuedBytes, reason);
        }
    }

    @Override
    public void pushDropped(Connection connection) {
        for (Observer o : observers) {
            o.pushDropped(connection);
        }
    }

    @Override
    public void handlerFailed(Connection connection, Throwable failure) {
        for (Observer o : observers) {
            o.handlerFailed(connection, failure);
        }
    }

    @Override
    public void acceptFailed(Exception failure) {
        for (Observer o : observers) {
            o.acceptFailed(failure);
        }
    }

    @Override
    public void datagramDropped(SocketAddress peer, String reason) {
        for (Observer o : observers) {
            o.datagramDropped(peer, reason);
        }
    }

    @Override
    public void tlsReloaded(List<Path> files) {
        for (Observer o : observers) {
            o.tlsReloaded(files);
        }
    }

    @Override
    public void tlsReloadFailed(List<Path> files, Exception failure) {
        for (Observer o : observers) {
            o.tlsReloadFailed(files, failure);
        }
    }
}
