package dev.sockit.transport;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import dev.sockit.CloseReason;
import dev.sockit.ClosedConnectionException;
import dev.sockit.Peers;
import dev.sockit.framing.Framing;
import dev.sockit.websocket.WebSocket;
import dev.sockit.websocket.WebSocketFrames;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The server's side of the WebSocket opening handshake (RFC 6455 section 4.2), run on the
 * connection's own thread before its framing is chosen: reads one HTTP/1.1 request and
 *
 * <ul>
 *   <li>upgrades it ({@code 101 Switching Protocols}, {@code Sec-WebSocket-Accept}, the
 *       chosen subprotocol and permessage-deflate) and returns the WebSocket framing;</li>
 *   <li>answers a plain GET on the endpoint's path with the built-in page, which connects
 *       back; any other path with 404; a request that is not HTTP/1.1 with 400, a head over
 *       {@value WebSocket#MAX_REQUEST_HEAD} bytes with 431, another version than 13 with 426,
 *       an origin not allowed with 403 — and closes.</li>
 * </ul>
 *
 * The whole opening, the request in and the answer out, must be over within the handshake
 * timeout, or the socket is closed: a peer that sends its headers a byte at a time
 * (slowloris), or never reads our answer, holds a connection for that long, no more.
 */
public final class WebSocketUpgrade implements Opening {

    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final byte[] PAGE = page();
    // Cloned for each key: MessageDigest.getInstance leaves a ThreadLocal map holding the
    // provider lookup on the calling thread, about 220 bytes kept by every WebSocket's reader
    // for as long as the connection lives (bench/idle.sh --websocket's class histogram).
    private static final MessageDigest SHA1 = sha1();

    private final WebSocket settings;
    private final String resource;
    private final Duration timeout;
    private final WebSocketFrames framing;
    // The same with permessage-deflate, which every browser offers: one for the endpoint, not one per connection.
    private final WebSocketFrames deflating;

    /**
     * @param settings what the endpoint allows
     * @param resource the path it is served on, e.g. {@code /chat}
     * @param timeout  how long the peer has to send its whole request
     */
    public WebSocketUpgrade(WebSocket settings, String resource, Duration timeout) {
        this.settings = settings;
        this.resource = resource;
        this.timeout = timeout;
        this.framing = WebSocketFrames.server(settings.maxMessage());
        this.deflating = framing.withDeflate(true);
    }

    @Override
    public Framing open(Io io) throws IOException {
        AtomicBoolean expired = new AtomicBoolean();
        Future<?> deadline = Timer.after(timeout, () -> {
            expired.set(true); // before the abort wakes the reader, which asks
            io.abort();
        });
        try {
            HttpHead request = readRequest(io, expired);
            return request == null ? null : answer(io, request, expired); // null: answered already
        } finally {
            deadline.cancel(false);
        }
    }

    /** The request's head, or null once it has been answered with an error. */
    private HttpHead readRequest(Io io, AtomicBoolean expired) throws IOException {
        for (;;) {
            ByteBuffer in = io.buffer();
            if (in.hasRemaining() && !Character.isLetter(in.get(in.position()))) {
                // A request starts with its method: this is TLS, or another protocol, or noise.
                refuse(io, 400, "Bad Request", "this is not an HTTP request (it starts with byte 0x"
                        + Integer.toHexString(in.get(in.position()) & 0xFF) + "); this endpoint speaks WebSocket over"
                        + " HTTP/1.1" + (in.get(in.position()) == 0x16 ? ", without TLS: connect with ws://, not wss://" : ""));
                return null;
            }
            int end = HttpHead.end(in);
            if (end >= 0) {
                if (end - in.position() > WebSocket.MAX_REQUEST_HEAD) {
                    tooLarge(io);
                    return null;
                }
                try {
                    return HttpHead.parse(in, end);
                } catch (HttpHead.MalformedException e) {
                    refuse(io, 400, "Bad Request", e.getMessage());
                    return null;
                }
            }
            if (in.remaining() > WebSocket.MAX_REQUEST_HEAD) {
                tooLarge(io);
                return null;
            }
            if (io.read() < 0) {
                if (expired.get()) {
                    throw new ClosedConnectionException("connection with " + Peers.describe(io.remote()),
                            CloseReason.of(CloseReason.Code.TIMEOUT, "WebSocket handshake not finished within "
                                    + Durations.format(timeout) + " (" + in.remaining() + " bytes of request"
                                    + " received); closed"));
                }
                throw new ClosedConnectionException("connection with " + Peers.describe(io.remote()),
                        CloseReason.of(CloseReason.Code.PEER_CLOSED, in.hasRemaining()
                                ? "peer closed after " + in.remaining() + " bytes of its HTTP request"
                                : "peer closed before sending an HTTP request"));
            }
        }
    }

    private void tooLarge(Io io) throws IOException {
        refuse(io, 431, "Request Header Fields Too Large", "the request's head is over "
                + WebSocket.MAX_REQUEST_HEAD + " bytes, the most this server reads; send fewer or shorter headers"
                + " (cookies, most often)");
    }

    private Framing answer(Io io, HttpHead request, AtomicBoolean expired) throws IOException {
        String[] line = request.start().split(" ", -1);
        if (line.length != 3 || line[0].isEmpty() || line[1].isEmpty() || !line[2].startsWith("HTTP/1.")) {
            refuse(io, 400, "Bad Request", "request line \"" + HttpHead.shown(request.start())
                    + "\" is not METHOD SP TARGET SP HTTP/1.1");
            return null;
        }
        String method = line[0];
        String target = line[1];
        int query = target.indexOf('?');
        String path = query < 0 ? target : target.substring(0, query);
        if (!path.equals(resource)) {
            refuse(io, 404, "Not Found", "nothing at " + HttpHead.shown(path) + "; the WebSocket endpoint here is "
                    + resource);
            return null;
        }
        boolean upgrade = request.hasToken("upgrade", "websocket");
        if (!method.equals("GET")) {
            refuse(io, 405, "Method Not Allowed", method + " is not served here; a WebSocket opens with GET",
                    "Allow: GET\r\n");
            return null;
        }
        if (!upgrade) {
            if (settings.servesPage()) {
                respond(io, 200, "OK", "text/html; charset=utf-8", PAGE,
                        "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n"
                                + "Content-Security-Policy: default-src 'none'; script-src 'unsafe-inline';"
                                + " style-src 'unsafe-inline'; connect-src 'self' ws: wss:\r\n");
                throw ended(CloseReason.of(CloseReason.Code.CLOSED, "served the page for GET " + HttpHead.shown(path)));
            }
            refuse(io, 426, "Upgrade Required", "this endpoint speaks WebSocket: connect with a WebSocket client",
                    "Upgrade: websocket\r\nConnection: Upgrade\r\n");
            return null;
        }
        if (!line[2].equals("HTTP/1.1")) {
            refuse(io, 400, "Bad Request", "a WebSocket upgrade needs HTTP/1.1, not " + HttpHead.shown(line[2]));
            return null;
        }
        if (!request.hasToken("connection", "upgrade")) {
            refuse(io, 400, "Bad Request", "Upgrade: websocket without Connection: Upgrade");
            return null;
        }
        if (request.field("host") == null) {
            refuse(io, 400, "Bad Request", "no Host header; HTTP/1.1 requires one");
            return null;
        }
        String version = request.field("sec-websocket-version");
        if (!"13".equals(version)) {
            refuse(io, 426, "Upgrade Required", "WebSocket version " + (version == null ? "missing" : "\""
                    + HttpHead.shown(version) + "\"") + "; this server speaks version 13 (RFC 6455)",
                    "Sec-WebSocket-Version: 13\r\n");
            return null;
        }
        String key = request.field("sec-websocket-key");
        if (!isKey(key)) {
            refuse(io, 400, "Bad Request", "Sec-WebSocket-Key " + (key == null ? "missing" : "\"" + HttpHead.shown(key)
                    + "\" is not 16 bytes in base64"));
            return null;
        }
        String origin = request.field("origin");
        if (!settings.allowsOrigin(origin)) {
            refuse(io, 403, "Forbidden", "pages from " + HttpHead.shown(origin) + " may not connect here (allowed: "
                    + String.join(", ", settings.allowedOrigins()) + ")");
            return null;
        }
        StringBuilder response = new StringBuilder("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Accept: ").append(accept(key)).append("\r\n");
        String subprotocol = chooseSubprotocol(request.field("sec-websocket-protocol"));
        if (subprotocol != null) {
            response.append("Sec-WebSocket-Protocol: ").append(subprotocol).append("\r\n");
        }
        WebSocketFrames chosen = framing;
        String deflate = settings.deflate() ? PerMessageDeflate.accept(request.field("sec-websocket-extensions")) : null;
        if (deflate != null) {
            response.append("Sec-WebSocket-Extensions: ").append(deflate).append("\r\n");
            // We answer with client_no_context_takeover: each message inflates on its own.
            chosen = deflating;
        }
        try {
            io.write(response.append("\r\n").toString().getBytes(ISO_8859_1));
        } catch (IOException e) {
            if (expired.get()) {
                throw new ClosedConnectionException("connection with " + Peers.describe(io.remote()),
                        CloseReason.of(CloseReason.Code.TIMEOUT, "WebSocket handshake not finished within "
                                + Durations.format(timeout) + ": the peer did not take our 101 answer; closed"));
            }
            throw e;
        }
        return chosen;
    }

    private String chooseSubprotocol(String offered) {
        if (offered == null) {
            return null;
        }
        for (String mine : settings.subprotocols()) {
            for (String theirs : offered.split(",")) {
                if (theirs.strip().equals(mine)) {
                    return mine;
                }
            }
        }
        return null;
    }

    /** The {@code Sec-WebSocket-Accept} for a key: base64 of SHA-1 over the key and the RFC's GUID. */
    public static String accept(String key) {
        MessageDigest sha1;
        try {
            sha1 = (MessageDigest) SHA1.clone();
        } catch (CloneNotSupportedException e) {
            sha1 = sha1(); // a provider whose SHA-1 cannot be cloned: look it up each time
        }
        return Base64.getEncoder().encodeToString(sha1.digest((key.strip() + GUID).getBytes(ISO_8859_1)));
    }

    private static MessageDigest sha1() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }

    private static boolean isKey(String key) {
        if (key == null) {
            return false;
        }
        try {
            return Base64.getDecoder().decode(key.strip()).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private void refuse(Io io, int status, String phrase, String why) throws IOException {
        refuse(io, status, phrase, why, "");
    }

    private void refuse(Io io, int status, String phrase, String why, String fields) throws IOException {
        try {
            respond(io, status, phrase, "text/plain; charset=utf-8", (why + "\n").getBytes(UTF_8), fields);
        } catch (IOException gone) {
            // The peer left before our answer: it is refused either way.
        }
        throw ended(CloseReason.of(status == 404 ? CloseReason.Code.CLOSED : CloseReason.Code.PROTOCOL_ERROR,
                "HTTP " + status + " " + phrase + ": " + why));
    }

    private static void respond(Io io, int status, String phrase, String type, byte[] body, String fields)
            throws IOException {
        byte[] head = ("HTTP/1.1 " + status + " " + phrase + "\r\nContent-Type: " + type + "\r\nContent-Length: "
                + body.length + "\r\n" + fields + "Connection: close\r\n\r\n").getBytes(ISO_8859_1);
        byte[] whole = new byte[head.length + body.length];
        System.arraycopy(head, 0, whole, 0, head.length);
        System.arraycopy(body, 0, whole, head.length, body.length);
        io.write(whole);
    }

    /**
     * The framing of a connection refused before its upgrade (the server is full): its only
     * words are the farewell, an HTTP 503 saying why, which a browser shows as a failed
     * connection and a program can read.
     */
    public static Framing refusals() {
        return REFUSALS;
    }

    private static final Framing REFUSALS = new Silent("refused", WebSocketUpgrade::serviceUnavailable);

    private static byte[] serviceUnavailable(CloseReason reason) {
        byte[] body = (reason.text() + "\n").getBytes(UTF_8);
        byte[] head = ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
                + body.length + "\r\nRetry-After: 1\r\nConnection: close\r\n\r\n").getBytes(ISO_8859_1);
        byte[] whole = java.util.Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, whole, head.length, body.length);
        return whole;
    }

    private static ClosedConnectionException ended(CloseReason reason) {
        return new ClosedConnectionException("WebSocket opening", reason);
    }

    private static byte[] page() {
        try (InputStream in = WebSocketUpgrade.class.getResourceAsStream("websocket-page.html")) {
            if (in == null) {
                throw new IllegalStateException("websocket-page.html is missing from sockit-core's jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
