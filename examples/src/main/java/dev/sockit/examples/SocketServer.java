package dev.sockit.examples;

import dev.sockit.Client;
import dev.sockit.Connection;
import dev.sockit.Endpoint;
import dev.sockit.Handler;
import dev.sockit.Message;
import dev.sockit.Peers;
import dev.sockit.Server;

/**
 * Python's socketserver on sockit. {@code ThreadingTCPServer((HOST, PORT), MyHandler)} is
 * {@code Server.listen(endpoint).handler(handler)}, {@code serve_forever()} is
 * {@code awaitClosed()}, {@code shutdown()} and {@code server_close()} are {@code close()}.
 * A request handler's {@code setup()}, {@code handle()} and {@code finish()} are the code
 * before the receive loop, the loop, and a {@code finally} after it: finish runs even when
 * handle fails, as in socketserver. What {@code StreamRequestHandler}'s rfile.readline()
 * gives, the lines framing gives: {@code receive()} returns one line.
 *
 * <pre>bin/example socket-server</pre>
 */
public final class SocketServer {

    public static void main(String[] args) throws Exception {
        Handler handler = connection -> {
            System.out.println("setup: " + Peers.describe(connection.remote()));      // setup()
            try {
                for (Message message; (message = connection.receive()) != null; ) {    // handle()
                    connection.send(message.text().toUpperCase());
                }
            } finally {
                System.out.println("finish: " + connection.stats().messagesIn() + " messages handled");  // finish()
            }
        };
        try (Server server = Server.listen(Endpoint.parse("tcp://127.0.0.1:0")).handler(handler).start()) {
            try (Connection client = Client.connect(server.endpoint()).open()) {
                for (String text : new String[] {"hello", "socketserver"}) {
                    client.send(text);
                    System.out.println("client: received " + client.receive().text());
                }
            }
        }                                                                        // shutdown(); server_close()
    }
}
