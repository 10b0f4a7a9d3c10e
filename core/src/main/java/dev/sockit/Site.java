package dev.sockit;

import dev.sockit.transport.ConnectionSettings;
import dev.sockit.websocket.WebSocket;
import dev.sockit.websocket.WebSocketFrames;

/**
 * One endpoint of a server and how its connections are made: its framing (WebSocket's own on
 * ws:// and wss://), whether TLS runs under it, its WebSocket settings (null elsewhere).
 * {@code endpoint} is null for the socket systemd passed.
 */
record Site(Endpoint endpoint, ConnectionSettings connection, boolean tls, WebSocket websocket) {

    /** The site of {@code endpoint}, or of the socket systemd passed when it is null. */
    static Site of(Endpoint endpoint, ServerSettings settings) {
        if (endpoint == null) {
            return new Site(null, settings.connection(), settings.tls() != null, null);
        }
        if (endpoint.kind().isWebSocket()) {
            WebSocket ws = settings.websocket();
            return new Site(endpoint, settings.connection().withFraming(WebSocketFrames.server(ws.maxMessage())),
                    endpoint.kind().isTls(), ws);
        }
        return new Site(endpoint, settings.connection(), endpoint.kind().isTls(), null);
    }
}
