/**
 * sockit core: endpoints, framings, connections, servers and clients, with no dependency
 * beyond the JDK. See {@link dev.sockit} for the picture.
 */
module dev.sockit {
    requires jdk.net; // TCP keepalive idle, interval and count
    requires jdk.httpserver; // metrics.PrometheusEndpoint: GET /metrics
    requires jdk.jfr; // jfr: Flight Recorder events
    exports dev.sockit;
    exports dev.sockit.framing;
    exports dev.sockit.metrics;
    exports dev.sockit.websocket;
    exports dev.sockit.proxy;
    exports dev.sockit.cluster;
    uses dev.sockit.cluster.BrokerFactory; // engines such as cluster-redis, found by Broker.open
}
