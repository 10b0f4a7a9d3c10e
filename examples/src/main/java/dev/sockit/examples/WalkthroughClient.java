package dev.sockit.examples;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.sockit.Client;
import dev.sockit.Connection;
import dev.sockit.Endpoint;
import dev.sockit.Message;
import java.io.BufferedReader;
import java.io.InputStreamReader;

/**
 * The walk-through's client on sockit: read a line, send it, print the reply. Unlike the
 * tutorial's, it stops when the input ends or the server leaves instead of spinning.
 *
 * <pre>java dev.sockit.examples.WalkthroughClient [tcp://127.0.0.1:8001]</pre>
 */
public final class WalkthroughClient {

    public static void main(String[] args) throws Exception {
        Endpoint endpoint = Endpoint.parse(args.length > 0 ? args[0] : Endpoint.DEFAULT);
        try (Connection connection = Client.connect(endpoint).open();
             BufferedReader input = new BufferedReader(new InputStreamReader(System.in, UTF_8))) {
            for (;;) {
                System.out.print("Please input msg: ");
                String line = input.readLine();
                if (line == null) {
                    return;
                }
                connection.send(line);
                Message reply = connection.receive();
                if (reply == null) {
                    System.out.println("server closed the connection");
                    return;
                }
                System.out.println(reply.text());
            }
        }
    }
}
