package dev.sockit.transport;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import dev.sockit.Endpoint;
import dev.sockit.framing.Framing;
import dev.sockit.websocket.WebSocket;
import dev.sockit.websocket.WebSocketFrames;
import java.io.IOException;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The client's side of the WebSocket opening handshake (RFC 6455 section 4.1): sends the
 * upgrade request (a fresh random key, version 13, the subprotocols offered, the caller's
 * own headers such as {@code Origin}, permessage-deflate as browsers offer it unless
 * {@link WebSocket#deflate(boolean) turned off}), reads the answer and checks it: status 101,
 * {@code Upgrade: websocket}, {@code Connection: Upgrade}, the {@code Sec-WebSocket-Accept}
 * the key calls for, no extension or subprotocol that was not offered. A server that
 * compresses gets its messages inflated at most to the largest message taken; one that
 * declines compression is talked to as before. Any other answer is
 * refused with the server's status line and body in the error.
 */
public final class WebSocketHandshake implements Opening {

    private static final SecureRandom KEYS = new SecureRandom();

    private final Endpoint endpoint;
    private final WebSocket settings;
    private final Map<String, String> headers;
    private final Duration timeout;
    private volatile String subprotocol;

    /**
     * @param endpoint the {@code ws://} or {@code wss://} endpoint connected to
     * @param settings the largest message taken, the subprotocols offered
     * @param headers  more request headers, e.g. {@code Origin}, {@code Authorization}
     * @param timeout  how long the server has to answer
     */
    public WebSocketHandshake(Endpoint endpoint, WebSocket settings, Map<String, String> headers, Duration timeout) {
        this.endpoint = endpoint;
        this.settings = settings;
        this.headers = Map.copyOf(headers);
        this.timeout = timeout;
    }

    /** The subprotocol the server chose, or null. */
    public String subprotocol() {
        return subprotocol;
    }

    @Override
    public Framing open(Io io) throws IOException {
        byte[] nonce = new byte[16];
        KEYS.nextBytes(nonce);
        String key = Base64.getEncoder().encodeToString(nonce);
        StringBuilder request = new StringBuilder("GET ").append(endpoint.resource()).append(" HTTP/1.1\r\n")
                .append("Host: ").append(endpoint.authority()).append("\r\n")
                .append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
                .append("Sec-WebSocket-Key: ").append(key).append("\r\n")
                .append("Sec-WebSocket-Version: 13\r\n");
        List<String> offered = settings.subprotocols();
        if (!offered.isEmpty()) {
            request.append("Sec-WebSocket-Protocol: ").append(String.join(", ", offered)).append("\r\n");
        }
        if (settings.deflate()) {
            request.append("Sec-WebSocket-Extensions: ").append(PerMessageDeflate.OFFER).append("\r\n");
        }
        headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
        // One deadline for the whole exchange: the request's write (which the write timeout
        // does not watch) and the answer's read.
        AtomicBoolean expired = new AtomicBoolean();
        Future<?> deadline = Timer.after(timeout, () -> {
            expired.set(true); // before the abort wakes the reader, which asks
            io.abort();
        });
        HttpHead response;
        try {
            try {
                io.write(request.append("\r\n").toString().getBytes(ISO_8859_1));
            } catch (IOException e) {
                if (expired.get()) {
                    throw new ProtocolException("cannot open " + endpoint + ": the server did not take our upgrade"
                            + " request within " + Durations.format(timeout));
                }
                throw e;
            }
            response = readResponse(io, expired);
        } finally {
            deadline.cancel(false);
        }
        String status = response.start();
        if (!status.startsWith("HTTP/1.1 101")) {
            ByteBuffer in = io.buffer();
            byte[] body = new byte[Math.min(in.remaining(), 300)];
            in.get(in.position(), body);
            throw new ProtocolException("cannot open " + endpoint + ": the server answered \"" + HttpHead.shown(status)
                    + "\"" + (body.length > 0 ? ": " + new String(body, java.nio.charset.StandardCharsets.UTF_8).strip() : "")
                    + " instead of switching to WebSocket");
        }
        if (!response.hasToken("upgrade", "websocket") || !response.hasToken("connection", "upgrade")) {
            throw refused("its 101 answer lacks Upgrade: websocket or Connection: Upgrade");
        }
        String accept = response.field("sec-websocket-accept");
        if (!WebSocketUpgrade.accept(key).equals(accept)) {
            throw refused("Sec-WebSocket-Accept " + (accept == null ? "missing" : "\"" + accept + "\"")
                    + " does not answer our key (a proxy or cache in between?)");
        }
        String extensions = response.field("sec-websocket-extensions");
        boolean deflate = extensions != null && !extensions.isBlank();
        boolean serverResetsContext = false;
        if (deflate) {
            if (!settings.deflate()) {
                throw refused("it agreed to extensions we did not offer: " + HttpHead.shown(extensions));
            }
            try {
                serverResetsContext = PerMessageDeflate.agreed(extensions);
            } catch (IllegalArgumentException e) {
                throw refused(e.getMessage());
            }
        }
        String chosen = response.field("sec-websocket-protocol");
        if (chosen != null && !offered.contains(chosen)) {
            throw refused("it chose subprotocol \"" + chosen + "\", which we did not offer (offered: " + offered + ")");
        }
        subprotocol = chosen;
        WebSocketFrames framing = WebSocketFrames.client(settings.maxMessage());
        if (deflate) {
            framing = framing.withDeflate(serverResetsContext);
        }
        return settings.sendsBinary() ? framing.sendingBinary() : framing;
    }

    private HttpHead readResponse(Io io, AtomicBoolean expired) throws IOException {
        for (;;) {
            ByteBuffer in = io.buffer();
            int end = HttpHead.end(in);
            if (end >= 0) {
                try {
                    return HttpHead.parse(in, end);
                } catch (HttpHead.MalformedException e) {
                    throw refused("its answer is not HTTP: " + e.getMessage());
                }
            }
            if (in.remaining() > WebSocket.MAX_REQUEST_HEAD) {
                throw refused("its answer's head is over " + WebSocket.MAX_REQUEST_HEAD + " bytes");
            }
            if (io.read() < 0) {
                throw new ProtocolException("cannot open " + endpoint + ": " + (expired.get()
                        ? "the server did not answer the upgrade within " + Durations.format(timeout)
                        : "the server closed the connection " + (in.hasRemaining() ? "in the middle of its answer"
                                : "without answering the upgrade (is it a WebSocket server? is the path right?)")));
            }
        }
    }

    private ProtocolException refused(String why) {
        return new ProtocolException("cannot open " + endpoint + ": the server's upgrade answer is wrong: " + why);
    }
}
