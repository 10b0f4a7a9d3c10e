package dev.sockit.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;

/**
 * A parser under coverage-guided fuzzing (Jazzer): a subclass says how to feed it bytes,
 * which failures are the parser's way of refusing bad input, and how much it may allocate;
 * everything else — another exception, an error, a hang, allocation past the bound — is a
 * finding that fails the build.
 *
 * <p>One small class per parser, named {@code *FuzzTarget} so that the build runs each in a
 * JVM of its own (Jazzer fuzzes one target per JVM), for {@value #TIME_BOX} in the normal test
 * run. Its seed corpus lives in {@code src/test/resources/dev/sockit/fuzz/<Class>Inputs/fuzz/},
 * one input per file, and is replayed first; what the fuzzer learns goes to
 * {@code core/.cifuzz-corpus/} (not committed). docs/testing.md tells how to run a long
 * campaign and keep what it finds.
 *
 * <pre>{@code
 * class ProxyHeaderFuzzTarget extends FuzzTarget {
 *     @Override
 *     protected void parse(byte[] input) throws Exception {
 *         ProxyHeader.parse(ByteBuffer.wrap(input));
 *     }
 *
 *     @Override
 *     protected boolean isRefusal(Exception e) {
 *         return e instanceof ProxyHeaderException;
 *     }
 * }
 * }</pre>
 */
public abstract class FuzzTarget {

    /** How long the normal test run fuzzes each target; JAZZER_MAX_DURATION overrides it. */
    static final String TIME_BOX = "4s";

    // The bytes this thread has allocated so far: com.sun.management.ThreadMXBean's count, found
    // by reflection because the tests run inside module dev.sockit, which reads no management module.
    private static final MethodHandle ALLOCATED = allocatedBytes();

    /** Jazzer's entry: one input, checked; package-private so that JUnit finds it in each subclass. */
    @FuzzTest(maxDuration = TIME_BOX)
    void fuzz(byte[] input) throws Exception {
        check(input);
        // Measured on a second pass over the same input: the first may load and initialize
        // classes (the parser's, the fuzzer's hooks), which is no allocation of the parser's.
        long before = allocated();
        check(input);
        long allocated = allocated() - before;
        long bound = allocationBound(input);
        if (allocated > bound) {
            throw new AssertionError(getClass().getSimpleName() + " allocated " + allocated + " bytes for an input of "
                    + input.length + ", over its bound of " + bound + ": a length read from the input is trusted?");
        }
    }

    private void check(byte[] input) throws Exception {
        try {
            parse(input);
        } catch (Exception e) {
            if (!isRefusal(e)) {
                throw e;
            }
        }
    }

    private static long allocated() {
        try {
            return (long) ALLOCATED.invokeExact();
        } catch (Throwable e) {
            throw new IllegalStateException("cannot read this thread's allocated bytes", e);
        }
    }

    private static MethodHandle allocatedBytes() {
        try {
            Object threads = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean")
                    .invoke(null);
            java.lang.reflect.Method count = Class.forName("com.sun.management.ThreadMXBean")
                    .getMethod("getCurrentThreadAllocatedBytes");
            return MethodHandles.publicLookup().unreflect(count).bindTo(threads)
                    .asType(java.lang.invoke.MethodType.methodType(long.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Feeds {@code input} to the parser and checks what comes out; throws to report a finding. */
    protected abstract void parse(byte[] input) throws Exception;

    /** True when {@code e} is the parser refusing bad input, as it should, rather than failing. */
    protected abstract boolean isRefusal(Exception e);

    /**
     * The most {@link #parse} may allocate for {@code input}, the harness's own work included:
     * by default eight bytes per input byte and 256 KiB for the machinery (the fuzzer's hooks
     * allocate a little inside the parser's code). A parser that sizes a buffer by a length it
     * read, not by the bytes it got or its configured limit, goes past it.
     */
    protected long allocationBound(byte[] input) {
        return 8L * input.length + 256 * 1024;
    }
}
