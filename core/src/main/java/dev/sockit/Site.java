package dev.sockit;

import dev.sockit.transport.ConnectionSettings;
import dev.sockit.transport.WebSocketUpgrade;
import dev.sockit.websocket.WebSocket;
import dev.sockit.websocket.WebSocketFrames;

/**
 * One endpoint of a server and how its connections are made: its framing (WebSocket's own on
 * ws:// and wss://), whether TLS runs under it, its WebSocket settings and opening step, the
 * HTTP upgrade (both null elsewhere). The opening keeps nothing of one connection's, so each
 * connection shares its site's rather than holding one of its own for as long as it lives.
 * {@code endpoint} is null for the socket systemd passed.
 */
record Site(Endpoint endpoint, ConnectionSettings connection, boolean tls, WebSocket websocket,
        WebSocketUpgrade opening) {

    /** The site of {@code endpoint}, or of the socket systemd passed when it is null. */
    static Site of(Endpoint endpoint, ServerSettings settings) {
        if (endpoint == null) {
            return new Site(null, settings.connection(), settings.tls() != null, null, null);
        }
        if (endpoint.kind().isWebSocket()) {
            WebSocket ws = settings.websocket();
            return new Site(endpoint, settings.connection().withFraming(WebSocketFrames.server(ws.maxMessage())),
                    endpoint.kind().isTls(), ws, new WebSocketUpgrade(ws, endpoint.resource(), settings.handshakeTimeout()));
        }
        return new Site(endpoint, settings.connection(), endpoint.kind().isTls(), null, null);
    }

    /** This site for the connections of a listener that carries their socket options. */
    Site withOptionsInherited() {
        return new Site(endpoint, connection.withOptionsInherited(), tls, websocket, opening);
    }
}
