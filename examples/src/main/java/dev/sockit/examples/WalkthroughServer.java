package dev.sockit.examples;

import dev.sockit.Endpoint;
import dev.sockit.Message;
import dev.sockit.Peers;
import dev.sockit.Server;

/**
 * The walk-through's server on sockit: listen, accept every client on a thread of its own,
 * print each message and answer it. Unlike the tutorial's, it serves many clients at once,
 * frames messages as lines, and ends a connection when its client leaves.
 *
 * <pre>java dev.sockit.examples.WalkthroughServer [tcp://127.0.0.1:8001]</pre>
 */
public final class WalkthroughServer {

    public static void main(String[] args) throws Exception {
        Endpoint endpoint = Endpoint.parse(args.length > 0 ? args[0] : Endpoint.DEFAULT);
        try (Server server = Server.listen(endpoint).handler(connection -> {
            System.out.println("Connected by " + Peers.describe(connection.remote()));
            for (Message message; (message = connection.receive()) != null; ) {
                System.out.println(message.text());
                connection.send("server received your message.");
            }
        }).start()) {
            System.out.println("Server start at: " + server.endpoint().authority());
            System.out.println("wait for connection...");
            server.awaitClosed();
        }
    }
}
