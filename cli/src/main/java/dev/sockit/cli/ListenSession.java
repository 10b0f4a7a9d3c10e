package dev.sockit.cli;

import dev.sockit.Connection;
import dev.sockit.Endpoint;
import dev.sockit.Server;
import dev.sockit.Tls;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.SynchronousQueue;

/**
 * {@code sockit client -l}: ncat's listen mode. Listens, takes one peer, then talks to it
 * exactly as the client talks to a server it connected to (terminal or pipe); a second peer
 * meanwhile is refused. The listener closes when the conversation ends.
 */
final class ListenSession {

    private final ClientCommand command;
    private final Endpoint endpoint;

    ListenSession(ClientCommand command, Endpoint endpoint) throws java.net.UnknownHostException {
        this.command = command;
        this.endpoint = command.ipFamily.listening(ServerCommand.withPort(endpoint, command.port));
    }

    int run() throws Exception {
        if (endpoint.kind() == Endpoint.Kind.UDP) {
            throw new IllegalArgumentException("-l listens on streams (tcp, tls, unix); for UDP run sockit server "
                    + endpoint + " --mode echo, or talk to one with sockit client " + endpoint);
        }
        if (command.bind != null || command.zero || command.reconnect) {
            throw new IllegalArgumentException("--bind, -z and --reconnect are for connecting; with -l give the"
                    + " endpoint to listen on (or -p PORT)");
        }
        SynchronousQueue<Connection> handed = new SynchronousQueue<>();
        CountDownLatch over = new CountDownLatch(1);
        Server.Builder builder = Server.listen(endpoint).maxConnections(1).heartbeat(command.liveness.heartbeat())
                .access(command.ipFamily.restrict(dev.sockit.AccessPolicy.OPEN, endpoint))
                .handler(peer -> {
                    handed.put(peer);
                    over.await(); // the conversation runs on the main thread; the connection closes after it
                });
        if (command.framing.appliesTo(endpoint)) {
            builder.framing(command.framing.framing());
        }
        if (endpoint.kind() == Endpoint.Kind.TLS) {
            if (command.tlsOptions.cert == null || command.tlsOptions.key == null) {
                throw new IllegalArgumentException("-l on " + endpoint + " needs the server's certificate: --cert FILE"
                        + " --key FILE ('sockit cert' makes a development pair)");
            }
            builder.tls(Tls.server(command.tlsOptions.cert, command.tlsOptions.key));
        }
        try (Server server = builder.start()) {
            // stderr: stdout carries only what the peer sends.
            System.err.println("sockit: listening on " + server.endpoint() + " for one peer");
            Connection peer = handed.take();
            try (HexDump dump = command.hexdump == null ? null : HexDump.open(command.hexdump)) {
                if (command.verbose) {
                    System.err.println("sockit: connected by " + ServerLog.facts(peer));
                }
                Connection talked = dump == null ? peer : new DumpedConnection(peer, command.framing.framing(),
                        dump.stream(null));
                return command.talk(talked, endpoint, null, command.datagrams.retry());
            } finally {
                over.countDown();
            }
        }
    }
}
