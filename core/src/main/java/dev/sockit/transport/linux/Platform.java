package dev.sockit.transport.linux;

import java.util.Locale;

/**
 * Whether this process may call the system calls of this package: Linux on x86_64, and native
 * access enabled for the module core is in. Checked before anything here is linked, so that
 * elsewhere the caller gets one sentence naming the feature, what it needs and what this
 * machine is, never an error from the linker, and a JVM without native access never prints the
 * JDK's warning for a restricted method (or, in a JDK that denies it, fails on one): a feature
 * that needs the calls says which flag allows them ({@link #require}), and an optimisation that
 * can do without them does without, quietly ({@link #usable}).
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
     * True when the module core is in may call the C library: {@code dev.sockit} on the module
     * path, the unnamed module on the class path. Asked each time: the JDK enables it for a module
     * from the command line ({@code --enable-native-access}, the jar's {@code Enable-Native-Access})
     * or, in its default "warn" mode, once it has warned of that module's first restricted call.
     */
    public static boolean nativeAccess() {
        return Platform.class.getModule().isNativeAccessEnabled();
    }

    /**
     * True when the calls may be made here and now without a word from the JDK: Linux x86_64,
     * native access enabled. For what can do without them (a socket option that only saves
     * work), which then does without rather than make the JDK warn.
     */
    public static boolean usable() {
        return SUPPORTED && nativeAccess();
    }

    /** The flag that enables native access for the module core is in. */
    static String nativeAccessFlag() {
        Module core = Platform.class.getModule();
        return "--enable-native-access=" + (core.isNamed() ? core.getName() : "ALL-UNNAMED");
    }

    /**
     * Refuses {@code feature} unless this is Linux on x86_64 and native access is enabled.
     *
     * @param feature what needs the system calls, as the user asked for it: {@code "sockit ping"}
     * @throws UnsupportedOperationException naming the feature and this machine, or the flag to give java
     */
    public static void require(String feature) {
        if (!SUPPORTED) {
            throw new UnsupportedOperationException(feature + " needs Linux on x86_64 (it opens sockets the JDK cannot,"
                    + " through Linux system calls); this is " + OS + " on " + ARCH);
        }
        if (!nativeAccess()) {
            Module core = Platform.class.getModule();
            throw new UnsupportedOperationException(feature + " needs native access (it calls the C library through"
                    + " java.lang.foreign), which this JVM has not enabled for "
                    + (core.isNamed() ? "module " + core.getName() : "code on the class path") + ": start java with "
                    + nativeAccessFlag() + " (the sockit command does)");
        }
    }
}
