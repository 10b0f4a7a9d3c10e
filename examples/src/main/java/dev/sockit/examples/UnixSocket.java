package dev.sockit.examples;

import dev.sockit.Client;
import dev.sockit.Connection;
import dev.sockit.Endpoint;
import dev.sockit.Handlers;
import dev.sockit.Peers;
import dev.sockit.Server;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * AF_UNIX: a stream socket between processes on one machine, named by a file instead of an
 * address and port. The same handlers serve it as TCP; only the endpoint changes. sockit
 * makes the socket file readable by its owner alone (mode 600), replaces a stale file left
 * by a server that died, and removes the file on stop. {@code unix-socket-jdk} shows the
 * JDK's own calls.
 *
 * <pre>bin/example unix-socket</pre>
 */
public final class UnixSocket {

    public static void main(String[] args) throws Exception {
        Path folder = Files.createTempDirectory("sockit-example");
        Endpoint endpoint = Endpoint.unix(folder.resolve("walkthrough.sock"));
        try (Server server = Server.listen(endpoint).handler(Handlers.ack("server received your message.")).start();
             Connection client = Client.connect(endpoint).open()) {
            Path file = endpoint.path();
            System.out.println("server: listening on " + endpoint + ", a socket file with mode "
                    + PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            client.send("hello");
            System.out.println("client: received " + client.receive().text());
            System.out.println("client: local " + Peers.describe(client.local()) + ", remote " + Peers.describe(client.remote()));
        } finally {
            System.out.println("server stopped; socket file left behind: " + Files.exists(endpoint.path()));
            Files.deleteIfExists(folder);
        }
    }
}
