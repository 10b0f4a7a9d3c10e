package dev.sockit.websocket;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.sockit.CloseReason;
import dev.sockit.Message;
import dev.sockit.framing.Framing;
import dev.sockit.framing.FramingException;
import dev.sockit.framing.MessageTooLongException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * WebSocket framing (RFC 6455 section 5) after the HTTP upgrade: each text or binary message,
 * however many fragments it came in, is one {@link Message}; ping, pong and close frames are
 * reported to the connection's {@link Framing.Control} and never seen by handlers.
 *
 * <pre>
 * frame  FIN RSV1-3 opcode(4) | MASK len(7) [len 16 or 64 bits] [mask key, 4 bytes] payload
 *        opcodes 0 continuation, 1 text, 2 binary, 8 close, 9 ping, 10 pong; others refused
 * </pre>
 *
 * A server's decoder takes only masked frames and sends unmasked ones; a client's the
 * reverse. What the peer gets wrong closes the connection with the code RFC 6455 gives it:
 * 1002 for broken framing (reserved bits or opcodes, a control frame over 125 bytes or
 * fragmented, a continuation with nothing to continue, a frame not masked as it must be),
 * 1007 for text that is not UTF-8 (found as soon as a byte cannot continue it, even inside a
 * fragment), 1009 for a message over {@link #maxMessage()} (found from the frame header,
 * before its payload is buffered). With permessage-deflate (RFC 7692) a compressed message
 * (RSV1) is inflated at most to the limit, so a compression bomb costs no more than a
 * message of that size. This side never compresses what it sends, which RFC 7692 allows.
 *
 * <pre>{@code
 * Framing.Decoder decoder = WebSocketFrames.server(1 << 20).decoder(control);
 * Message message = decoder.decode(buffer);   // null until a whole message is in buffer
 * }</pre>
 */
public final class WebSocketFrames implements Framing {

    /** The most payload bytes a ping, pong or close frame may carry: {@value}. */
    public static final int MAX_CONTROL_PAYLOAD = 125;

    static final int CONTINUATION = 0x0;
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;

    private static final byte[] INFLATE_TAIL = {0, 0, (byte) 0xFF, (byte) 0xFF};
    // What a decoder gathers fragments in until its first fragmented message: every idle
    // connection has a decoder, and most never see a fragment.
    private static final byte[] NO_PARTS = new byte[0];
    private static final Control IGNORE = new Control() {};
    private static final SecureRandom MASKS = new SecureRandom();

    private final boolean client;
    private final int maxMessage;
    private final Deflate deflate;
    private final boolean binary;

    /** What permessage-deflate was agreed on, as the receiving side sees it. */
    record Deflate(boolean peerResetsContext) {}

    private WebSocketFrames(boolean client, int maxMessage, Deflate deflate, boolean binary) {
        this.binary = binary;
        if (maxMessage < 1) {
            throw new IllegalArgumentException("maxMessage must be at least 1 byte, not " + maxMessage);
        }
        this.client = client;
        this.maxMessage = maxMessage;
        this.deflate = deflate;
    }

    /**
     * {@return a server's framing}: takes masked frames, sends unmasked ones.
     *
     * @param maxMessage the largest message taken, in bytes, all its fragments together
     */
    public static WebSocketFrames server(int maxMessage) {
        return new WebSocketFrames(false, maxMessage, null, false);
    }

    /**
     * {@return a client's framing}: masks what it sends, takes unmasked frames.
     *
     * @param maxMessage the largest message taken, in bytes, all its fragments together
     */
    public static WebSocketFrames client(int maxMessage) {
        return new WebSocketFrames(true, maxMessage, null, false);
    }

    /**
     * This framing with permessage-deflate agreed: compressed messages (RSV1) are taken and
     * inflated; {@code peerResetsContext} when the peer compresses each message on its own
     * (it agreed to {@code client_no_context_takeover}, for a server).
     *
     * @param peerResetsContext true when the peer starts each compressed message afresh
     * @return a copy of this framing that inflates
     */
    public WebSocketFrames withDeflate(boolean peerResetsContext) {
        return new WebSocketFrames(client, maxMessage, new Deflate(peerResetsContext), binary);
    }

