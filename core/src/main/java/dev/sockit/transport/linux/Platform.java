package dev.sockit.transport.linux;

import java.util.Locale;

/**
 * Whether this process runs where the system calls of this package are bound: Linux on x86_64.
 * Checked before anything here is linked, so that elsewhere the caller gets one sentence naming
 * the feature, what it needs and what this machine is, never an error from the linker.
 */
public final class Platform {

    private static final String OS = System.getProperty("os.name", "?");
    private static final String ARCH = System.getProperty("os.arch", "?");
    private static final boolean SUPPORTED = OS.toLowerCase(Locale.ROOT).startsWith("linux")
            && (ARCH.equals("amd64") || ARCH.equals("x86_64"));

    private Platform() {}

    /** True on Linux x86_64, where the bindings and their constants are known to be right. */
    public static boolean supported() {
        return SUPPORTED;
    }

    /**
     * Refuses {@code feature} unless this is Linux on x86_64.
     *
     * @param feature what needs the system calls, as the user asked for it: {@code "sockit ping"}
     * @throws UnsupportedOperationException naming the feature and this machine
     */
    public static void require(String feature) {
        if (!SUPPORTED) {
            throw new UnsupportedOperationException(feature + " needs Linux on x86_64 (it opens sockets the JDK cannot,"
                    + " through Linux system calls); this is " + OS + " on " + ARCH);
        }
    }
}
