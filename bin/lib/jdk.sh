# Finds a JDK 25 or newer and exports JAVA_HOME; sourced by bin/sockit and bin/test.
# Looks in JAVA_HOME, then the java on PATH, then the usual JDK folders, and says clearly
# what it found wanting when there is none.

sockit_java_major() {
    # Prints the feature version of the JDK at $1 (25 for "25.0.3"), or nothing.
    [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
    # Every JDK since 9 states its version in the release file: reading it costs nothing, while
    # starting "java -version" costs a JVM start (70-450 ms), on every launch of sockit.
    if [ -f "$1/release" ]; then
        sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" | head -n 1
        return 0
    fi
    "$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1
}

sockit_find_jdk() {
    local candidates=() seen="" home major
    [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
    if command -v java >/dev/null 2>&1; then
        candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
    fi
    for home in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* /opt/*/jdk* \
                "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/* "$HOME"/.asdf/installs/java/* \
                /Library/Java/JavaVirtualMachines/*/Contents/Home; do
        [ -d "$home" ] && candidates+=("$home")
    done
    for home in "${candidates[@]}"; do
        major=$(sockit_java_major "$home")
        if [ -n "$major" ] && [ "$major" -ge 25 ]; then
            export JAVA_HOME="$home"
            return 0
        fi
        [ -n "$major" ] && seen="$seen $home (Java $major);"
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
