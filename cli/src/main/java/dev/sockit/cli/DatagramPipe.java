package dev.sockit.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.sockit.Connection;
import dev.sockit.Endpoint;
import dev.sockit.Message;
import dev.sockit.NoReplyException;
import dev.sockit.Retry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;

/**
 * The UDP client for scripts: each input line is one datagram, asked as a request; its reply
 * goes to stdout. UDP loses datagrams, so a line without a reply is sent again (--retries),
 * and when none comes the client says so on stderr, goes on, and exits 1 at the end.
 */
final class DatagramPipe {

    private final Connection connection;
    private final Endpoint endpoint;
    private final Retry retry;
    private final PrintStream err;

    DatagramPipe(Connection connection, Endpoint endpoint, Retry retry, PrintStream err) {
        this.connection = connection;
        this.endpoint = endpoint;
        this.retry = retry;
        this.err = err;
    }

    int run(InputStream stdin, PrintStream out) throws IOException {
        BufferedReader lines = new BufferedReader(new InputStreamReader(stdin, UTF_8));
        int sent = 0;
        int unanswered = 0;
        boolean saidEmpty = false;
        for (String line; (line = lines.readLine()) != null; ) {
            if (line.isEmpty()) {
                if (!saidEmpty) {
                    err.println("sockit: empty lines are skipped: a connected UDP socket cannot send an empty datagram");
                    saidEmpty = true;
                }
                continue;
            }
            sent++;
            try {
                out.println(retry.request(connection, Message.of(line)).text());
                out.flush();
            } catch (NoReplyException e) {
                unanswered++;
                err.println("sockit: line " + sent + ": " + e.getMessage());
            }
        }
        if (unanswered > 0) {
            err.println("sockit: " + unanswered + " of " + sent + " lines got no reply from " + endpoint);
            return Sockit.FAILED;
        }
        return 0;
    }
}
