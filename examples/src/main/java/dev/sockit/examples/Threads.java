package dev.sockit.examples;

import dev.sockit.Client;
import dev.sockit.Connection;
import dev.sockit.Endpoint;
import dev.sockit.Handler;
import dev.sockit.Message;
import dev.sockit.Server;
import java.util.ArrayList;
import java.util.List;

/**
 * A thread per connection, the walk-through's "建立一个新的线程": three clients stay connected at
 * once and each is answered while the others wait. The tutorial's own server loops on its
 * first client and never accepts the second. sockit gives each connection a virtual thread
 * of its own, cheap enough for tens of thousands. {@code threads-jdk} builds the same by hand.
 *
 * <pre>bin/example threads</pre>
 */
public final class Threads {

    public static void main(String[] args) throws Exception {
        Handler handler = connection -> {
            for (Message message; (message = connection.receive()) != null; ) {
                Thread thread = Thread.currentThread();
                connection.send(message.text() + " served by " + (thread.isVirtual() ? "virtual" : "platform")
                        + " thread #" + thread.threadId());
            }
        };
        try (Server server = Server.listen(Endpoint.parse("tcp://127.0.0.1:0")).handler(handler).start()) {
            List<Connection> clients = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                clients.add(Client.connect(server.endpoint()).open());
            }
            for (int round = 1; round <= 2; round++) {                 // every client, in turn, twice
                for (int i = 0; i < clients.size(); i++) {
                    clients.get(i).send("client " + (i + 1) + ":");
                    System.out.println(clients.get(i).receive().text());
                }
            }
            System.out.println("server: " + server.connections().size() + " clients connected at once");
            clients.forEach(Connection::close);
        }
    }
}
