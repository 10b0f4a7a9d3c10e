package dev.sockit;

import dev.sockit.transport.linux.IcmpSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * ICMP echo, as {@code ping} does it: requests out, replies matched to them, round-trip times.
 * Opens an unprivileged ICMP datagram socket where the kernel allows one, else a raw socket
 * (root); see {@link IcmpSocket} for the kernel's rules. Linux x86_64 only.
 *
 * <pre>{@code
 * try (Ping ping = Ping.open(InetAddress.getByName("127.0.0.1"))) {
 *     ping.send(1, 56);
 *     Ping.Echo echo = ping.receive(System.nanoTime() + Duration.ofSeconds(1).toNanos());
 *     // echo == null: no reply within a second
 * }
 * }</pre>
 *
 * <p>One thread sends and receives; {@link #receive} holds its thread while it waits (a
 * platform thread, not a virtual one).
 */
public final class Ping implements AutoCloseable {

    /** Data bytes after the 8-byte header unless told otherwise: 56, so 64 bytes of ICMP, as ping sends. */
    public static final int DEFAULT_SIZE = 56;

    /** The most data one echo request can carry over IPv4: 65535 − 20 (IP header) − 8 (ICMP header). */
    public static final int MAX_SIZE = 65_507;

    private final IcmpSocket socket;
    private final Map<Integer, Long> outstanding = new HashMap<>();

    /**
     * One reply to a request of ours.
     *
     * @param sequence the request's number, 0 to 65535
     * @param bytes    the reply's ICMP bytes, header included (64 for the default size)
     * @param ttl      the IP time to live it arrived with, or -1 if the kernel did not say
     * @param from     who replied
     * @param time     the round trip, from the send to the reply's arrival
     */
    public record Echo(int sequence, int bytes, int ttl, InetAddress from, Duration time) {}

    private Ping(IcmpSocket socket) {
        this.socket = socket;
    }

    /**
     * Opens an echo socket to {@code target}.
     *
     * @param target the host to ping, IPv4 or IPv6
     * @return the open socket; close it when done
     * @throws IOException saying which sockets the kernel refused and how to allow one
     * @throws UnsupportedOperationException when this is not Linux x86_64
     */
    public static Ping open(InetAddress target) throws IOException {
        return new Ping(IcmpSocket.open(target));
    }

    /** {@return {@code "datagram"} (unprivileged ICMP socket) or {@code "raw"} (root)} */
    public String kind() {
        return socket.kind().name().toLowerCase(Locale.ROOT);
    }

    /**
     * Sends echo request number {@code sequence} (taken modulo 65536) with {@code size} data bytes.
     *
     * @param sequence the request's number; replies carry it back
     * @param size     data bytes after the 8-byte ICMP header, 0 to {@link #MAX_SIZE}; {@link #DEFAULT_SIZE} as ping
     * @throws IllegalArgumentException when size is negative or above {@link #MAX_SIZE}
     * @throws IOException when the kernel refuses to send, e.g. no route to the host
     */
    public void send(int sequence, int size) throws IOException {
        if (size < 0 || size > MAX_SIZE) {
            throw new IllegalArgumentException("ping size " + size + " is out of range; choose 0 to " + MAX_SIZE + " bytes");
        }
        int key = sequence & 0xffff;
        socket.send(key, size, () -> outstanding.put(key, System.nanoTime()));
    }

    /**
     * Waits until {@code deadlineNanos} (on {@link System#nanoTime()}) for the reply to a request
     * sent and not yet answered; a duplicate or a reply to nothing sent is passed over.
     *
     * @param deadlineNanos when to stop waiting, a {@link System#nanoTime()} reading
     * @return the reply, or null when none came by the deadline
     * @throws IOException when the socket fails
     */
    public Echo receive(long deadlineNanos) throws IOException {
        for (IcmpSocket.Reply reply; (reply = socket.receive(deadlineNanos)) != null; ) {
            Long sent = outstanding.remove(reply.sequence());
            if (sent != null) {
                return new Echo(reply.sequence(), reply.bytes(), reply.ttl(), reply.from(),
                        Duration.ofNanos(reply.receivedNanos() - sent));
            }
        }
        return null;
    }

    /** {@return how many requests still wait for their reply} */
    public int outstanding() {
        return outstanding.size();
    }

    @Override
    public void close() {
        socket.close();
    }

    /**
     * An address as ping prints it: {@code 127.0.0.1}, {@code ::1}, {@code fe80::1%eth0}: IPv6 in
     * the short form of RFC 5952 (the longest run of zero groups as {@code ::}), where the JDK
     * writes {@code 0:0:0:0:0:0:0:1}.
     *
     * @param address the address to write
     * @return the address in digits
     */
    public static String text(InetAddress address) {
        return Peers.numeric(address);
    }

    /**
     * What ping prints at the end: requests sent, replies received, loss, and the round-trip
     * minimum, average, maximum and mean deviation ({@code mdev}: the square root of the mean
     * squared time less the squared mean time, as iputils computes it). Not thread-safe.
     */
    public static final class Statistics {

        private long transmitted;
        private long received;
        private long minNanos = Long.MAX_VALUE;
        private long maxNanos;
        private double sum;
        private double sumOfSquares;

        /** Nothing counted yet. */
        public Statistics() {
        }

        /** Counts a request sent. */
        public void sent() {
            transmitted++;
        }

        /**
         * Counts a reply and its round-trip time.
         *
         * @param time the round trip, as {@link Echo#time()} gives it
         */
        public void replied(Duration time) {
            long nanos = time.toNanos();
            received++;
            minNanos = Math.min(minNanos, nanos);
            maxNanos = Math.max(maxNanos, nanos);
            sum += nanos;
            sumOfSquares += (double) nanos * nanos;
        }

        /** {@return how many requests were counted as sent} */
        public long transmitted() {
            return transmitted;
        }

        /** {@return how many replies were counted} */
        public long received() {
            return received;
        }

        /** {@return lost requests in percent of those sent}, rounded down as ping prints it; 0 when none was sent. */
        public long lossPercent() {
            return transmitted == 0 ? 0 : (transmitted - received) * 100 / transmitted;
        }

        /**
         * The closing lines, as ping prints them:
         * <pre>
         * --- 127.0.0.1 ping statistics ---
         * 3 packets transmitted, 3 received, 0% packet loss, time 2003ms
         * rtt min/avg/max/mdev = 0.040/0.045/0.050/0.004 ms
         * </pre>
         * (the last only when a reply came).
         *
         * @param target  the host as the first line names it
         * @param elapsed the time from the first request to now, printed in milliseconds
         * @return the two or three lines, without a final line break
         */
        public String summary(String target, Duration elapsed) {
            StringBuilder s = new StringBuilder();
            s.append("--- ").append(target).append(" ping statistics ---\n");
            s.append(transmitted).append(" packets transmitted, ").append(received).append(" received, ")
                    .append(lossPercent()).append("% packet loss, time ").append(elapsed.toMillis()).append("ms");
            if (received > 0) {
                double mean = sum / received;
                double mdev = Math.sqrt(Math.max(0, sumOfSquares / received - mean * mean));
                s.append(String.format(Locale.ROOT, "\nrtt min/avg/max/mdev = %.3f/%.3f/%.3f/%.3f ms",
                        minNanos / 1e6, mean / 1e6, maxNanos / 1e6, mdev / 1e6));
            }
            return s.toString();
        }
    }
}
