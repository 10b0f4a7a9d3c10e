package dev.sockit.examples;

import dev.sockit.Client;
import dev.sockit.Connection;
import dev.sockit.Endpoint;
import dev.sockit.Peers;
import dev.sockit.Server;

/**
 * The five facts that make a socket, in the walk-through's words: the protocol, the local
 * address and port, the remote address and port. Each end sees the same connection from its
 * side: the client's local address is the server's remote one, and the other way round.
 * {@code sockit client --verbose} prints them too. {@code five-facts-jdk} asks java.net.
 *
 * <pre>bin/example five-facts</pre>
 */
public final class FiveFacts {

    public static void main(String[] args) throws Exception {
        try (Server server = Server.listen(Endpoint.parse("tcp://127.0.0.1:0"))
                .handler(connection -> connection.send("server sees " + facts(connection)))
                .start();
             Connection client = Client.connect(server.endpoint()).open()) {
            System.out.println("client sees " + facts(client));
            System.out.println(client.receive().text());
        }
    }

    private static String facts(Connection connection) {
        return "protocol " + connection.protocol() + ", local " + Peers.describe(connection.local())
                + ", remote " + Peers.describe(connection.remote());
    }
}
