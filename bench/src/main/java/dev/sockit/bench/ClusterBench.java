package dev.sockit.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.sockit.Endpoint;
import dev.sockit.Group;
import dev.sockit.Handlers;
import dev.sockit.Message;
import dev.sockit.Server;
import dev.sockit.cluster.Broker;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The cluster's cost, one node against two joined through Redis, in one run (bench/cluster.sh):
 *
 * <ul>
 *   <li><b>broadcast</b>: CLIENTS clients in one group, on one node or split over two; node
 *       one broadcasts a line, and the time from just before the call until the median and
 *       the last client read it is taken per push;</li>
 *   <li><b>relay</b>: a chat sender writes lines as fast as the server takes them for
 *       SECONDS; a reader on the same node (one node) or on the other (two nodes) counts what
 *       arrives: msgs/s delivered, what was lost (at most once across nodes), and the CPU time
 *       of this process and of redis-server per message delivered.</li>
 * </ul>
 *
 * <pre>java -cp ... dev.sockit.bench.ClusterBench REDIS_URI REDIS_PID [--clients 4000] [--pushes 50] [--relay-seconds 5]</pre>
 *
 * Servers, clients and the pushing loop share this JVM (loopback only); Markdown on stdout.
 */
public final class ClusterBench {

    private ClusterBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: ClusterBench REDIS_URI REDIS_PID [--clients N] [--pushes N] [--relay-seconds S]");
            System.exit(2);
        }
        URI redis = URI.create(args[0]);
        long redisPid = Long.parseLong(args[1]);
        int clients = 4000, pushes = 50, relaySeconds = 5;
        for (int i = 2; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--clients" -> clients = Integer.parseInt(args[i + 1]);
                case "--pushes" -> pushes = Integer.parseInt(args[i + 1]);
                case "--relay-seconds" -> relaySeconds = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        System.out.printf(Locale.ROOT, "| case | nodes | clients | pushes | median client (ms, p50 / p99 over pushes) | last client (ms, p50 / p99) |%n");
        System.out.printf("|---|---|---|---|---|---|%n");
        for (int nodes : new int[] {1, 2}) {
            broadcast(redis, nodes, clients, pushes);
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "| case | nodes | delivered msgs/s | sent | delivered | lost | JVM CPU µs/msg | redis-server CPU µs/msg |%n");
        System.out.printf("|---|---|---|---|---|---|---|---|%n");
        for (int nodes : new int[] {1, 2}) {
            relay(redis, redisPid, nodes, relaySeconds);
        }
    }

    // Broadcast -------------------------------------------------------------------------------

    private static void broadcast(URI redis, int nodes, int clients, int pushes) throws Exception {
        int warmup = 10;
        int total = warmup + pushes;
        List<Broker> brokers = new ArrayList<>();
        List<Server> servers = new ArrayList<>();
        long[][] arrivals = new long[total][clients];
        CountDownLatch[] done = new CountDownLatch[total];
        for (int p = 0; p < total; p++) {
            done[p] = new CountDownLatch(clients);
        }
        List<Socket> sockets = new ArrayList<>();
        List<Group> groups = new ArrayList<>();
        try {
            CountDownLatch joined = new CountDownLatch(clients);
            for (int n = 0; n < nodes; n++) {
                Broker broker = nodes == 1 ? Broker.standalone() : Broker.open(redis, "bench-" + n);
                brokers.add(broker);
                Group audience = new Group("audience", broker);
                groups.add(audience);
                servers.add(Server.listen(Endpoint.parse("tcp://127.0.0.1:0")).broker(broker).maxConnections(20_000)
                        .maxPerSource(20_000).handler(connection -> {
                            audience.join(connection);
                            joined.countDown();
                            while (connection.receive() != null) {
                                // listening only
                            }
                        }).start());
            }
            for (int c = 0; c < clients; c++) {
                Socket socket = new Socket();
                socket.connect(new InetSocketAddress("127.0.0.1", servers.get(c % nodes).port()), 10_000);
                sockets.add(socket);
                int client = c;
                Thread.ofVirtual().start(() -> listen(socket, client, arrivals, done));
            }
            if (!joined.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("clients did not all join within 60 s");
            }
            // Node one's own group: its members here, and through the broker every other node's.
            Group pusher = groups.getFirst();
            double[] median = new double[pushes], last = new double[pushes];
            for (int p = 0; p < total; p++) {
                long start = System.nanoTime();
                pusher.broadcast(Message.of(Integer.toString(p)));
                if (!done[p].await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("push " + p + " did not reach every client within 30 s (lost across"
                            + " nodes: at most once)");
                }
                if (p >= warmup) {
                    long[] times = arrivals[p].clone();
                    Arrays.sort(times);
                    median[p - warmup] = (times[clients / 2] - start) / 1e6;
                    last[p - warmup] = (times[clients - 1] - start) / 1e6;
                }
                Thread.sleep(100);
            }
            System.out.printf(Locale.ROOT, "| broadcast | %d | %d | %d | %.2f / %.2f | %.2f / %.2f |%n", nodes, clients, pushes,
                    percentile(median, 50), percentile(median, 99), percentile(last, 50), percentile(last, 99));
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
            servers.forEach(Server::close);
            groups.forEach(Group::close);
            brokers.forEach(Broker::close);
        }
    }

    private static void listen(Socket socket, int client, long[][] arrivals, CountDownLatch[] done) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                int push = Integer.parseInt(line);
                arrivals[push][client] = System.nanoTime();
                done[push].countDown();
            }
        } catch (IOException | RuntimeException closed) {
            // the run is over
        }
    }

    private static double percentile(double[] values, int p) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    // Relay -----------------------------------------------------------------------------------

    private static void relay(URI redis, long redisPid, int nodes, int seconds) throws Exception {
        List<Broker> brokers = new ArrayList<>();
        List<Server> servers = new ArrayList<>();
        try {
            for (int n = 0; n < nodes; n++) {
                Broker broker = nodes == 1 ? Broker.standalone() : Broker.open(redis, "relay-" + n);
                brokers.add(broker);
                servers.add(Server.listen(Endpoint.parse("tcp://127.0.0.1:0")).broker(broker).handler(Handlers.chat(broker))
                        .start());
            }
            Server senderNode = servers.getFirst(), readerNode = servers.getLast();
            try (Socket reader = new Socket("127.0.0.1", readerNode.port());
                 Socket sender = new Socket("127.0.0.1", senderNode.port())) {
                BufferedReader in = new BufferedReader(new InputStreamReader(reader.getInputStream(), UTF_8));
                // The reader hears the sender join: both are in the room.
                String joined = in.readLine();
                if (joined == null || !joined.contains("joined")) {
                    throw new IllegalStateException("reader heard " + joined + " instead of the sender joining");
                }
                AtomicLong delivered = new AtomicLong();
                Thread counting = Thread.ofVirtual().start(() -> {
                    try {
                        while (in.readLine() != null) {
                            delivered.incrementAndGet();
                        }
                    } catch (IOException closed) {
                        // the run is over
                    }
                });
                long cpuBefore = processCpuNanos(), redisBefore = redisCpuTicks(redisPid);
                long start = System.nanoTime(), end = start + TimeUnit.SECONDS.toNanos(seconds);
                long sent = 0;
                OutputStream out = new BufferedOutputStream(sender.getOutputStream(), 64 * 1024);
                byte[] line = "a chat line of about sixty-four bytes, as people type them....\n".getBytes(UTF_8);
                while (System.nanoTime() < end) {
                    for (int i = 0; i < 1000; i++) {
                        out.write(line);
                    }
                    sent += 1000;
                }
                out.flush();
                // Let what is on its way arrive: until nothing more comes for half a second.
                long seen = -1;
                while (seen != delivered.get()) {
                    seen = delivered.get();
                    Thread.sleep(500);
                }
                double elapsed = (System.nanoTime() - start - 500_000_000L) / 1e9;
                long cpu = processCpuNanos() - cpuBefore;
                long redisTicks = redisCpuTicks(redisPid) - redisBefore;
                long got = delivered.get();
                System.out.printf(Locale.ROOT, "| chat relay | %d | %.0f | %d | %d | %d | %.2f | %s |%n", nodes, got / elapsed,
                        sent, got, sent - got, cpu / 1e3 / Math.max(1, got),
                        nodes == 1 ? "-" : String.format(Locale.ROOT, "%.2f", redisTicks * 1e4 / Math.max(1, got)));
                sender.close();
                reader.close();
                counting.join(5000);
            }
        } finally {
            servers.forEach(Server::close);
            brokers.forEach(Broker::close);
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** redis-server's user and system time, in clock ticks (1/100 s on Linux). */
    private static long redisCpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }
}
