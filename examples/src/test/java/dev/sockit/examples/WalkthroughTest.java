package dev.sockit.examples;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Runs the walk-through's two programs as the reader would: a server process and a client process. */
class WalkthroughTest {

    @Test
    void theClientGetsTheServersReplyToEachLineItTypes() throws Exception {
        Process server = ExampleProgram.start("walkthrough-server", "tcp://127.0.0.1:0");
        try {
            BufferedReader serverOut = new BufferedReader(new InputStreamReader(server.getInputStream(), UTF_8));
            String startLine = serverOut.readLine();
            assertThat(startLine).startsWith("Server start at: 127.0.0.1:");
            assertThat(serverOut.readLine()).isEqualTo("wait for connection...");
            String port = startLine.substring(startLine.lastIndexOf(':') + 1);

            Process client = ExampleProgram.start("walkthrough-client", "tcp://127.0.0.1:" + port);
            client.getOutputStream().write("hello\nworld\n".getBytes(UTF_8));
            client.getOutputStream().close();
            assertThat(client.waitFor(30, TimeUnit.SECONDS)).as("client ends when its input does").isTrue();
            String transcript = new String(client.getInputStream().readAllBytes(), UTF_8);

            assertThat(transcript).isEqualTo("Please input msg: server received your message.\n"
                    + "Please input msg: server received your message.\n"
                    + "Please input msg: ");
            assertThat(client.exitValue()).isZero();
            assertThat(serverOut.readLine()).startsWith("Connected by 127.0.0.1:");
            assertThat(List.of(serverOut.readLine(), serverOut.readLine())).containsExactly("hello", "world");
        } finally {
            server.destroy();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
