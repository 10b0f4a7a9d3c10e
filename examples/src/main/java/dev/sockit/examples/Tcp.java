package dev.sockit.examples;

import dev.sockit.Client;
import dev.sockit.Connection;
import dev.sockit.Endpoint;
import dev.sockit.Handler;
import dev.sockit.Message;
import dev.sockit.Peers;
import dev.sockit.Server;

/**
 * The walk-through's TCP steps on sockit: {@code Server.listen(...).start()} creates, binds and
 * listens; every accepted connection runs the handler; {@code receive()} returns one whole
 * message (a line) however the bytes arrived, and {@code null} when the client has gone;
 * closing the server stops it gracefully. {@code tcp-jdk} shows the same steps on java.net.
 *
 * <pre>bin/example tcp</pre>
 */
public final class Tcp {

    public static void main(String[] args) throws Exception {
        Handler handler = connection -> {                                     // runs once per accepted connection
            System.out.println("server: connected by " + Peers.describe(connection.remote()));
            for (Message message; (message = connection.receive()) != null; ) { // recv(), until the client leaves
                System.out.println("server: received " + message.text());
                connection.send("server received your message.");               // sendall()
            }
            System.out.println("server: the client left; its connection is closed");
        };
        try (Server server = Server.listen(Endpoint.parse("tcp://127.0.0.1:0")).handler(handler).start()) {
            System.out.println("server: listening on " + server.endpoint());   // bind(), listen(): port 0 picks a free one
            try (Connection client = Client.connect(server.endpoint()).open()) { // client: socket(), connect()
                for (String text : new String[] {"hello", "world"}) {
                    client.send(text);
                    System.out.println("client: received " + client.receive().text());
                }
            }                                                                   // client: close()
        }                                                                       // server: close(), after its handlers end
    }
}
