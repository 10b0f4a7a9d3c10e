#!/usr/bin/env bash
# Client start-up: the time from launching `sockit client` to its prompt, in a pseudo-terminal
# (bench/startup.py), 10 runs per variant: the launcher as users run it (bin/sockit, with the
# AppCDS archive it keeps), then plain `java -jar` without class data sharing, with the JDK's
# default archive only, and two JVM flags that trade peak speed for start-up. Loopback only.
#   bench/startup.sh                 # 10 runs per variant
#   bench/startup.sh --runs 20
# Needs python3. Writes bench/results/DATE-startup.md.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

runs=10
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs=$2; shift 2 ;;
        -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
        *) echo "startup: unknown option $1 (try --help)" >&2; exit 2 ;;
    esac
done
command -v python3 >/dev/null 2>&1 || { echo "startup: python3 not found; install it (apt-get install python3)" >&2; exit 1; }
find_java
SOCKIT="$ROOT_DIR/bin/sockit"
JAR="$ROOT_DIR/cli/target/sockit.jar"
PROMPT="Please input msg: "

# The launcher builds the jar when it is missing or stale; building is not start-up.
"$SOCKIT" --version >/dev/null
log=$(mktemp)
"$SOCKIT" server tcp://127.0.0.1:0 --quiet --no-console >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 100); do grep -q "Server start at" "$log" && break; sleep 0.1; done
port=$(sed -n 's/^Server start at: .*:\([0-9]*\)$/\1/p' "$log" | head -n 1)
[[ -n "$port" ]] || { cat "$log" >&2; echo "startup: the server did not start" >&2; exit 1; }
endpoint="tcp://127.0.0.1:$port"
JAVA_FLAGS=(--enable-native-access=ALL-UNNAMED)

variant() { # label, command...
    local label=$1; shift
    "$@" --version >/dev/null 2>&1 || true # a first run, so an archive the variant writes exists
    local times
    times=$(python3 "$BENCH_DIR/startup.py" "$runs" "$PROMPT" "$@" client "$endpoint")
    echo "startup: $label: $(echo $times)" >&2
    printf '%s\n' "$times" | sort -g | awk -v label="$label" '{v[NR] = $1} END {
        printf "| %s | %.0f ms | %.0f ms | %.0f ms | %d |\n", label, v[int((NR + 1) / 2)], v[1], v[NR], NR }'
}

rows=()
rows+=("$(variant 'bin/sockit (AppCDS archive, what users run)' "$SOCKIT")")
rows+=("$(variant 'java -jar, no class data sharing (-Xshare:off)' "$JAVA" "${JAVA_FLAGS[@]}" -Xshare:off -jar "$JAR")")
rows+=("$(variant "java -jar, the JDK's default archive only" "$JAVA" "${JAVA_FLAGS[@]}" -jar "$JAR")")
rows+=("$(SOCKIT_JAVA_OPTS='-XX:TieredStopAtLevel=1' variant 'bin/sockit with -XX:TieredStopAtLevel=1' "$SOCKIT")")
rows+=("$(SOCKIT_JAVA_OPTS='-XX:TieredStopAtLevel=1 -XX:+UseSerialGC' variant 'bin/sockit with -XX:TieredStopAtLevel=1 -XX:+UseSerialGC' "$SOCKIT")")

out="$BENCH_DIR/results/$(date -u +%Y-%m-%d-%H%M)-startup.md"
{
    echo "# Client start-up to the prompt, $(date -u '+%Y-%m-%d %H:%M') UTC"
    echo
    echo "- machine: $(nproc) × $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), Linux $(uname -r)"
    echo "- JDK: $("$JAVA" -version 2>&1 | sed -n 2p)"
    echo "- from launching \`sockit client $endpoint\` in a fresh 80×24 pseudo-terminal until \`$PROMPT\` appears on it (the client is connected by then), $runs runs each, unpinned, the server on the same machine"
    echo "- reproduce: \`bench/startup.sh --runs $runs\`"
    echo
    echo "| how it is started | p50 | min | max | runs |"
    echo "|---|---:|---:|---:|---:|"
    printf '%s\n' "${rows[@]}"
} >"$out"
echo "startup: wrote $out" >&2
cat "$out"
