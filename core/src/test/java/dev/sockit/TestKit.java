package dev.sockit;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.sockit.framing.Framing;
import dev.sockit.framing.FramingException;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * What the core tests share: a {@link Peer} that talks to a server through a plain
 * {@link Socket}, so the tests do not trust the code they test; a {@link Feed} that hands a
 * decoder bytes the way a connection does; and {@link #awaitUntil}, for conditions that have
 * nothing to block on.
 */
public final class TestKit {

    /** How long any one wait in a test may take before the test fails rather than hangs. */
    public static final Duration PATIENCE = Duration.ofSeconds(5);

    private TestKit() {}

    /** Describes a server on 127.0.0.1 at a port the system chooses; read it back with {@code server.port()}. */
    public static Server.Builder onLoopback() {
        return Server.listen(Endpoint.parse("tcp://127.0.0.1:0"));
    }

    /**
     * Waits until {@code condition} holds, checking every millisecond, and fails the test when
     * it still does not after {@link #PATIENCE}. For state nothing can be blocked on, such as
     * {@code server.connections()}; prefer a blocking read or a queue's poll when there is one.
     */
    public static void awaitUntil(String what, BooleanSupplier condition) {
        awaitUntil(what, PATIENCE, Duration.ofMillis(1), condition::getAsBoolean);
    }

    /** A condition whose asking may fail, such as a command written to another process. */
    @FunctionalInterface
    public interface Condition<E extends Exception> {
        /** {@return true once what is awaited has come} */
        boolean holds() throws E;
    }

    /**
     * As {@link #awaitUntil(String, BooleanSupplier)}, for a condition that is slow to come or
     * costly to ask: asked every {@code every}, for at most {@code patience}.
     */
    public static <E extends Exception> void awaitUntil(String what, Duration patience, Duration every,
            Condition<E> condition) throws E {
        long deadline = System.nanoTime() + patience.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("waited " + patience + " for: " + what);
            }
            LockSupport.parkNanos(every.toNanos());
        }
    }

    /**
     * Whether a socket listens on TCP port {@code port} of an IPv4 address, as the kernel's
     * table (/proc/net/tcp, Linux) says. For another program's listener, where a probe
     * connection would be taken as a client: relayed, logged or answered.
     */
    public static boolean listening(int port) {
        String local = String.format(":%04X ", port);
        try {
            for (String line : Files.readAllLines(Path.of("/proc/net/tcp"))) {
                String[] fields = line.trim().split("\\s+");
                // local address, then state 0A: LISTEN
                if (fields.length > 3 && (fields[1] + " ").endsWith(local) && fields[3].equals("0A")) {
                    return true;
                }
            }
            return false;
        } catch (IOException unreadable) {
            throw new UncheckedIOException("cannot read /proc/net/tcp to see what listens on port " + port, unreadable);
        }
    }

    /**
     * A JDK TLS client (no sockit code) to 127.0.0.1:{@code port} that trusts the PEM
     * certificate {@code trusted} alone; its reads time out after {@link #PATIENCE}.
     */
    public static javax.net.ssl.SSLSocket jdkTlsClient(java.nio.file.Path trusted, int port) throws Exception {
        javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) trusting(trusted).getSocketFactory()
                .createSocket("127.0.0.1", port);
        socket.setSoTimeout((int) PATIENCE.toMillis());
        return socket;
    }

    /** As {@link #jdkTlsClient}, layered over {@code raw}, which the test may then cut as TLS never would. */
    public static javax.net.ssl.SSLSocket tlsOver(Socket raw, java.nio.file.Path trusted, int port) throws Exception {
        javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) trusting(trusted).getSocketFactory()
                .createSocket(raw, "127.0.0.1", port, false);
        socket.setSoTimeout((int) PATIENCE.toMillis());
        return socket;
    }

    private static javax.net.ssl.SSLContext trusting(java.nio.file.Path trusted) throws Exception {
        java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
        store.load(null, null);
        try (InputStream in = java.nio.file.Files.newInputStream(trusted)) {
            store.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(in));
        }
        javax.net.ssl.TrustManagerFactory factory = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
        factory.init(store);
        javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    /** The UTF-8 bytes of {@code text}. */
    public static byte[] utf8(String text) {
        return text.getBytes(UTF_8);
    }

    /**
     * A plain {@link Socket} to a server on loopback that reads lines itself, byte by byte:
     * {@code \n} ends a line, a {@code \r} before it is dropped, the rest is UTF-8. Every read
     * times out after {@link #PATIENCE}, so a test fails instead of hanging.
     */
    public static final class Peer implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        private Peer(Socket socket) throws IOException {
            this.socket = socket;
            socket.setSoTimeout((int) PATIENCE.toMillis());
            socket.setTcpNoDelay(true);
            this.in = new BufferedInputStream(socket.getInputStream());
            this.out = socket.getOutputStream();
        }

        /** Connects to {@code server} on 127.0.0.1. */
        public static Peer connect(Server server) throws IOException {
            return connect(server.port());
        }

        /** Connects to {@code port} on 127.0.0.1. */
        public static Peer connect(int port) throws IOException {
            return connect("127.0.0.1", port);
        }

        /** Connects to {@code port} at the address literal {@code host}, such as {@code ::1}. */
        public static Peer connect(String host, int port) throws IOException {
            Socket socket = new Socket();
            try {
                socket.connect(new InetSocketAddress(host, port), (int) PATIENCE.toMillis());
                return new Peer(socket);
            } catch (IOException e) {
                socket.close();
                throw e;
            }
        }

        /**
         * Connects to {@code port} on 127.0.0.1 from the local address {@code source}, such as
         * 127.0.0.2 (all of 127.0.0.0/8 is loopback): a second source address for tests of
         * per-address rules.
         */
        public static Peer connectFrom(String source, int port) throws IOException {
            Socket socket = new Socket();
            try {
                socket.bind(new InetSocketAddress(source, 0));
                socket.connect(new InetSocketAddress("127.0.0.1", port), (int) PATIENCE.toMillis());
                return new Peer(socket);
            } catch (IOException e) {
                socket.close();
                throw e;
            }
        }

        /** Accepts one connection on {@code listener}: the peer of a client under test. */
        public static Peer accept(ServerSocket listener) throws IOException {
            listener.setSoTimeout((int) PATIENCE.toMillis());
            Socket socket = listener.accept();
            try {
                return new Peer(socket);
            } catch (IOException e) {
                socket.close();
                throw e;
            }
        }

        /** The socket, for what the peer does not wrap: resets, half-closes, its port. */
        public Socket socket() {
            return socket;
        }

        /** Writes {@code text} as UTF-8, as it is: add the {@code \n} yourself. */
        public Peer write(String text) throws IOException {
            return write(utf8(text));
        }

        /** Writes {@code bytes} and flushes. */
        public Peer write(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
            return this;
        }

        /** Writes {@code line} and a {@code \n}. */
        public Peer send(String line) throws IOException {
            return write(line + "\n");
        }

        /** Sends {@code line} and returns the one line that comes back. */
        public String ask(String line) throws IOException {
            send(line);
            return readLine();
        }

        /**
         * Reads one line, or returns {@code null} at end of stream with nothing pending.
         *
         * @throws SocketTimeoutException when nothing comes within {@link #PATIENCE}
         * @throws IOException when the stream ends inside a line, so that a test never
         *     mistakes half a line for a whole one
         */
        public String readLine() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int b; (b = in.read()) != '\n'; ) {
                if (b < 0) {
                    if (line.size() == 0) {
                        return null;
                    }
                    throw new IOException("stream ended inside a line: " + line.toString(UTF_8));
                }
                line.write(b);
            }
            byte[] bytes = line.toByteArray();
            int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
            return new String(bytes, 0, length, UTF_8);
        }

        /** Reads {@code count} lines; fails if the stream ends first. */
        public List<String> readLines(int count) throws IOException {
            List<String> lines = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                String line = readLine();
                if (line == null) {
                    throw new IOException("stream ended after " + i + " of " + count + " lines: " + lines);
                }
                lines.add(line);
            }
            return lines;
        }

        /** Reads every line until the server ends the stream. */
        public List<String> readUntilEnd() throws IOException {
            List<String> lines = new ArrayList<>();
            for (String line; (line = readLine()) != null; ) {
                lines.add(line);
            }
            return lines;
        }

        /**
         * True when the stream ends (or the server resets it) before any byte arrives; false
         * when a byte arrives first.
         *
         * @throws SocketTimeoutException when neither happens within {@link #PATIENCE}
         */
        public boolean atEndOfStream() throws IOException {
            try {
                return in.read() < 0;
            } catch (SocketTimeoutException stillOpen) {
                throw stillOpen; // an IOException too, but the opposite of an end
            } catch (IOException reset) {
                return true;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /**
     * Hands a decoder bytes the way a connection does: what it leaves undecoded stays in one
     * buffer, and the next bytes are appended after it. Each call to {@link #feed} returns
     * every message that is now whole.
     */
    public static final class Feed {
        private final Framing.Decoder decoder;
        private ByteBuffer in = ByteBuffer.allocate(16).flip();

        public Feed(Framing framing) {
            this.decoder = framing.decoder();
        }

        /** Appends {@code bytes} and decodes what is whole. */
        public List<Message> feed(byte[] bytes) throws FramingException {
            in.compact();
            if (in.remaining() < bytes.length) {
                in = ByteBuffer.allocate(Math.max(in.capacity() * 2, in.position() + bytes.length)).put(in.flip());
            }
            in.put(bytes).flip();
            List<Message> messages = new ArrayList<>();
            for (Message m; (m = decoder.decode(in)) != null; ) {
                messages.add(m);
            }
            return messages;
        }

        /** Appends the UTF-8 bytes of {@code text} and decodes what is whole. */
        public List<Message> feed(String text) throws FramingException {
            return feed(utf8(text));
        }

        /** Feeds {@code bytes} one at a time and collects every message decoded on the way. */
        public List<Message> feedByteByByte(byte[] bytes) throws FramingException {
            List<Message> messages = new ArrayList<>();
            for (byte b : bytes) {
                messages.addAll(feed(new byte[] {b}));
            }
            return messages;
        }

        /** Ends the stream: the decoder's last message, or null. */
        public Message finish() throws FramingException {
            return decoder.finish(in);
        }

        /** How many bytes wait undecoded. */
        public int buffered() {
            return in.remaining();
        }
    }

    /** The texts of {@code messages}, for assertions. */
    public static List<String> texts(List<Message> messages) {
        return messages.stream().map(Message::text).toList();
    }
}
