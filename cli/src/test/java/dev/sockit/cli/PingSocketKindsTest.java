package dev.sockit.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sockit.testing.RequiredProgram;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both ways {@code sockit ping} opens its socket, and the refusal of both, whatever this
 * machine's own {@code net.ipv4.ping_group_range}: each run in a network namespace of its own
 * ({@code unshare -n}), whose range the test sets without touching the machine's. Needs root
 * (to make the namespace); skipped otherwise, saying so.
 */
class PingSocketKindsTest {

    @TempDir
    Path dir;

    @Test
    void whereTheRangeAllowsItPingUsesTheUnprivilegedDatagramSocket() throws Exception {
        Result ping = inNamespace("echo '0 2147483647' > /proc/sys/net/ipv4/ping_group_range && exec " + sockit(false)
                + " ping 127.0.0.1 -c 1 -v");
        assertThat(ping.status).as(ping.output).isZero();
        assertThat(ping.output).contains("sockit: pinging over an ICMP datagram socket")
                .contains("1 packets transmitted, 1 received, 0% packet loss");
    }

    @Test
    void whereTheRangeForbidsItRootFallsBackToARawSocket() throws Exception {
        Result ping = inNamespace("echo '1 0' > /proc/sys/net/ipv4/ping_group_range && exec " + sockit(false)
                + " ping 127.0.0.1 -c 1 -v");
        assertThat(ping.status).as(ping.output).isZero();
        assertThat(ping.output).contains("sockit: pinging over an ICMP raw socket");
    }

    @Test
    void whenNoReplyComesPingSaysAllWasLostAndExitsOne() throws Exception {
        // The namespace's own loopback is told to ignore echo requests: a host that stays silent.
        Result ping = inNamespace("echo 1 > /proc/sys/net/ipv4/icmp_echo_ignore_all && exec " + sockit(false)
                + " ping 127.0.0.1 -c 2 -i 0.1 -W 300ms");
        assertThat(ping.status).as(ping.output).isEqualTo(1);
        assertThat(ping.output).contains("--- 127.0.0.1 ping statistics ---")
                .containsPattern("2 packets transmitted, 0 received, 100% packet loss, time \\d+ms")
                .doesNotContain("bytes from").doesNotContain("rtt min/avg/max/mdev");
    }

    @Test
    void whenBothAreRefusedTheErrorSaysWhyAndHowToAllowIt() throws Exception {
        Path setpriv = RequiredProgram.find("setpriv", "util-linux");
        Result ping = inNamespace("echo '1 0' > /proc/sys/net/ipv4/ping_group_range && exec " + setpriv
                + " --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all " + sockit(true)
                + " ping 127.0.0.1 -c 1");
        assertThat(ping.status).as(ping.output).isEqualTo(1);
        assertThat(ping.output.strip()).isEqualTo("sockit: cannot ping 127.0.0.1: the kernel refused an ICMP datagram"
                + " socket (EACCES: your group 65534 is outside net.ipv4.ping_group_range \"1 0\") and a raw socket"
                + " (EPERM: needs root or CAP_NET_RAW); allow unprivileged ping with"
                + " sudo sysctl -w net.ipv4.ping_group_range=\"0 2147483647\", or run as root");
    }

    private record Result(int status, String output) {}

    private Result inNamespace(String script) throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")),
                "making a network namespace needs root; this runs as " + System.getProperty("user.name"));
        Path unshare = RequiredProgram.find("unshare", "util-linux");
        Path ip = RequiredProgram.find("ip", "iproute2");
        Process process = new ProcessBuilder(unshare.toString(), "-n", "sh", "-c", ip + " link set lo up && " + script)
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        int status = process.waitFor();
        assumeTrue(!output.contains("unshare failed"), "this machine refuses a network namespace: " + output);
        return new Result(status, output);
    }

    // The command line that runs sockit; for another user, from a copy of its classes that user may read.
    private String sockit(boolean forAnotherUser) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> classPath = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path path = Path.of(entry);
            if (!forAnotherUser) {
                classPath.add(entry);
            } else if (Files.isDirectory(path) && Files.exists(path.resolve("dev/sockit"))
                    || path.getFileName().toString().matches("(picocli|sockit-core)-.*\\.jar")) {
                Path copy = dir.resolve(classPath.size() + "-" + path.getFileName());
                copyReadable(path, copy);
                classPath.add(copy.toString());
            }
        }
        if (forAnotherUser) {
            dir.toFile().setExecutable(true, false);
            dir.toFile().setReadable(true, false);
        }
        return java + " --enable-native-access=ALL-UNNAMED -Xshare:off -cp " + String.join(File.pathSeparator, classPath)
                + " " + Sockit.class.getName();
    }

    private static void copyReadable(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path source : (Iterable<Path>) all::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                Files.copy(source, target);
                target.toFile().setReadable(true, false);
                if (Files.isDirectory(target)) {
                    target.toFile().setExecutable(true, false);
                }
            }
        }
    }
}
