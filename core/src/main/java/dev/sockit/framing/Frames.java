package dev.sockit.framing;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import dev.sockit.CloseReason;
import dev.sockit.Message;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The {@code frames} framing: length-prefixed, typed frames after a version greeting, with
 * control frames for heartbeats and a close that carries a code and a reason. The wire
 * format is specified in {@code docs/protocol.md}, with test vectors any implementation can
 * replay; in brief:
 *
 * <pre>
 * greeting  53 4b 46 01 0a          "SKF", version 1, "\n" — each side sends it first
 * frame     TT LL LL LL LL payload   type, payload length (4 bytes, big-endian), payload
 *           01 DATA   a message, at most {@link #maxLength()} bytes
 *           02 PING   at most 125 opaque bytes; the peer answers with a PONG carrying them
 *           03 PONG   the answer to a PING
 *           04 CLOSE  2-byte close code + UTF-8 reason, at most 125 bytes; the last frame
 * </pre>
 *
 * A frame over the limit is refused from its 5-byte header, before any of its payload arrives
 * or is allocated. The decoder reports control frames to a {@link Framing.Control} and
 * returns only DATA payloads as messages.
 *
 * <pre>{@code
 * Framing frames = Frames.maxLength(64 * 1024);        // default: Frames.defaults(), 1 MiB
 * Server.listen(Endpoint.parse("tcp://127.0.0.1:8001")).framing(frames);
 *
 * Framing.Decoder decoder = frames.decoder(new Framing.Control() {
 *     public void pinged(byte[] payload) { send(frames.pong(payload)); }
 * });
 * Message message = decoder.decode(buffer);   // null until a whole DATA frame is in buffer
 * }</pre>
 */
public final class Frames implements Framing {

    /** The protocol version this implementation speaks, sent in the greeting: {@value}. */
    public static final int VERSION = 1;

    /** The default limit on a DATA frame's payload: {@value} bytes (1 MiB). */
    public static final int DEFAULT_MAX_LENGTH = 1 << 20;

    /**
     * The largest limit {@link #maxLength(int)} accepts: {@value} bytes (512 MiB). A frame is
     * held whole in one read buffer, and a buffer that doubles until the frame fits must stay
     * under the 2 GiB a Java buffer can address.
     */
    public static final int LARGEST_MAX_LENGTH = 1 << 29;

    /** The most payload bytes a PING, PONG or CLOSE frame may carry: {@value}. */
    public static final int MAX_CONTROL_PAYLOAD = 125;

    /** The most bytes of UTF-8 reason a CLOSE frame carries after its 2-byte code: {@value}. */
    public static final int MAX_CLOSE_REASON = MAX_CONTROL_PAYLOAD - 2;

    /** Close code: the sender is done; nothing went wrong. */
    public static final int CLOSE_NORMAL = 1000;
    /** Close code: the sender is going away, such as a server shutting down. */
    public static final int CLOSE_GOING_AWAY = 1001;
    /** Close code: the receiver broke this protocol (bad greeting, unknown or oversized frame). */
    public static final int CLOSE_PROTOCOL_ERROR = 1002;
    /** Close code: a limit or policy of the sender, such as the number of connections. */
    public static final int CLOSE_LIMIT = 1008;
    /** Close code: the sender failed unexpectedly, or its connection broke. */
    public static final int CLOSE_INTERNAL_ERROR = 1011;
    /** The lowest close code left to applications; they may use up to 4999. */
    public static final int CLOSE_APPLICATION = 4000;

    // Frame types. Every other value, 0x00 included, is refused.
    static final byte DATA = 0x01;
    static final byte PING = 0x02;
    static final byte PONG = 0x03;
    static final byte CLOSE = 0x04;
    // Type byte and 4-byte payload length.
    static final int HEADER_LENGTH = 5;

    private static final byte[] GREETING = {'S', 'K', 'F', VERSION, '\n'};
    private static final int VERSION_INDEX = 3;
    private static final int SHOWN_BYTES = 16;
    private static final HexFormat HEX = HexFormat.ofDelimiter(" ");
    private static final Control IGNORE = new Control() {};
    private static final Frames DEFAULTS = new Frames(DEFAULT_MAX_LENGTH);

    private final int maxLength;

    private Frames(int maxLength) {
        if (maxLength < 1 || maxLength > LARGEST_MAX_LENGTH) {
            throw new IllegalArgumentException("frame limit must be between 1 and " + LARGEST_MAX_LENGTH
                    + " bytes, not " + maxLength);
        }
        this.maxLength = maxLength;
    }

    /** {@return frames with DATA payloads of at most {@value #DEFAULT_MAX_LENGTH} bytes} */
    public static Frames defaults() {
        return DEFAULTS;
    }

    /**
     * Frames with DATA payloads of at most {@code maxLength} bytes; a peer that announces a
     * longer one is refused. The limit is not negotiated: give both sides the same one.
     *
     * <pre>{@code Frames.maxLength(64 * 1024)}</pre>
     *
     * @param maxLength the longest DATA payload accepted, in bytes
     * @return frames with that limit
     * @throws IllegalArgumentException when {@code maxLength} is below 1 or above
     *     {@value #LARGEST_MAX_LENGTH}
     */
    public static Frames maxLength(int maxLength) {
        return maxLength == DEFAULT_MAX_LENGTH ? DEFAULTS : new Frames(maxLength);
    }

    /** {@return the limit on a DATA frame's payload in bytes}; the 5-byte header is not counted. */
    public int maxLength() {
        return maxLength;
    }

    /** {@code frames}. */
    @Override
    public String name() {
        return "frames";
    }

    /** A decoder that drops control frames; a connection uses {@link #decoder(Control)}. */
    @Override
    public Decoder decoder() {
        return new FrameDecoder(maxLength, IGNORE);
    }

    /**
     * A decoder for one connection that expects the peer's greeting first, then returns each
     * DATA payload as a message and reports PING, PONG and CLOSE frames to {@code control}, in
     * stream order, as it passes them. After a CLOSE it discards whatever follows.
     */
    @Override
    public Decoder decoder(Control control) {
        return new FrameDecoder(maxLength, Objects.requireNonNull(control, "control"));
    }

    /** The payload's length plus the 5-byte header. */
    @Override
    public int encodedLength(Message message) {
        return HEADER_LENGTH + message.length();
    }

    /**
     * Writes a DATA frame. The peer's limit is not checked here: a peer refuses a frame over
     * its own limit and closes the connection.
     */
    @Override
    public void encode(Message message, ByteBuffer out) {
        out.put(DATA);
        putLength(out, message.length());
        message.writeTo(out);
    }

    /** The greeting each side sends first: {@code 53 4b 46 01 0a}, "SKF", version 1, "\n". */
    @Override
    public byte[] greeting() {
        return GREETING.clone();
    }

    /**
     * A CLOSE frame for every reason, with the code {@link #closeCode} gives and the reason's
     * text, cut to {@value #MAX_CLOSE_REASON} bytes on a character boundary.
     *
     * <pre>{@code frames.farewell(CloseReason.of(Code.SHUTDOWN, "server stopping"))
     * // 04 00000011 03e9 "server stopping"}</pre>
     */
    @Override
    public byte[] farewell(CloseReason reason) {
        return closeFrame(closeCode(reason.code()), reason.text());
    }

    /** True: frames have PING and PONG. */
    @Override
    public boolean canPing() {
        return true;
    }

    /**
     * A PING frame; the peer answers with a PONG carrying the same payload, which makes a
     * round-trip time measurable when the payload is a timestamp.
     *
     * <pre>{@code frames.ping(new byte[] {0, 0, 0, 0, 0, 0, 0, 7})   // 02 00000008 0000000000000007}</pre>
     *
     * @throws IllegalArgumentException when the payload is over {@value #MAX_CONTROL_PAYLOAD} bytes
     */
    @Override
    public byte[] ping(byte[] payload) {
        return controlFrame(PING, payload);
    }

    /**
     * The PONG that answers a PING carrying {@code payload}.
     *
     * @throws IllegalArgumentException when the payload is over {@value #MAX_CONTROL_PAYLOAD} bytes
     */
    @Override
    public byte[] pong(byte[] payload) {
        return controlFrame(PONG, payload);
    }

    /**
     * A CLOSE frame with any code this protocol defines, or an application's own from
     * {@value #CLOSE_APPLICATION} to 4999; the reason is cut to {@value #MAX_CLOSE_REASON}
     * bytes of UTF-8 on a character boundary.
     *
     * <pre>{@code Frames.closeFrame(4001, "kicked")   // 04 00000008 0fa1 6b69636b6564}</pre>
     *
     * @param code   the close code
     * @param reason what happened, for people; may be empty
     * @return the encoded frame, header included
     * @throws IllegalArgumentException when the code is neither in the protocol's table nor
     *     between 4000 and 4999
     */
    public static byte[] closeFrame(int code, String reason) {
        if (!isCloseCode(code)) {
            throw new IllegalArgumentException("close code " + code + " is neither one of the protocol's"
                    + " (1000, 1001, 1002, 1008, 1011) nor an application's (4000 to 4999)");
        }
        byte[] text = CloseReason.utf8Within(reason, MAX_CLOSE_REASON);
        ByteBuffer frame = ByteBuffer.allocate(HEADER_LENGTH + 2 + text.length);
        frame.put(CLOSE).putInt(2 + text.length).putShort((short) code).put(text);
        return frame.array();
    }

    /**
     * The close code sent for a reason: {@code PEER_CLOSED} and {@code CLOSED} → 1000 normal,
     * {@code SHUTDOWN} → 1001 going away, {@code PROTOCOL_ERROR} → 1002, {@code LIMIT}, {@code TIMEOUT} and {@code KICKED} → 1008,
     * {@code BROKEN} and {@code HANDLER_FAILED} → 1011 internal error.
     *
     * @param code the kind of reason
     * @return the close code to send for it
     */
    public static int closeCode(CloseReason.Code code) {
        // No default: a new kind of reason must be given its code here, by a person.
        return switch (code) {
            case PEER_CLOSED, CLOSED -> CLOSE_NORMAL;
            case SHUTDOWN -> CLOSE_GOING_AWAY;
            case PROTOCOL_ERROR -> CLOSE_PROTOCOL_ERROR;
            case LIMIT, TIMEOUT, KICKED -> CLOSE_LIMIT; // policies of this side: limits, timeouts, the operator
            case BROKEN, HANDLER_FAILED -> CLOSE_INTERNAL_ERROR;
        };
    }

    /**
     * The kind of reason a received close code stands for, the inverse of {@link #closeCode}:
     * 1000 → {@code PEER_CLOSED}, 1001 → {@code SHUTDOWN}, 1002 → {@code PROTOCOL_ERROR},
     * 1008 → {@code LIMIT} (a limit, a timeout or the operator), 1011 → {@code BROKEN}; an
     * application's code (4000 to 4999) or an unknown one → {@code PEER_CLOSED}, since only the
     * application knows what it means.
     *
     * @param code a close code as received
     * @return the kind of reason, as the peer meant it
     */
    public static CloseReason.Code reasonCode(int code) {
        return switch (code) {
            case CLOSE_GOING_AWAY -> CloseReason.Code.SHUTDOWN;
            case CLOSE_PROTOCOL_ERROR -> CloseReason.Code.PROTOCOL_ERROR;
            case CLOSE_LIMIT -> CloseReason.Code.LIMIT;
            case CLOSE_INTERNAL_ERROR -> CloseReason.Code.BROKEN;
            default -> CloseReason.Code.PEER_CLOSED;
        };
    }

    /**
     * A close code in words, for logs: {@code closeCodeName(1001)} is "going away". Codes
     * 4000 to 4999 are "application"; any other code the protocol does not define is "unknown".
     *
     * @param code a close code as received
     * @return its name
     */
    public static String closeCodeName(int code) {
        return switch (code) {
            case CLOSE_NORMAL -> "normal";
            case CLOSE_GOING_AWAY -> "going away";
            case CLOSE_PROTOCOL_ERROR -> "protocol error";
            case CLOSE_LIMIT -> "limit";
            case CLOSE_INTERNAL_ERROR -> "internal error";
            default -> code >= CLOSE_APPLICATION && code <= 4999 ? "application" : "unknown";
        };
    }

    @Override
    public String toString() {
        return "frames (max " + maxLength + " bytes)";
    }

    private static boolean isCloseCode(int code) {
        return !closeCodeName(code).equals("unknown");
    }

    private static byte[] controlFrame(byte type, byte[] payload) {
        if (payload.length > MAX_CONTROL_PAYLOAD) {
            throw new IllegalArgumentException(typeName(type) + " payload of " + payload.length
                    + " bytes is over the " + MAX_CONTROL_PAYLOAD + " a control frame may carry;"
                    + " 8 bytes of timestamp are enough to time a round trip");
        }
        ByteBuffer frame = ByteBuffer.allocate(HEADER_LENGTH + payload.length);
        frame.put(type).putInt(payload.length).put(payload);
        return frame.array();
    }

    // The buffer's byte order is the caller's; the wire is big-endian whatever it is.
    private static void putLength(ByteBuffer out, int length) {
        out.putInt(out.order() == ByteOrder.BIG_ENDIAN ? length : Integer.reverseBytes(length));
    }

    private static long getLength(ByteBuffer in, int index) {
        int raw = in.getInt(index);
        return Integer.toUnsignedLong(in.order() == ByteOrder.BIG_ENDIAN ? raw : Integer.reverseBytes(raw));
    }

    static String typeName(byte type) {
        return switch (type) {
            case DATA -> "DATA";
            case PING -> "PING";
            case PONG -> "PONG";
            case CLOSE -> "CLOSE";
            default -> String.format("0x%02x", type & 0xFF);
        };
    }

    /**
     * One connection's decoder. All state is a few flags and a counter; a partial frame stays
     * in the caller's buffer until it is whole, so nothing is copied or allocated but the
     * payloads handed out.
     */
    private static final class FrameDecoder implements Decoder {
        private final int maxLength;
        private final Control control;
        private boolean greeted;
        private boolean closed;
        // Where the buffer's position is in the whole stream, greeting included: for errors.
        private long offset;
        private FramingException failure;

        FrameDecoder(int maxLength, Control control) {
            this.maxLength = maxLength;
            this.control = control;
        }

        @Override
        public Message decode(ByteBuffer in) throws FramingException {
            if (failure != null) {
                throw failure; // the stream is out of step for good: every call says why
            }
            try {
                return next(in);
            } catch (FramingException e) {
                failure = e;
                throw e;
            }
        }

        @Override
        public Message finish(ByteBuffer in) throws FramingException {
            Message last = decode(in);
            if (last != null || !in.hasRemaining()) {
                return last;
            }
            failure = endedInside(in);
            throw failure;
        }

        private Message next(ByteBuffer in) throws FramingException {
            if (!greeted && !greeting(in)) {
                return null;
            }
            for (;;) {
                if (closed) {
                    // The peer promised nothing follows its CLOSE; whatever does is dropped
                    // unread, so that it can neither fail the close nor fill the buffer.
                    offset += in.remaining();
                    in.position(in.limit());
                    return null;
                }
                int start = in.position();
                int available = in.limit() - start;
                if (available == 0) {
                    return null;
                }
                byte type = in.get(start);
                if (type < DATA || type > CLOSE) {
                    throw unknownType(type);
                }
                if (available < HEADER_LENGTH) {
                    return null;
                }
                long length = getLength(in, start + 1);
                checkLength(type, length);
                if (available - HEADER_LENGTH < length) {
                    return null; // the payload is still on its way; the header is read again then
                }
                int payload = start + HEADER_LENGTH;
                int n = (int) length;
                in.position(payload + n);
                offset += HEADER_LENGTH + n;
                if (type == DATA) {
                    return Message.copyOf(in, payload, n);
                }
                control(type, in, payload, n);
            }
        }

        /** Checks the greeting's bytes as they arrive; true once all of it is consumed. */
        private boolean greeting(ByteBuffer in) throws FramingException {
            int start = in.position();
            int available = Math.min(in.remaining(), GREETING.length);
            for (int i = 0; i < available; i++) {
                byte b = in.get(start + i);
                if (b != GREETING[i]) {
                    // Refuse at the first wrong byte: a peer of another protocol may send less
                    // than a greeting ("hi\n") and wait for an answer that would never come.
                    throw i == VERSION_INDEX ? otherVersion(b) : notAGreeting(in);
                }
            }
            if (available < GREETING.length) {
                return false;
            }
            in.position(start + GREETING.length);
            offset += GREETING.length;
            greeted = true;
            return true;
        }

        // Everything here is decided from the header alone, before any payload is buffered.
        private void checkLength(byte type, long length) throws FramingException {
            if (type == DATA) {
                if (length > maxLength) {
                    throw new MessageTooLongException("frame", length, maxLength);
                }
            } else if (length > MAX_CONTROL_PAYLOAD) {
                throw new FramingException(typeName(type) + " control frame of " + length + " bytes at byte "
                        + offset + " of the stream: control frames carry at most " + MAX_CONTROL_PAYLOAD
                        + " bytes; the peer broke the frames protocol");
            } else if (type == CLOSE && length < 2) {
                throw new FramingException("CLOSE control frame of " + length + " byte" + (length == 1 ? "" : "s")
                        + " at byte " + offset + " of the stream: a CLOSE carries at least its 2-byte code;"
                        + " the peer broke the frames protocol");
            }
        }

        private void control(byte type, ByteBuffer in, int payload, int n) {
            switch (type) {
                case PING -> control.pinged(bytes(in, payload, n));
                case PONG -> control.ponged(bytes(in, payload, n));
                default -> {
                    closed = true;
                    int code = in.getShort(payload) & 0xFFFF;
                    if (in.order() != ByteOrder.BIG_ENDIAN) {
                        code = Short.reverseBytes((short) code) & 0xFFFF;
                    }
                    // Malformed UTF-8 is replaced, never an error: the peer is leaving anyway.
                    String reason = new String(bytes(in, payload + 2, n - 2), UTF_8);
                    control.closing(code, reason);
                }
            }
        }

        private static byte[] bytes(ByteBuffer in, int index, int length) {
            byte[] copy = new byte[length];
            in.get(index, copy);
            return copy;
        }

        private FramingException unknownType(byte type) {
            return new FramingException(String.format(
                    "unknown frame type 0x%02x at byte %d of the stream (known: 0x01 DATA, 0x02 PING, 0x03 PONG,"
                            + " 0x04 CLOSE): the peer speaks another protocol or version, or lost its place",
                    type & 0xFF, offset));
        }

        private static FramingException otherVersion(byte version) {
            return new FramingException("peer speaks frames version " + (version & 0xFF) + ", this side speaks version "
                    + VERSION + ": run the same protocol version on both sides");
        }

        // What to do comes first: a CLOSE carries only the first 123 bytes of this to the peer.
        private static FramingException notAGreeting(ByteBuffer in) {
            byte[] got = bytes(in, in.position(), Math.min(in.remaining(), SHOWN_BYTES));
            String more = in.remaining() > SHOWN_BYTES ? " …" : "";
            return new FramingException("not a frames greeting: \"" + quote(got) + "\"" + more + " " + lookalike(got)
                    + " (got " + HEX.formatHex(got) + more + ", expected " + HEX.formatHex(GREETING)
                    + ": \"SKF\", version " + VERSION + ", \"\\n\")");
        }

        /** What the bytes a peer opened with most look like, and what to do about it. */
        private static String lookalike(byte[] got) {
            String start = new String(got, ISO_8859_1);
            for (String prefix : new String[] {"GET ", "POST ", "PUT ", "HEAD ", "DELETE ", "OPTIONS ",
                    "PATCH ", "CONNECT ", "HTTP/"}) {
                if (start.startsWith(prefix)) {
                    return "looks like HTTP; this side speaks sockit frames, not HTTP";
                }
            }
            if (got[0] == 0x16 && (got.length < 2 || got[1] == 0x03)) {
                return "looks like a TLS handshake; this side speaks sockit frames without TLS";
            }
            if (start.startsWith("SSH-")) {
                return "looks like SSH, not sockit frames";
            }
            if (isText(got)) {
                return "looks like text from a lines peer; use --framing lines on both sides,"
                        + " or --framing frames on the peer";
            }
            return "is not sockit frames; use the same --framing on both sides";
        }

        private static boolean isText(byte[] bytes) {
            boolean letters = false;
            for (byte b : bytes) {
                int c = b & 0xFF;
                if (c < 0x20 && c != '\t' && c != '\r' && c != '\n' || c == 0x7F) {
                    return false;
                }
                letters |= Character.isLetterOrDigit(c) && c < 0x80;
            }
            return letters;
        }

        private static String quote(byte[] bytes) {
            StringBuilder text = new StringBuilder();
            for (byte b : bytes) {
                int c = b & 0xFF;
                switch (c) {
                    case '\n' -> text.append("\\n");
                    case '\r' -> text.append("\\r");
                    case '\t' -> text.append("\\t");
                    case '"', '\\' -> text.append('\\').append((char) c);
                    default -> {
                        if (c >= 0x20 && c < 0x7F) {
                            text.append((char) c);
                        } else {
                            text.append(String.format("\\x%02x", c));
                        }
                    }
                }
            }
            return text.toString();
        }

        private FramingException endedInside(ByteBuffer in) {
            int have = in.remaining();
            if (!greeted) {
                return new FramingException("stream ended inside the greeting (" + have + " of " + GREETING.length
                        + " bytes): the peer closed, or was cut off, before it finished its greeting");
            }
            String frame = typeName(in.get(in.position())) + " frame";
            String of = have < HEADER_LENGTH
                    ? have + " of at least " + HEADER_LENGTH
                    : have + " of " + (HEADER_LENGTH + getLength(in, in.position() + 1));
            return new FramingException("stream ended inside a " + frame + " at byte " + offset + " (" + of
                    + " bytes): the peer closed, or was cut off, in the middle of sending it");
        }
    }
}
