package dev.sockit.metrics;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.testing.RequiredProgram;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code /metrics} the way Prometheus does, with a plain HTTP/1.1 request over a socket,
 * so a test does not trust the code it tests; and checks a text with {@code promtool}.
 */
public final class Scrape {

    private Scrape() {}

    /** The whole response, status line and headers included. */
    public static String get(int port, String path) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(UTF_8));
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), UTF_8);
        }
    }

    /** The body of {@code GET /metrics}, having checked the status. */
    public static String metrics(int port) throws IOException {
        String response = get(port, "/metrics");
        assertThat(response).startsWith("HTTP/1.1 200");
        return response.substring(response.indexOf("\r\n\r\n") + 4);
    }

    /** The value of the series written exactly as {@code series} (name and labels), or fails. */
    public static long value(String exposition, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(exposition);
        assertThat(m.find()).as("%s in%n%s", series, exposition).isTrue();
        return (long) Double.parseDouble(m.group(1));
    }

    /**
     * Runs {@code promtool check metrics} on {@code exposition}; returns what it said (empty when
     * content), having asserted that it found nothing wrong. Skipped where promtool is missing.
     */
    public static String promtoolCheck(String exposition) throws Exception {
        Path promtool = RequiredProgram.find("promtool", "prometheus");
        Process process = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
        try (var stdin = process.getOutputStream()) {
            stdin.write(exposition.getBytes(UTF_8));
        }
        String said = new String(process.getInputStream().readAllBytes(), UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("promtool finished").isTrue();
        assertThat(process.exitValue()).as("promtool check metrics said: %s%non:%n%s", said, exposition).isZero();
        return said;
    }
}
