package dev.sockit.nativeaccess;

import dev.sockit.Endpoint;
import dev.sockit.Handlers;
import dev.sockit.Ping;
import dev.sockit.Server;
import dev.sockit.framing.Raw;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.UUID;

/**
 * A program that uses the library as an application does, run by {@link NativeAccessTest} in a
 * JVM of its own, with or without {@code --enable-native-access}: it streams into a discard
 * server and says how many bytes the server counted, then asks for two features that need the
 * C library (ICMP ping, a Unix seqpacket socket) and says what each answered.
 */
public final class LibraryProgram {

    /** What the program streams, then the tail it sends after, smaller than the low-water mark. */
    static final int STREAM = 8 * 1024 * 1024;
    static final int TAIL = 100_000;

    private LibraryProgram() {}

    public static void main(String[] args) throws Exception {
        bulk();
        feature("ping", () -> Ping.open(InetAddress.getLoopbackAddress()).close());
        feature("seqpacket", () -> Server.listen(Endpoint.parse("unix+seqpacket:@sockit-" + UUID.randomUUID()))
                .handler(Handlers.discard()).start().close());
    }

    /** Streams into a discard server over raw, then a tail; prints the bytes it counted once they add up, or after 10 s. */
    private static void bulk() throws Exception {
        try (Server server = Server.listen(Endpoint.parse("tcp://127.0.0.1:0")).framing(Raw.bytes())
                .handler(Handlers.discard()).start();
                Socket peer = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            OutputStream out = peer.getOutputStream();
            byte[] chunk = new byte[128 * 1024];
            for (int sent = 0; sent < STREAM; sent += chunk.length) {
                out.write(chunk);
            }
            out.flush();
            Thread.sleep(50); // a pause, so the tail comes after the stream, not with it
            out.write(new byte[TAIL]);
            out.flush();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (server.stats().bytesIn() < STREAM + TAIL && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            System.out.println("counted " + server.stats().bytesIn());
        }
    }

    private interface Feature {
        void run() throws Exception;
    }

    private static void feature(String name, Feature feature) {
        try {
            feature.run();
            System.out.println(name + ": ok");
        } catch (Exception | Error e) {
            System.out.println(name + ": " + e);
        }
    }
}
