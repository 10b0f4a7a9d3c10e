package dev.sockit.examples;

import dev.sockit.Client;
import dev.sockit.Connection;
import dev.sockit.Endpoint;
import dev.sockit.Handler;
import dev.sockit.Message;
import dev.sockit.Peers;
import dev.sockit.Server;
import java.time.Duration;

/**
 * UDP, SOCK_DGRAM: no connection is made and nothing is accepted; each datagram is one
 * message that arrives whole or not at all, and may not arrive. The same handler as for TCP
 * serves it: sockit keeps a session per peer address, ended after a minute of silence. The
 * client waits for a reply with a deadline, because a lost datagram never says so.
 * {@code udp-jdk} shows the bare datagram calls.
 *
 * <pre>bin/example udp</pre>
 */
public final class Udp {

    public static void main(String[] args) throws Exception {
        Handler handler = connection -> {
            for (Message message; (message = connection.receive()) != null; ) {
                System.out.println("server: datagram from " + Peers.describe(connection.remote()) + ": " + message.text());
                connection.send("server received your message.");            // one datagram back
            }
        };
        try (Server server = Server.listen(Endpoint.parse("udp://127.0.0.1:0")).handler(handler).start();
             Connection client = Client.connect(server.endpoint()).receiveTimeout(Duration.ofSeconds(5)).open()) {
            System.out.println("server: bound to " + server.endpoint() + ", no listen, no accept");
            for (String text : new String[] {"hello", "world"}) {
                client.send(text);                                           // sendto(): one datagram
                System.out.println("client: received " + client.receive().text());
            }
        }
    }
}
