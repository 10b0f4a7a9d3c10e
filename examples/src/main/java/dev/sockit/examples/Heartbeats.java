package dev.sockit.examples;

import dev.sockit.Client;
import dev.sockit.CloseReason;
import dev.sockit.Connection;
import dev.sockit.Endpoint;
import dev.sockit.Handlers;
import dev.sockit.Heartbeat;
import dev.sockit.Observer;
import dev.sockit.Server;
import dev.sockit.framing.Frames;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Heartbeats: a firewall forgets a connection that stays quiet, and a peer can vanish without
 * a word (its host lost power, its cable cut): TCP alone notices neither soon. With the frames
 * framing the server pings a peer that has been silent for the interval and closes it after
 * two pings go unanswered. A client answers pings while it reads; the hung client here never
 * reads, like a process stuck or a host gone, and is found dead while the other stays.
 *
 * <pre>bin/example heartbeats</pre>
 */
public final class Heartbeats {

    public static void main(String[] args) throws Exception {
        CompletableFuture<String> dead = new CompletableFuture<>();
        Observer observer = new Observer() {
            @Override
            public void closed(Connection connection, CloseReason reason) {
                dead.complete("server: closed client " + connection.id() + ": " + reason);
            }
        };
        Heartbeat heartbeat = Heartbeat.every(Duration.ofMillis(500)).misses(2);
        try (Server server = Server.listen(Endpoint.parse("tcp://127.0.0.1:0")).framing(Frames.defaults())
                     .heartbeat(heartbeat).observer(observer).handler(Handlers.echo()).start();
             Connection alive = Client.connect(server.endpoint()).framing(Frames.defaults()).open();
             Connection hung = Client.connect(server.endpoint()).framing(Frames.defaults()).open()) {
            System.out.println("server: pings after " + heartbeat.interval().toMillis() + " ms of silence, a dead peer goes within "
                    + heartbeat.deadAfter().toMillis() + " ms");
            Thread.ofVirtual().start(() -> {
                try {
                    while (alive.receive() != null) {
                        // reading is what answers the pings
                    }
                } catch (IOException e) {
                    System.out.println("the live client failed: " + e);
                }
            });
            System.out.println(dead.get(30, TimeUnit.SECONDS));              // the hung one: it never reads
            System.out.println("server: " + server.connections().size() + " client still connected, the one that answers");
        }
    }
}
