package dev.sockit.websocket;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client written for tests from RFC 6455 alone, sharing no code with sockit: it
 * sends whatever frame a test builds (any bits, any length, masked or not, cut anywhere) and
 * reads frames back one at a time, as Autobahn|Testsuite's fuzzing client does.
 */
final class WsPeer implements AutoCloseable {

    /** One frame as read. */
    record Frame(boolean fin, int rsv, int opcode, byte[] payload) {
        String text() {
            return new String(payload, UTF_8);
        }

        /** The close code of a close frame, or 1005 when it carries none. */
        int closeCode() {
            return payload.length < 2 ? 1005 : (payload[0] & 0xFF) << 8 | payload[1] & 0xFF;
        }

        String closeReason() {
            return payload.length <= 2 ? "" : new String(payload, 2, payload.length - 2, UTF_8);
        }
    }

    final Socket socket;
    final DataInputStream in;
    final OutputStream out;
    String response;

    private WsPeer(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(5_000);
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Connects without a handshake: the test writes its own HTTP. */
    static WsPeer raw(int port) throws IOException {
        return new WsPeer(new Socket("127.0.0.1", port));
    }

    /** Connects and upgrades on {@code path}, with {@code extra} header lines (each ending in CRLF). */
    static WsPeer open(int port, String path, String extra) throws IOException {
        WsPeer peer = raw(port);
        String key = Base64.getEncoder().encodeToString("0123456789abcdef".getBytes(ISO_8859_1));
        peer.out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n" + extra
                + "\r\n").getBytes(ISO_8859_1));
        peer.response = peer.readHead();
        if (!peer.response.startsWith("HTTP/1.1 101")) {
            throw new IOException("not upgraded: " + peer.response);
        }
        return peer;
    }

    static WsPeer open(int port) throws IOException {
        return open(port, "/", "");
    }

    /** The HTTP head the server answered, up to its blank line. */
    String readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection ended inside the HTTP head: " + head.toString(ISO_8859_1));
            }
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(ISO_8859_1);
    }

    /** Everything the server sends until it closes: an HTTP answer with its body. */
    String readAll() throws IOException {
        return new String(in.readAllBytes(), UTF_8);
    }

    /** A frame's bytes: FIN, RSV bits, opcode, masked with a random key when {@code masked}. */
    static byte[] frame(boolean fin, int rsv, int opcode, byte[] payload, boolean masked) {
        return frame(fin, rsv, opcode, payload, masked, payload.length);
    }

    /** As {@link #frame}, announcing {@code announced} bytes whatever the payload holds. */
    static byte[] frame(boolean fin, int rsv, int opcode, byte[] payload, boolean masked, long announced) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write((fin ? 0x80 : 0) | rsv << 4 | opcode);
        int mask = masked ? 0x80 : 0;
        if (Long.compareUnsigned(announced, 126) < 0) {
            bytes.write(mask | (int) announced);
        } else if (Long.compareUnsigned(announced, 65536) < 0) {
            bytes.write(mask | 126);
            bytes.write((int) (announced >>> 8));
            bytes.write((int) announced);
        } else {
            bytes.write(mask | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                bytes.write((int) (announced >>> shift));
            }
        }
        byte[] key = new byte[4];
        if (masked) {
            ThreadLocalRandom.current().nextBytes(key);
            bytes.writeBytes(key);
        }
        for (int i = 0; i < payload.length; i++) {
            bytes.write(payload[i] ^ key[i & 3]);
        }
        return bytes.toByteArray();
    }

    WsPeer send(boolean fin, int opcode, byte[] payload) throws IOException {
        out.write(frame(fin, 0, opcode, payload, true));
        return this;
    }

    WsPeer text(String text) throws IOException {
        return send(true, 1, text.getBytes(UTF_8));
    }

    WsPeer write(byte[] bytes) throws IOException {
        out.write(bytes);
        return this;
    }

    WsPeer close(int code, String reason) throws IOException {
        byte[] text = reason.getBytes(UTF_8);
        byte[] payload = new byte[2 + text.length];
        payload[0] = (byte) (code >>> 8);
        payload[1] = (byte) code;
        System.arraycopy(text, 0, payload, 2, text.length);
        return send(true, 8, payload);
    }

    /** The next frame from the server, which must not be masked. */
    Frame read() throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        if ((b1 & 0x80) != 0) {
            throw new IOException("the server masked a frame");
        }
        long length = b1 & 0x7F;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        return new Frame((b0 & 0x80) != 0, (b0 >> 4) & 7, b0 & 0x0F, payload);
    }

    /** The next frame that is not a ping or pong. */
    Frame readData() throws IOException {
        for (;;) {
            Frame frame = read();
            if (frame.opcode() != 9 && frame.opcode() != 10) {
                return frame;
            }
        }
    }

    /** Reads until the server's close frame and returns it; then the server must end the TCP connection. */
    Frame readClose() throws IOException {
        for (;;) {
            Frame frame = read();
            if (frame.opcode() == 8) {
                return frame;
            }
        }
    }

    /** True when the server ends the TCP connection (end of stream or reset) before the read times out. */
    boolean ended() throws IOException {
        try {
            InputStream raw = socket.getInputStream();
            byte[] sink = new byte[1024];
            while (raw.read(sink) >= 0) {
                // discard
            }
            return true;
        } catch (java.net.SocketException reset) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