    /** {@return a copy of this framing that sends every message as binary}, whatever its kind ({@code websocat --binary}). */
    public WebSocketFrames sendingBinary() {
        return new WebSocketFrames(client, maxMessage, deflate, true);
    }

    /** {@return true when permessage-deflate was agreed} */
    public boolean deflates() {
        return deflate != null;
    }

    /** {@return the largest message taken, in bytes}, all fragments together, inflated. */
    public int maxMessage() {
        return maxMessage;
    }

    /** {@return true for the client's side}, which masks what it sends. */
    public boolean isClient() {
        return client;
    }

    /** {@code websocket}. */
    @Override
    public String name() {
        return "websocket";
    }

    @Override
    public Decoder decoder() {
        return new FrameDecoder(IGNORE);
    }

    @Override
    public Decoder decoder(Control control) {
        return new FrameDecoder(Objects.requireNonNull(control, "control"));
    }

    @Override
    public int encodedLength(Message message) {
        return headerLength(message.length()) + message.length();
    }

    private int headerLength(long payload) {
        int length = payload < 126 ? 2 : payload < 65536 ? 4 : 10;
        return client ? length + 4 : length;
    }

    /**
     * Writes one frame: binary for a {@linkplain Message#isBinary() binary} message, text for
     * the others, unless their bytes are not UTF-8 (a relay passing bytes on as they came),
     * which a peer would refuse as text; those go binary.
     */
    @Override
    public void encode(Message message, ByteBuffer out) {
        int n = message.length();
        int start = out.position();
        int payload = start + headerLength(n);
        out.position(payload);
        message.writeTo(out);
        boolean text = !binary && !message.isBinary() && Utf8Validator.isValid(out, payload, n);
        writeHeader(out, start, text ? TEXT : BINARY, n);
        if (client) {
            mask(out, payload, n);
        }
    }

