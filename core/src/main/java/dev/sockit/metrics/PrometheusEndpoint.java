package dev.sockit.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sockit.Endpoint;
import dev.sockit.transport.Errors;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Serves a {@link Metrics} registry over HTTP for Prometheus to scrape: {@code GET /metrics}
 * answers with {@link PrometheusText}; any other path is 404, any other method 405. Runs on
 * the JDK's own HTTP server, each request on a virtual thread.
 *
 * <pre>{@code
 * try (PrometheusEndpoint http = PrometheusEndpoint.start(metrics, Endpoint.parse("tcp://127.0.0.1:9464"))) {
 *     System.out.println("scrape " + http.url());
 *     server.awaitClosed();
 * }
 * }</pre>
 */
public final class PrometheusEndpoint implements AutoCloseable {

    private final HttpServer http;
    private final ExecutorService executor;
    private final Endpoint endpoint;

    private PrometheusEndpoint(HttpServer http, ExecutorService executor, Endpoint endpoint) {
        this.http = http;
        this.executor = executor;
        this.endpoint = endpoint;
    }

    /**
     * Starts serving {@code metrics} on {@code endpoint}, a {@code tcp://HOST:PORT} (port 0
     * picks a free one; see {@link #endpoint()}).
     *
     * @param metrics  the registry to serve, read afresh at each scrape
     * @param endpoint where to listen, {@code tcp://HOST:PORT}
     * @return the running endpoint; close it to stop serving
     * @throws IllegalArgumentException for an endpoint other than {@code tcp://}
     * @throws IOException saying why the endpoint cannot be bound, e.g. address in use
     */
    public static PrometheusEndpoint start(Metrics metrics, Endpoint endpoint) throws IOException {
        Objects.requireNonNull(metrics, "metrics");
        if (endpoint.kind() != Endpoint.Kind.TCP) {
            throw new IllegalArgumentException("metrics are served over HTTP on a tcp:// endpoint, and " + endpoint
                    + " is not one; e.g. tcp://127.0.0.1:9464");
        }
        HttpServer http;
        try {
            http = HttpServer.create(new InetSocketAddress(endpoint.host(), endpoint.port()), 0);
        } catch (IOException e) {
            throw Errors.listenFailed(endpoint, e);
        }
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        http.setExecutor(executor);
        http.createContext("/", exchange -> answer(exchange, metrics));
        http.start();
        return new PrometheusEndpoint(http, executor, endpoint.withPort(http.getAddress().getPort()));
    }

    private static void answer(HttpExchange exchange, Metrics metrics) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            if (!exchange.getRequestURI().getPath().equals("/metrics")) {
                reply(exchange, 404, "text/plain; charset=utf-8", "not found: metrics are at /metrics\n", method);
            } else if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                reply(exchange, 405, "text/plain; charset=utf-8", "method " + method + " not allowed: use GET\n", method);
            } else {
                reply(exchange, 200, PrometheusText.CONTENT_TYPE, PrometheusText.of(metrics), method);
            }
        }
    }

    private static void reply(HttpExchange exchange, int status, String type, String body, String method)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        boolean head = method.equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** {@return the endpoint as bound}: with port 0, the port the system chose. */
    public Endpoint endpoint() {
        return endpoint;
    }

    /** {@return where to scrape: {@code http://HOST:PORT/metrics}} */
    public String url() {
        return "http://" + endpoint.authority() + "/metrics";
    }

    /** Stops serving at once; a scrape under way may be cut off. */
    @Override
    public void close() {
        http.stop(0);
        executor.close();
    }
}
