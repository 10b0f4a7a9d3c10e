# Shared by bench/run.sh and bench/jmh.sh: find JDK 25 and build what the benchmarks run.
# Sourced, not run.

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT_DIR=$(dirname "$BENCH_DIR")

# The Java specification version of a java binary: 17, 25, ...
java_feature() {
    "$1" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ {print $2; exit}'
}

# Sets JAVA (and JAVA_HOME) to a JDK 25 or newer: JAVA_HOME first, then java on PATH, then
# /usr/lib/jvm/*, the way bin/sockit finds one.
find_java() {
    local candidates=() candidate feature
    [[ -n "${JAVA_HOME:-}" ]] && candidates+=("$JAVA_HOME/bin/java")
    command -v java >/dev/null 2>&1 && candidates+=("$(readlink -f "$(command -v java)")")
    for candidate in /usr/lib/jvm/*/bin/java; do candidates+=("$candidate"); done
    for candidate in "${candidates[@]}"; do
        [[ -x "$candidate" ]] || continue
        feature=$(java_feature "$candidate")
        if [[ "${feature%%.*}" =~ ^[0-9]+$ ]] && (( ${feature%%.*} >= 25 )); then
            JAVA=$candidate
            JAVA_HOME=$(dirname "$(dirname "$candidate")")
            export JAVA_HOME
            return 0
        fi
    done
    echo "bench: no JDK 25 or newer found (looked at JAVA_HOME, java on PATH, /usr/lib/jvm/*); install one or point JAVA_HOME at it" >&2
    exit 1
}

# Builds core, cli and bench with their runtime dependencies beside them, tests skipped
# (mvn verify runs those).
build() {
    command -v mvn >/dev/null 2>&1 || { echo "bench: mvn not found on PATH; install Maven 3.8 or newer" >&2; exit 1; }
    echo "bench: building core, cli and bench with $JAVA_HOME" >&2
    (cd "$ROOT_DIR" && MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}" \
        mvn -q -DskipTests -pl core,cli,bench -am package) \
        || { echo "bench: the build failed; run mvn -pl core,cli,bench -am package to see why" >&2; exit 1; }
}

BENCH_CLASSPATH="$BENCH_DIR/target/classes:$BENCH_DIR/target/lib/*"
CLI_CLASSPATH="$ROOT_DIR/cli/target/classes:$ROOT_DIR/cli/target/lib/*"
