import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One soak load process: {@code clients} virtual threads against a sockit chat server on
 * loopback, each in a loop of sessions until the deadline. A session is one of: chatting
 * (lines sent and read back), an over-long line, binary garbage, a reset mid-line, a slow
 * reader that reads a little now and then, a trickler that sends a byte at a time, or a
 * connect and leave. Run by bench/soak.sh; prints one summary line at the end.
 *
 * <pre>java bench/SoakClient.java PORT CLIENTS SECONDS SEED</pre>
 */
public class SoakClient {
    static final AtomicLong sessions = new AtomicLong(), lines = new AtomicLong(), errors = new AtomicLong(); // errors: sessions that ended in an IOException

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int clients = Integer.parseInt(args[1]);
        long deadline = System.nanoTime() + Long.parseLong(args[2]) * 1_000_000_000L;
        long seed = Long.parseLong(args[3]);
        Thread[] threads = new Thread[clients];
        for (int i = 0; i < clients; i++) {
            SplittableRandom random = new SplittableRandom(seed * 1000 + i);
            threads[i] = Thread.ofVirtual().start(() -> {
                while (System.nanoTime() < deadline) {
                    try {
                        session(port, random, deadline);
                    } catch (IOException | InterruptedException e) {
                        errors.incrementAndGet(); // the server cutting off a misbehaving client is expected
                    }
                    sessions.incrementAndGet();
                }
            });
        }
        for (Thread t : threads) {
            t.join();
        }
        System.out.println("sessions=" + sessions + " lines=" + lines + " ended-in-io-error=" + errors);
    }

    static void session(int port, SplittableRandom random, long deadline) throws IOException, InterruptedException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            int kind = random.nextInt(100);
            if (kind < 55) { // chat: a few lines, read what the room says, leave politely
                for (int i = 1 + random.nextInt(50); i > 0 && System.nanoTime() < deadline; i--) {
                    out.write(("hello " + random.nextInt() + "\n").getBytes(StandardCharsets.UTF_8));
                    lines.incrementAndGet();
                    drain(in, s);
                    Thread.sleep(random.nextInt(100));
                }
            } else if (kind < 62) { // over-long line: the server answers "error: ..." and closes
                byte[] big = new byte[70_000 + random.nextInt(100_000)];
                java.util.Arrays.fill(big, (byte) 'x');
                out.write(big);
                while (in.read(new byte[8192]) >= 0) { }
            } else if (kind < 69) { // binary garbage, newlines and all
                byte[] junk = new byte[1 + random.nextInt(4000)];
                random.nextBytes(junk);
                out.write(junk);
                drain(in, s);
            } else if (kind < 78) { // reset in the middle of a line
                out.write("half a li".getBytes(StandardCharsets.UTF_8));
                s.setSoLinger(true, 0);
            } else if (kind < 85) { // slow reader: joins the room, reads a few bytes now and then
                s.setReceiveBufferSize(4096);
                for (int i = 0; i < 20 && System.nanoTime() < deadline; i++) {
                    Thread.sleep(200);
                    s.setSoTimeout(50);
                    try {
                        in.read(new byte[16]);
                    } catch (java.net.SocketTimeoutException nothingYet) {
                        // fine
                    }
                }
            } else if (kind < 92) { // trickler: a byte at a time, then the newline
                for (int i = 0; i < 30 && System.nanoTime() < deadline; i++) {
                    out.write('z');
                    Thread.sleep(50);
                }
                out.write('\n');
            } // else: connect and leave at once
        }
    }

    /** Reads whatever the server has sent by now, without waiting for more. */
    static void drain(InputStream in, Socket s) throws IOException {
        while (in.available() > 0) {
            in.read(new byte[Math.min(in.available(), 65536)]);
        }
    }
}
