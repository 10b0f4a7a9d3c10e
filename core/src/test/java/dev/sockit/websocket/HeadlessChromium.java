package dev.sockit.websocket;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.sockit.testing.RequiredProgram;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real browser for tests: headless Chromium (Debian {@code chromium}) with a fresh profile,
 * driven over the DevTools protocol, which is JSON over a WebSocket: the JDK's own
 * {@code java.net.http.WebSocket} talks to it, so no driver and no npm package is needed.
 * Chromium is started on a free port and stopped by its pid; its profile folder is removed.
 */
final class HeadlessChromium implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");
    private static final Pattern PAGE_SOCKET = Pattern.compile(
            "\"type\"\\s*:\\s*\"page\"[^}]*?\"webSocketDebuggerUrl\"\\s*:\\s*\"([^\"]+)\"", Pattern.DOTALL);

    private final Process process;
    private final Path profile;
    private final HttpClient http = HttpClient.newHttpClient();
    private final java.net.http.WebSocket devtools;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<String>> replies = new ConcurrentHashMap<>();

    private HeadlessChromium(Process process, Path profile, java.net.http.WebSocket devtools) {
        this.process = process;
        this.profile = profile;
        this.devtools = devtools;
    }

    /** Starts Chromium on {@code url} (skips the test when Chromium is not installed, fails under CI). */
    static HeadlessChromium open(String url) throws Exception {
        Path chromium = RequiredProgram.find("chromium", "chromium");
        Path profile = Files.createTempDirectory("sockit-chromium");
        Process process = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-extensions", "--user-data-dir=" + profile, "--remote-debugging-port=0",
                "--window-size=800,500", url)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            String browser = devToolsAddress(process);
            URI base = URI.create(browser);
            HttpClient http = HttpClient.newHttpClient();
            String pageSocket = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (pageSocket == null && System.nanoTime() < deadline) {
                String list = http.send(HttpRequest.newBuilder(URI.create("http://" + base.getAuthority() + "/json/list"))
                        .build(), HttpResponse.BodyHandlers.ofString()).body();
                Matcher m = PAGE_SOCKET.matcher(list);
                if (m.find()) {
                    pageSocket = m.group(1);
                } else {
                    Thread.sleep(50); // polling a list that has no event to wait on
                }
            }
            if (pageSocket == null) {
                throw new IOException("Chromium opened no page within 20 s");
            }
            HeadlessChromium[] self = new HeadlessChromium[1];
            java.net.http.WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create(pageSocket),
                    new java.net.http.WebSocket.Listener() {
                        private final StringBuilder text = new StringBuilder();

                        @Override
                        public CompletionStage<?> onText(java.net.http.WebSocket w, CharSequence data, boolean last) {
                            text.append(data);
                            if (last) {
                                self[0].dispatch(text.toString());
                                text.setLength(0);
                            }
                            w.request(1);
                            return null;
                        }
                    }).get(10, TimeUnit.SECONDS);
            self[0] = new HeadlessChromium(process, profile, ws);
            return self[0];
        } catch (Exception e) {
            stop(process, profile);
            throw e;
        }
    }

    private static String devToolsAddress(Process process) throws IOException {
        BufferedReader err = new BufferedReader(new InputStreamReader(process.getErrorStream(), UTF_8));
        StringBuilder seen = new StringBuilder();
        for (String line; (line = err.readLine()) != null; ) {
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                // Keep draining stderr, or Chromium blocks once the pipe is full.
                Thread.ofVirtual().start(() -> {
                    try {
                        err.transferTo(java.io.Writer.nullWriter());
                    } catch (IOException ignored) {
                        // Chromium stopped.
                    }
                });
                return m.group(1);
            }
            seen.append(line).append('\n');
        }
        throw new IOException("Chromium exited without opening DevTools: " + seen);
    }

    private void dispatch(String json) {
        Matcher m = Pattern.compile("^\\{\"id\":(\\d+),").matcher(json);
        if (m.find()) {
            CompletableFuture<String> reply = replies.remove(Integer.parseInt(m.group(1)));
            if (reply != null) {
                reply.complete(json);
            }
        }
    }

    /** Sends a DevTools command and returns its raw JSON reply. */
    String command(String method, String params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<String> reply = new CompletableFuture<>();
        replies.put(id, reply);
        devtools.sendText("{\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + params + "}", true)
                .get(5, TimeUnit.SECONDS);
        return reply.get(10, TimeUnit.SECONDS);
    }

    /** Evaluates JavaScript in the page and returns its string value. */
    String evaluate(String expression) throws Exception {
        String reply = command("Runtime.evaluate", "{\"expression\":" + quote(expression) + ",\"returnByValue\":true}");
        Matcher m = Pattern.compile("\"value\":\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(reply);
        return m.find() ? unquote(m.group(1)) : "";
    }

    /** The text of the page's message log. */
    String log() throws Exception {
        return evaluate("document.getElementById('log').innerText");
    }

    /** Waits until the page's log satisfies {@code condition}; fails after 30 s with what it shows. */
    String awaitLog(String what, Predicate<String> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); // a loaded CI machine is slow
        String log = log();
        while (!condition.test(log)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the page never showed " + what + " within 30 s; it shows:\n" + log);
            }
            Thread.sleep(20); // the page has no event the test can block on
            log = log();
        }
        return log;
    }

    /** Types {@code text} into the page's input and submits it, as a user would with Enter. */
    void type(String text) throws Exception {
        evaluate("(() => { const t = document.getElementById('text'); t.value = " + quote(text)
                + "; document.getElementById('form').requestSubmit(); return 'sent'; })()");
    }

    /** A PNG of the page. */
    byte[] screenshot() throws Exception {
        String reply = command("Page.captureScreenshot", "{\"format\":\"png\"}");
        Matcher m = Pattern.compile("\"data\":\"([^\"]+)\"").matcher(reply);
        if (!m.find()) {
            throw new IOException("no screenshot in " + reply);
        }
        return Base64.getDecoder().decode(m.group(1));
    }

    private static String quote(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                default -> out.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        return out.append('"').toString();
    }

    private static String unquote(String json) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char e = json.charAt(++i);
            switch (e) {
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'r' -> out.append('\r');
                case 'u' -> {
                    out.append((char) Integer.parseInt(json.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                default -> out.append(e);
            }
        }
        return out.toString();
    }

    @Override
    public void close() {
        devtools.abort();
        stop(process, profile);
    }

    private static void stop(Process process, Path profile) {
        // Chromium's renderers and helpers are its children: each is stopped by its pid, then Chromium.
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (var files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // A profile left in the temp folder is harmless.
        }
    }

}
