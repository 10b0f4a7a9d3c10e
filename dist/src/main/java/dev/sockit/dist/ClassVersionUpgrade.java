package dev.sockit.dist;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassFileVersion;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Rewrites the classes of a jar that were compiled for Java 5 (class file 49) as class file 52,
 * with the stack map frames that version requires, so that the JDK's ahead-of-time cache can keep
 * them: it skips every "old" class that was linked in the training run ("Skipping
 * picocli/CommandLine: Old class has been linked"), and picocli 4.7 is built for Java 5. Without
 * this the cache holds the JDK and sockit but not picocli, which is then loaded, verified by the
 * old type-inferring verifier and linked from the jar at every start.
 *
 * <p>Only the archive's copy changes; the code is the same instructions, and the JDK's class-file
 * API computes the frames. Usage: {@code ClassVersionUpgrade JAR} (rewritten in place).
 */
public final class ClassVersionUpgrade {

    /** Java 8: the oldest class file the AOT cache links ahead of time (frames needed since 50). */
    private static final int TARGET_MAJOR = 52;

    private ClassVersionUpgrade() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: ClassVersionUpgrade JAR, e.g. ClassVersionUpgrade target/image/lib/picocli-4.7.7.jar");
        }
        Path jar = Path.of(args[0]);
        Path rewritten = jar.resolveSibling(jar.getFileName() + ".tmp");
        int upgraded;
        try (URLClassLoader classes = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null);
             InputStream in = Files.newInputStream(jar);
             OutputStream out = Files.newOutputStream(rewritten)) {
            // Frames merge types at branch targets, so the class-file API must know the jar's own hierarchy.
            ClassFile classFile = ClassFile.of(ClassFile.ClassHierarchyResolverOption.of(
                    ClassHierarchyResolver.defaultResolver().orElse(ClassHierarchyResolver.ofResourceParsing(classes))));
            upgraded = copy(classFile, in, out);
        }
        Files.move(rewritten, jar, StandardCopyOption.REPLACE_EXISTING);
        System.out.println("dist: " + upgraded + " classes of " + jar.getFileName() + " rewritten as class file " + TARGET_MAJOR);
    }

    private static int copy(ClassFile classFile, InputStream from, OutputStream to) throws IOException {
        int upgraded = 0;
        try (ZipInputStream in = new ZipInputStream(from); ZipOutputStream out = new ZipOutputStream(to)) {
            for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
                byte[] bytes = in.readAllBytes();
                if (isOldClass(classFile, entry, bytes)) {
                    bytes = upgrade(classFile, bytes);
                    upgraded++;
                }
                ZipEntry copy = new ZipEntry(entry.getName());
                copy.setTime(entry.getTime());
                out.putNextEntry(copy);
                out.write(bytes);
                out.closeEntry();
            }
        }
        return upgraded;
    }

    private static boolean isOldClass(ClassFile classFile, ZipEntry entry, byte[] bytes) {
        // module-info and META-INF/versions/** are Java 9+ already.
        return entry.getName().endsWith(".class") && !entry.getName().startsWith("META-INF/")
                && classFile.parse(bytes).majorVersion() < TARGET_MAJOR;
    }

    private static byte[] upgrade(ClassFile classFile, byte[] bytes) {
        ClassModel model = classFile.parse(bytes);
        // Rebuilding every method body makes the API write its stack maps; the version says they are needed.
        return classFile.transformClass(model, ClassTransform.transformingMethodBodies(CodeTransform.ACCEPT_ALL)
                .andThen((builder, element) -> {
                    if (element instanceof ClassFileVersion) {
                        builder.withVersion(TARGET_MAJOR, 0);
                    } else {
                        builder.with(element);
                    }
                }));
    }
}
