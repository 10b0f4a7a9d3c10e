#!/usr/bin/env bash
# Completes the release image and packs it (run by Maven at package, see dist/pom.xml):
#   image.sh JAVA_HOME MODULES IMAGE_DIR ARCHIVE
# IMAGE_DIR already holds bin/, lib/ and share/; this adds runtime/ (jlink), the server's and the
# client's ahead-of-time caches (lib/sockit-*.aot, trained by train.py), and writes ARCHIVE.
set -euo pipefail
java_home=$1 modules=$2 image=$3 archive=$4

# jlink refuses to write over an output folder: a second `mvn package` starts afresh.
rm -rf "$image/runtime"
# Kept small and quick to build: no debug attributes, man pages or C headers, and zip-compressed
# modules (smaller on disk at a cost of a few ms at start-up; see docs/performance.md).
# --generate-cds-archive gives the runtime its own class-data archive of JDK classes, as a
# full JDK has: without one every start would load java.base from the modules file.
"$java_home/bin/jlink" \
    --add-modules "$modules" \
    --strip-debug --no-man-pages --no-header-files --compress zip-6 \
    --generate-cds-archive \
    --output "$image/runtime"
chmod 755 "$image/bin/sockit"

# JLine's terminal through its JNI library rather than the FFM API: each FFM downcall is code
# generated at start-up that no cache keeps, a quarter of the client's start (docs/performance.md).
# JLine would unpack the library into /tmp at every start; the archive carries it unpacked.
rm -rf "$image/lib/native" && mkdir -p "$image/lib/native"
jline_jar=$(ls "$image"/lib/jline-*.jar)
(cd "$image/lib/native" && "$java_home/bin/jar" xf "$jline_jar" org/jline/nativ/Linux/x86_64/libjlinenative.so \
    && mv org/jline/nativ/Linux/x86_64/libjlinenative.so . && rm -r org)

# The caches are trained by running the server and the client on pseudo-terminals, which takes
# python3 (as bench/startup.sh does). Without it the archive still works, only starts slower.
rm -f "$image"/lib/*.aot
if command -v python3 >/dev/null 2>&1; then
    python3 "$(dirname "${BASH_SOURCE[0]}")/train.py" "$image"
else
    echo "dist: WARNING: python3 not found, so the archive has no AOT caches and starts slower (apt-get install python3)" >&2
fi

# Owner and group 0, so that unpacking as root does not hand the files to this build's user.
tar -C "$(dirname "$image")" --owner=0 --group=0 --numeric-owner -czf "$archive" "$(basename "$image")"
echo "dist: wrote $archive ($(du -h "$archive" | cut -f1); runtime $(du -sh "$image/runtime" | cut -f1) unpacked)"
