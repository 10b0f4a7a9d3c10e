# Finds a JDK 25 or newer and exports JAVA_HOME; sourced by bin/sockit and bin/test.
# Looks in JAVA_HOME, then the java on PATH, then the usual JDK folders, and says clearly
# what it found wanting when there is none.

sockit_java_major() {
    # Sets SOCKIT_JAVA_MAJOR to the feature version of the JDK at $1 (25 for "25.0.3"), or to
    # nothing. A variable rather than output: $(...) would fork a shell at every launch of sockit.
    SOCKIT_JAVA_MAJOR=""
    [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
    # Every JDK since 9 states its version in the release file: reading it costs nothing, while
    # starting "java -version" costs a JVM start (70-450 ms), on every launch of sockit.
    if [ -f "$1/release" ]; then
        local line
        while IFS= read -r line || [ -n "$line" ]; do
            if [[ $line =~ ^JAVA_VERSION=\"([0-9]+) ]]; then
                SOCKIT_JAVA_MAJOR=${BASH_REMATCH[1]}
                return 0
            fi
        done <"$1/release"
        return 0
    fi
    SOCKIT_JAVA_MAJOR=$("$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)
}

sockit_find_jdk() {
    local seen="" home
    # Candidates in order, each looked at only when the ones before it would not do: the usual
    # case, JAVA_HOME or the first JDK found being a 25, starts no process (each costs several
    # ms of sockit's start-up, docs/performance.md).
    for home in "${JAVA_HOME:-}" @path /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* /opt/*/jdk* \
                "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/* "$HOME"/.asdf/installs/java/* \
                /Library/Java/JavaVirtualMachines/*/Contents/Home; do
        if [ "$home" = @path ]; then
            command -v java >/dev/null 2>&1 || continue
            home=$(readlink -f "$(command -v java)")
            home=${home%/bin/java}
        fi
        [ -n "$home" ] && [ -d "$home" ] || continue
        sockit_java_major "$home"
        if [ -n "$SOCKIT_JAVA_MAJOR" ] && [ "$SOCKIT_JAVA_MAJOR" -ge 25 ]; then
            export JAVA_HOME="$home"
            return 0
        fi
        [ -n "$SOCKIT_JAVA_MAJOR" ] && seen="$seen $home (Java $SOCKIT_JAVA_MAJOR);"
    done
    {
        echo "sockit: no JDK 25 or newer found."
        echo "  looked in: JAVA_HOME (${JAVA_HOME:-not set}), the java on PATH, /usr/lib/jvm, /usr/java, /opt, ~/.sdkman, ~/.jdks, /Library/Java"
        [ -n "$seen" ] && echo "  found only:$seen"
        echo "  install a JDK 25 (Temurin 25, or your system's openjdk-25-jdk package) and set JAVA_HOME to it."
    } >&2
    return 1
}

sockit_require_maven() {
    if ! command -v mvn >/dev/null 2>&1; then
        echo "sockit: Maven (mvn, 3.8 or newer) is needed to build sockit and is not on PATH;" >&2
        echo "  install it (e.g. apt-get install maven) or add its bin folder to PATH." >&2
        return 1
    fi
}

# Maven's own libraries call sun.misc.Unsafe, which JDK 25 warns about on every run.
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
