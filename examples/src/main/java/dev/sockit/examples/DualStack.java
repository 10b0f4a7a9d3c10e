package dev.sockit.examples;

import dev.sockit.Client;
import dev.sockit.Connection;
import dev.sockit.Endpoint;
import dev.sockit.Peers;
import dev.sockit.Server;

/**
 * AF_INET6 and dual stack: one IPv6 socket bound to {@code [::]} accepts IPv6 clients and,
 * where the system allows it (Linux does unless net.ipv6.bindv6only is set), IPv4 clients
 * too, which it sees at IPv4 addresses. The server lets in loopback peers alone, so the
 * wildcard bind opens nothing to the network. Each client is told how the server saw it.
 *
 * <pre>bin/example dual-stack</pre>
 */
public final class DualStack {

    public static void main(String[] args) throws Exception {
        try (Server server = Server.listen(Endpoint.parse("tcp://[::]:0"))
                .allow("::1", "127.0.0.1")
                .handler(connection -> connection.send("you are " + Peers.describe(connection.remote())
                        + ", I am " + Peers.describe(connection.local())))
                .start()) {
            System.out.println("server: listening on " + server.endpoint());
            for (String host : new String[] {"[::1]", "127.0.0.1"}) {           // an IPv6 client, then an IPv4 one
                Endpoint endpoint = Endpoint.parse("tcp://" + host + ":" + server.port());
                try (Connection client = Client.connect(endpoint).open()) {
                    System.out.println("client to " + endpoint + ": " + client.receive().text());
                }
            }
        }
    }
}
