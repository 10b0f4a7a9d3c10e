package dev.sockit.bench;

import dev.sockit.Endpoint;
import dev.sockit.Handlers;
import dev.sockit.Heartbeat;
import java.io.IOException;
import java.util.Arrays;

/**
 * Starts one of the raced line servers, for bench/run.sh:
 *
 * <pre>
 * java -cp ... dev.sockit.bench.ServerMain [--no-heartbeat] sockit|netty|jdk ENDPOINT echo|ack|discard [REPLY]
 * </pre>
 *
 * A {@code ws://HOST:PORT/PATH} endpoint starts the WebSocket servers instead (sockit's
 * {@code Server} on it, {@link NettyWebSocketServer}), for bench/websocket.sh.
 *
 * {@code --no-heartbeat} gives sockit {@link Heartbeat#OFF} (no TCP keepalive), for the idle
 * benchmark, where Netty and the JDK server have none either; it changes nothing for them.
 *
 * Prints one line when it listens, then serves until killed. Kept apart from the CLI's
 * {@code sockit server} so the race measures core's {@code Server} alone.
 */
public final class ServerMain {

    private static final String USAGE =
            "usage: ServerMain [--no-heartbeat] sockit|netty|jdk ENDPOINT echo|ack|discard [REPLY]   e.g. ServerMain netty tcp://127.0.0.1:9002 echo";

    private ServerMain() {}

    /** Starts the server named by {@code args[0]}; exits 2 on bad arguments, 1 if it cannot listen. */
    public static void main(String[] args) throws InterruptedException {
        boolean noHeartbeat = args.length > 0 && args[0].equals("--no-heartbeat");
        if (noHeartbeat) {
            args = Arrays.copyOfRange(args, 1, args.length);
        }
        if (args.length < 3 || args.length > 4) {
            System.err.println(USAGE);
            System.exit(2);
        }
        LineServer server;
        try {
            Endpoint endpoint = Endpoint.parse(args[1]);
            LineServer.Mode mode = LineServer.Mode.parse(args[2]);
            String reply = args.length == 4 ? args[3] : Handlers.ACK_REPLY;
            server = start(args[0], endpoint, mode, reply, noHeartbeat ? Heartbeat.OFF : Heartbeat.DEFAULT);
            System.out.println(args[0] + " " + args[2] + " server listening on " + endpoint.withPort(server.port())
                    + " (pid " + ProcessHandle.current().pid() + ")");
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage() + "\n" + USAGE);
            System.exit(2);
            return;
        } catch (IOException e) {
            System.err.println(e.getMessage());
            System.exit(1);
            return;
        }
        server.awaitClosed();
    }

    /**
     * Starts the server of this kind.
     *
     * @throws IllegalArgumentException for an unknown kind
     * @throws IOException              saying why it cannot listen
     */
    public static LineServer start(String kind, Endpoint endpoint, LineServer.Mode mode, String reply) throws IOException {
        return start(kind, endpoint, mode, reply, Heartbeat.DEFAULT);
    }

    /**
     * Starts the server of this kind; {@code heartbeat} applies to sockit alone (the others have none).
     *
     * @throws IllegalArgumentException for an unknown kind
     * @throws IOException              saying why it cannot listen
     */
    public static LineServer start(String kind, Endpoint endpoint, LineServer.Mode mode, String reply, Heartbeat heartbeat)
            throws IOException {
        return switch (kind) {
            case "sockit" -> SockitLineServer.start(endpoint, mode, reply, heartbeat);
            case "netty" -> endpoint.kind() == Endpoint.Kind.WS ? NettyWebSocketServer.start(endpoint, mode, reply)
                    : NettyLineServer.start(endpoint, mode, reply);
            case "jdk" -> {
                if (endpoint.kind() == Endpoint.Kind.WS) {
                    throw new IllegalArgumentException("the plain JDK server speaks lines, not WebSocket; race sockit and netty");
                }
                yield JdkLineServer.start(endpoint, mode, reply);
            }
            default -> throw new IllegalArgumentException("unknown server \"" + kind + "\"; choose sockit, netty or jdk");
        };
    }
}
