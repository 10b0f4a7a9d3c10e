package dev.sockit.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real program a test starts (redis-server, haproxy, chromium, promtool, ip, nft): found on
 * {@code PATH} or in the usual system folders, or else the test is skipped locally with the
 * command that installs it, and failed under CI ({@code CI=true}), where .ci/run must have
 * installed it from .ci/packages: a missing component never passes silently there.
 *
 * <pre>{@code Path redis = RequiredProgram.find("redis-server", "redis-server");}</pre>
 */
public final class RequiredProgram {

    private RequiredProgram() {}

    /**
     * Returns the program's path, or skips (locally) or fails (under CI) the calling test.
     *
     * @param program       the executable's name, e.g. {@code redis-server}
     * @param debianPackage the package that installs it, e.g. {@code redis-server}
     */
    public static Path find(String program, String debianPackage) {
        Path found = lookUp(program);
        if (found == null) {
            missing(program + " is not installed", debianPackage);
        }
        return found;
    }

    /** Skips or fails the calling test because a component is missing, naming its package. */
    public static void missing(String what, String debianPackage) {
        String message = what + " (install it: apt-get update && apt-get install -y " + debianPackage
                + ", or run .ci/run)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail("under CI every component must be there: " + message);
        }
        assumeTrue(false, message);
    }

    /** The program's path on PATH or in /usr/sbin, /sbin, /usr/bin, or null. */
    public static Path lookUp(String program) {
        String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/sbin:/sbin:/usr/bin";
        for (String folder : path.split(File.pathSeparator)) {
            if (folder.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(folder, program);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
