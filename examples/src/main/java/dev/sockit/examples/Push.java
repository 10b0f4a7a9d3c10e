package dev.sockit.examples;

import dev.sockit.Client;
import dev.sockit.Connection;
import dev.sockit.Endpoint;
import dev.sockit.Message;
import dev.sockit.Server;
import java.util.ArrayList;
import java.util.List;

/**
 * Server push, the walk-through's reason to keep a socket open rather than poll over HTTP:
 * the server sends to every client without being asked. {@code send()} may be called from
 * any thread; {@code broadcast()} reaches every live connection, each through a bounded
 * queue of its own, so one client that stops reading slows no other (it is disconnected
 * once its queue is full). A {@code Group} does the same for a chosen set of connections.
 *
 * <pre>bin/example push</pre>
 */
public final class Push {

    public static void main(String[] args) throws Exception {
        try (Server server = Server.listen(Endpoint.parse("tcp://127.0.0.1:0")).handler(connection -> {
            connection.send("welcome, client " + connection.id());
            while (connection.receive() != null) {
                // nothing to answer: this connection only listens for what the server pushes
            }
        }).start()) {
            List<Connection> clients = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                clients.add(Client.connect(server.endpoint()).open());
                System.out.println(clients.get(i).receive().text());        // welcomed: the server knows it now
            }
            int reached = server.broadcast(Message.of("news from the server, which no client asked for"));
            System.out.println("server: pushed to " + reached + " clients");
            for (Connection client : clients) {
                System.out.println("client " + (clients.indexOf(client) + 1) + " got: " + client.receive().text());
                client.close();
            }
        }
    }
}
