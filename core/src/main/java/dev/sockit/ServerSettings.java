package dev.sockit;

import dev.sockit.proxy.ProxyProtocol;
import dev.sockit.transport.ConnectionSettings;
import dev.sockit.websocket.WebSocket;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * A server's settings, gathered by its {@link Server.Builder} and read by the server's parts.
 * {@code endpoints} is empty for the socket systemd passed; {@code tls}, {@code proxy} and
 * {@code websocket} are null when unused.
 */
record ServerSettings(List<Endpoint> endpoints, ConnectionSettings connection, Handler handler, int maxConnections,
        int backlog, Duration drainTimeout, Set<PosixFilePermission> socketMode, int maxDatagram,
        Duration sessionTimeout, AccessPolicy access, int maxPerSource, Tls tls, Duration handshakeTimeout,
        ProxyProtocol proxy, boolean reusePort, WebSocket websocket) {

    Observer observer() {
        return connection.observer();
    }
}
