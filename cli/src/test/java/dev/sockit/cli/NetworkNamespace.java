package dev.sockit.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sockit.testing.RequiredProgram;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace of its own joined to this one by a veth pair, where a test makes real
 * faults: the kernel drops packets (nftables), throttles a link (a token bucket), resets a
 * connection. The far end, {@link #inside()}, lives in the namespace; {@link #outside()} is
 * this namespace's end, so the test's own sockets reach it. Needs root, {@code ip} (iproute2),
 * {@code nft} (nftables) and {@code tc}; without root the test is skipped, saying so.
 *
 * <p>{@link #close()} deletes the namespace, which takes the veth pair, the rules and the
 * queueing discipline with it; call it in a try-with-resources, so a failed test leaves
 * nothing behind.
 */
final class NetworkNamespace implements AutoCloseable {

    private final String name;
    private final String inside;
    private final String outside;
    private final String insideDevice;
    private final String outsideDevice;

    private NetworkNamespace(String id) {
        int subnet = 1 + ThreadLocalRandom.current().nextInt(250);
        this.name = "sockit-" + id;
        this.insideDevice = "skin" + id;
        this.outsideDevice = "skout" + id;
        this.inside = "10.213." + subnet + ".1";
        this.outside = "10.213." + subnet + ".2";
    }

    /** Makes the namespace and its link, or skips the calling test when that cannot be done here. */
    static NetworkNamespace create() throws IOException, InterruptedException {
        RequiredProgram.find("ip", "iproute2");
        RequiredProgram.find("nft", "nftables");
        RequiredProgram.find("tc", "iproute2");
        assumeTrue(isRoot(), "network namespaces need root (run the tests as root, as CI does)");
        NetworkNamespace ns = new NetworkNamespace(Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff)));
        try {
            ns.run("ip", "netns", "add", ns.name);
            ns.run("ip", "link", "add", ns.outsideDevice, "type", "veth", "peer", "name", ns.insideDevice);
            ns.run("ip", "link", "set", ns.insideDevice, "netns", ns.name);
            ns.run("ip", "addr", "add", ns.outside + "/24", "dev", ns.outsideDevice);
            ns.run("ip", "link", "set", ns.outsideDevice, "up");
            ns.run("ip", "-n", ns.name, "addr", "add", ns.inside + "/24", "dev", ns.insideDevice);
            ns.run("ip", "-n", ns.name, "link", "set", ns.insideDevice, "up");
            ns.run("ip", "-n", ns.name, "link", "set", "lo", "up");
        } catch (IOException | RuntimeException | Error e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    private static boolean isRoot() throws IOException, InterruptedException {
        Process id = new ProcessBuilder("id", "-u").start();
        String uid = new String(id.getInputStream().readAllBytes(), UTF_8).strip();
        return id.waitFor() == 0 && uid.equals("0");
    }

    /** The address of the namespace's end of the link. */
    String inside() {
        return inside;
    }

    /** The address of this namespace's end of the link. */
    String outside() {
        return outside;
    }

    /** How to run a command inside the namespace: put this before it. */
    List<String> launcher() {
        return List.of("ip", "netns", "exec", name);
    }

    /** Drops every packet on the link, both ways, as a cable cut or a dead NAT would. */
    void partition() throws IOException, InterruptedException {
        nft("add table inet sockit_fault",
                "add chain inet sockit_fault in { type filter hook input priority 0; policy accept; }",
                "add chain inet sockit_fault out { type filter hook output priority 0; policy accept; }",
                "add rule inet sockit_fault in iifname " + insideDevice + " drop",
                "add rule inet sockit_fault out oifname " + insideDevice + " drop");
    }

    /** Ends the partition: the rules go, packets flow again. */
    void heal() throws IOException, InterruptedException {
        nft("delete table inet sockit_fault");
    }

    /**
     * Limits what the namespace sends on the link to {@code rate} (tc's units: 8mbit), with a
     * token bucket that lets {@code burst} (4kb: kilobytes) through at once.
     */
    void throttleInside(String rate, String burst) throws IOException, InterruptedException {
        run("tc", "-n", name, "qdisc", "add", "dev", insideDevice, "root", "tbf", "rate", rate, "burst", burst,
                "latency", "2s");
    }

    private void nft(String... commands) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", name, "nft", "-f", "-"));
        Process nft = new ProcessBuilder(command).redirectErrorStream(true).start();
        nft.getOutputStream().write((String.join("\n", commands) + "\n").getBytes(UTF_8));
        nft.getOutputStream().close();
        String output = new String(nft.getInputStream().readAllBytes(), UTF_8);
        if (!nft.waitFor(10, TimeUnit.SECONDS) || nft.exitValue() != 0) {
            throw new IOException("nft failed: " + output.strip() + " (rules: " + String.join("; ", commands) + ")");
        }
    }

    private void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), UTF_8);
        if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output.strip());
        }
    }

    /** Deletes the namespace: its end of the link, and so the pair, its rules and its queue go with it. */
    @Override
    public void close() throws IOException, InterruptedException {
        Process del = new ProcessBuilder("ip", "netns", "del", name).redirectErrorStream(true).start();
        del.getInputStream().readAllBytes();
        del.waitFor(10, TimeUnit.SECONDS);
        // A pair whose namespace could not be made is still here: delete this end too.
        Process link = new ProcessBuilder("ip", "link", "del", outsideDevice).redirectErrorStream(true).start();
        link.getInputStream().readAllBytes();
        link.waitFor(10, TimeUnit.SECONDS);
    }
}