    // The header from start, leaving out's position where it is (after the payload).
    private void writeHeader(ByteBuffer out, int start, int opcode, int n) {
        out.put(start, (byte) (0x80 | opcode));
        int mask = client ? 0x80 : 0;
        int i = start + 1;
        if (n < 126) {
            out.put(i++, (byte) (mask | n));
        } else if (n < 65536) {
            out.put(i++, (byte) (mask | 126));
            out.put(i++, (byte) (n >>> 8));
            out.put(i++, (byte) n);
        } else {
            out.put(i++, (byte) (mask | 127));
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.put(i++, (byte) ((long) n >>> shift));
            }
        }
        if (client) {
            int key = MASKS.nextInt();
            out.putInt(i, key);
        }
    }

    // XORs n bytes at payload with the 4-byte key just before them: masks and unmasks alike.
    // Eight bytes at a time, the key twice over in a long (read in the buffer's own byte order,
    // so it lines up with the payload's longs in either), then the last few a byte at a time.
    private static void mask(ByteBuffer buffer, int payload, int n) {
        int key = buffer.getInt(payload - 4);
        long key8 = (long) key << 32 | key & 0xFFFFFFFFL;
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            buffer.putLong(payload + i, buffer.getLong(payload + i) ^ key8);
        }
        for (; i < n; i++) {
            buffer.put(payload + i, (byte) (buffer.get(payload + i) ^ buffer.get(payload - 4 + (i & 3))));
        }
    }

    /** A close frame with the code {@link WebSocket#closeCode} gives, and the reason's text cut to 123 bytes. */
    @Override
    public byte[] farewell(CloseReason reason) {
        int code = WebSocket.closeCode(reason);
        if (code == WebSocket.NO_STATUS || code == WebSocket.ABNORMAL) {
            code = WebSocket.NORMAL; // reported only, never sent
        }
        // Answering a peer's close: its reason is its own, not ours to send back.
        String text = reason.code() == CloseReason.Code.PEER_CLOSED ? "" : reason.text();
        return closeFrame(code, text);
    }

    /**
     * {@return a close frame}, masked when this is the client's side.
     *
     * @param code   the close code, one a close frame may carry (RFC 6455, 7.4)
     * @param reason for people; cut to 123 bytes of UTF-8 on a character boundary
     */
    public byte[] closeFrame(int code, String reason) {
        byte[] text = CloseReason.utf8Within(reason, MAX_CONTROL_PAYLOAD - 2);
        byte[] payload = new byte[2 + text.length];
        payload[0] = (byte) (code >>> 8);
        payload[1] = (byte) code;
        System.arraycopy(text, 0, payload, 2, text.length);
        return control(CLOSE, payload);
    }

    /**
     * A close frame (1000): WebSocket has no half-close of its own; the peer sends what it
     * still has, then its close frame, which ends the connection.
     */
    @Override
    public byte[] endOfOutput() {
        return closeFrame(WebSocket.NORMAL, "");
    }

    @Override
    public boolean canPing() {
        return true;
    }

    @Override
    public byte[] ping(byte[] payload) {
        return control(PING, payload);
    }

    @Override
    public byte[] pong(byte[] payload) {
        return control(PONG, payload);
    }

    /** A control frame (close, ping, pong) carrying at most 125 bytes. */
    byte[] control(int opcode, byte[] payload) {
        if (payload.length > MAX_CONTROL_PAYLOAD) {
            throw new IllegalArgumentException("a control frame carries at most " + MAX_CONTROL_PAYLOAD
                    + " bytes, not " + payload.length);
        }
        ByteBuffer frame = ByteBuffer.allocate(headerLength(payload.length) + payload.length);
        int at = headerLength(payload.length);
        frame.put(at, payload);
        writeHeader(frame, 0, opcode, payload.length);
        if (client) {
            mask(frame, at, payload.length);
        }
        return frame.array();
    }

    @Override
    public String toString() {
        return "websocket (" + (client ? "client" : "server") + ", max message " + maxMessage + " bytes"
                + (deflate != null ? ", permessage-deflate" : "") + ")";
    }

    static String opcodeName(int opcode) {
        return switch (opcode) {
            case CONTINUATION -> "continuation";
            case TEXT -> "text";
            case BINARY -> "binary";
            case CLOSE -> "close";
            case PING -> "ping";
            case PONG -> "pong";
            default -> String.format("reserved opcode 0x%x", opcode);
        };
    }

    /**
     * One connection's decoder. A frame stays in the caller's buffer until it is whole (its
     * length checked against the limit first), is unmasked there, and is copied out once: as
     * the message itself when it is a whole message, else onto the fragments gathered so far.
     */
    private final class FrameDecoder implements Decoder {
        private final Control control;
        private final Utf8Validator utf8 = new Utf8Validator();
        private boolean closed;
        private int messageOpcode = -1; // the opcode of the message in progress, -1 for none
        private boolean compressed;
        private byte[] parts = NO_PARTS;
        private int partsLength;
        private Inflater inflater;
        private long offset; // where the buffer's position is in the whole stream: for errors
        private FramingException failure;

        FrameDecoder(Control control) {
            this.control = control;
        }

        @Override
        public Message decode(ByteBuffer in) throws FramingException {
            if (failure != null) {
                throw failure;
            }
            try {
                return next(in);
            } catch (FramingException e) {
                failure = e;
                if (inflater != null) {
                    inflater.end();
                }
                throw e;
            }
        }

        @Override
        public Message finish(ByteBuffer in) throws FramingException {
            Message last = decode(in);
            if (last != null || !in.hasRemaining() && messageOpcode < 0) {
                return last;
            }
            // A WebSocket ends with a close frame; a stream that stops short of one broke off.
            return null;
        }

        private Message next(ByteBuffer in) throws FramingException {
            for (;;) {
                if (closed) {
                    // Nothing may follow a close frame; what does is dropped unread.
                    offset += in.remaining();
                    in.position(in.limit());
                    return null;
                }
                int start = in.position();
                int available = in.limit() - start;
                if (available < 2) {
                    return null;
                }
                int b0 = in.get(start) & 0xFF;
                int b1 = in.get(start + 1) & 0xFF;
                boolean fin = (b0 & 0x80) != 0;
                int rsv = b0 & 0x70;
                int opcode = b0 & 0x0F;
                boolean masked = (b1 & 0x80) != 0;
                int length7 = b1 & 0x7F;
                checkFirstBytes(fin, rsv, opcode, masked, length7);
                int header = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + (masked ? 4 : 0);
                if (available < header) {
                    return null;
                }
                long length = length7 < 126 ? length7
                        : length7 == 126 ? (in.get(start + 2) & 0xFF) << 8 | in.get(start + 3) & 0xFF
                        : longAt(in, start + 2);
                if (length < 0) {
                    throw protocol("frame length with its most significant bit set (" + Long.toUnsignedString(length)
                            + " bytes)");
                }
                boolean isControl = opcode >= CLOSE;
                if (!isControl && partsLength + length > maxMessage) {
                    // Compressed or not, no more than the limit is buffered for one message.
                    throw new MessageTooLongException("WebSocket message", partsLength + length, maxMessage);
                }
                if (available - header < length) {
                    return null; // the payload is on its way; the header is read again then
                }
                int payload = start + header;
                int n = (int) length;
                if (masked) {
                    mask(in, payload, n);
                }
                in.position(payload + n);
                offset += header + n;
                if (isControl) {
                    control(opcode, in, payload, n);
                    continue;
                }
                Message message = data(fin, rsv, opcode, in, payload, n);
                if (message != null) {
                    return message;
                }
            }
        }

        // Everything decided from the first two bytes, before the rest of the frame arrives.
        private void checkFirstBytes(boolean fin, int rsv, int opcode, boolean masked, int length7)
                throws FramingException {
            if (opcode > BINARY && opcode < CLOSE || opcode > PONG) {
                throw protocol(opcodeName(opcode) + ": this side knows 0 to 2 and 8 to 10, and no extension"
                        + " agreed gives it a meaning");
            }
            boolean isControl = opcode >= CLOSE;
            boolean rsv1Allowed = deflate != null && (opcode == TEXT || opcode == BINARY);
            if (rsv != 0 && !(rsv == 0x40 && rsv1Allowed)) {
                throw protocol("reserved bits " + Integer.toBinaryString(rsv >> 4 | 8).substring(1) + " set in a "
                        + opcodeName(opcode) + " frame" + (rsv == 0x40 && !isControl && opcode != CONTINUATION
                                ? ", but permessage-deflate was not agreed" : ": no extension agreed uses them"));
            }
            if (isControl) {
                if (!fin) {
                    throw protocol("fragmented " + opcodeName(opcode) + " frame: control frames are never fragmented");
                }
                if (length7 > MAX_CONTROL_PAYLOAD) {
                    throw protocol(opcodeName(opcode) + " frame of more than " + MAX_CONTROL_PAYLOAD
                            + " bytes: control frames carry at most " + MAX_CONTROL_PAYLOAD);
                }
            } else if (opcode == CONTINUATION && messageOpcode < 0) {
                throw protocol("continuation frame with no fragmented message to continue");
            } else if (opcode != CONTINUATION && messageOpcode >= 0) {
                throw protocol(opcodeName(opcode) + " frame before the fragmented " + opcodeName(messageOpcode)
                        + " message ended");
            }
            if (masked == client) {
                throw protocol(client ? "masked frame from the server: a server never masks"
                        : "unmasked frame from the client: a client masks every frame (RFC 6455 5.1)");
            }
        }

        private Message data(boolean fin, int rsv, int opcode, ByteBuffer in, int payload, int n)
                throws FramingException {
            if (opcode != CONTINUATION) {
                messageOpcode = opcode;
                compressed = rsv != 0;
            }
            boolean text = messageOpcode == TEXT;
            if (text && !compressed && !utf8.feed(in, payload, n)) {
                throw invalidText();
            }
            if (fin && partsLength == 0 && !compressed) {
                // The common case, a message in one frame: one copy, straight from the buffer.
                Message message = Message.copyOf(in, payload, n);
                return endMessage(text, message);
            }
            append(in, payload, n);
            if (!fin) {
                return null;
            }
            byte[] whole = compressed ? inflate() : Arrays.copyOf(parts, partsLength);
            if (compressed && text && !utf8.feed(ByteBuffer.wrap(whole), 0, whole.length)) {
                throw invalidText();
            }
            partsLength = 0;
            if (parts.length > 64 * 1024) {
                parts = NO_PARTS; // one large message must not keep its buffer for good
            }
            return endMessage(text, ByteBuffer.wrap(whole));
        }

        private Message endMessage(boolean text, ByteBuffer whole) throws FramingException {
            return endMessage(text, Message.copyOf(whole, 0, whole.remaining()));
        }

        private Message endMessage(boolean text, Message message) throws FramingException {
            messageOpcode = -1;
            if (text) {
                if (!utf8.complete()) {
                    throw invalidText();
                }
                utf8.reset();
                return message;
            }
            return message.asBinary();
        }

        private void append(ByteBuffer in, int payload, int n) {
            if (parts.length - partsLength < n) {
                parts = Arrays.copyOf(parts, Math.max(partsLength + n, Math.min(maxMessage, Math.max(256, parts.length * 2))));
            }
            in.get(payload, parts, partsLength, n);
            partsLength += n;
        }

        /** Inflates the gathered compressed message, refusing it with 1009 as soon as it passes the limit. */
        private byte[] inflate() throws FramingException {
            if (inflater == null) {
                inflater = new Inflater(true);
            }
            append(ByteBuffer.wrap(INFLATE_TAIL), 0, INFLATE_TAIL.length);
            inflater.setInput(parts, 0, partsLength);
            byte[] out = new byte[Math.min(maxMessage + 1, Math.max(256, partsLength * 4))];
            int produced = 0;
            try {
                for (;;) {
                    if (produced == out.length) {
                        if (out.length > maxMessage) {
                            throw new MessageTooLongException("inflated WebSocket message", produced, maxMessage);
                        }
                        out = Arrays.copyOf(out, (int) Math.min((long) maxMessage + 1, out.length * 2L));
                    }
                    int n = inflater.inflate(out, produced, out.length - produced);
                    produced += n;
                    // Room was left and nothing came: all input is taken, and all it held given out.
                    if (n == 0 && produced < out.length) {
                        break;
                    }
                }
            } catch (DataFormatException e) {
                throw protocol("compressed message is not valid deflate data (" + e.getMessage() + ")");
            }
            if (produced > maxMessage) {
                throw new MessageTooLongException("inflated WebSocket message", produced, maxMessage);
            }
            if (deflate.peerResetsContext()) {
                // Nothing carries over to the next message: give back zlib's native state
                // (about 40 KiB with its window) rather than hold it for every idle peer.
                inflater.end();
                inflater = null;
            } else if (inflater.finished()) {
                inflater.reset();
            }
            return Arrays.copyOf(out, produced);
        }

        private void control(int opcode, ByteBuffer in, int payload, int n) throws FramingException {
            byte[] bytes = new byte[n];
            in.get(payload, bytes);
            switch (opcode) {
                case PING -> control.pinged(bytes);
                case PONG -> control.ponged(bytes);
                default -> {
                    if (n == 1) {
                        throw protocol("close frame of 1 byte: a close carries nothing, or a 2-byte code first");
                    }
                    int code = n == 0 ? WebSocket.NO_STATUS : (bytes[0] & 0xFF) << 8 | bytes[1] & 0xFF;
                    if (n > 0 && !WebSocket.isSendable(code)) {
                        throw protocol("close code " + code + " is not one a close frame may carry (1000 to 1003,"
                                + " 1007 to 1014, 3000 to 4999)");
                    }
                    if (n > 2 && !Utf8Validator.isValid(in, payload + 2, n - 2)) {
                        throw new FramingException("close frame's reason is not UTF-8 at byte " + offset
                                + " of the stream", WebSocket.INVALID_DATA);
                    }
                    closed = true;
                    control.closing(code, n > 2 ? new String(bytes, 2, n - 2, UTF_8) : "");
                }
            }
        }

        private FramingException invalidText() {
            return new FramingException("text message is not UTF-8 (before byte " + offset
                    + " of the stream); send bytes as a binary message", WebSocket.INVALID_DATA);
        }

        private FramingException protocol(String what) {
            return new FramingException(what + ", at byte " + offset + " of the stream; the peer broke"
                    + " the WebSocket protocol", WebSocket.PROTOCOL_ERROR);
        }

        private static long longAt(ByteBuffer in, int index) {
            long value = 0;
            for (int i = 0; i < 8; i++) {
                value = value << 8 | in.get(index + i) & 0xFF;
            }
            return value;
        }
    }
}
