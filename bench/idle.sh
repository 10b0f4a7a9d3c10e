#!/usr/bin/env bash
# Idle-connection scale: how much memory a server spends per connection that sends nothing,
# sockit against Netty, at 5,000, 10,000 and 19,000 connections (the limit here is 20,000 open
# files per process, and the server holds one per connection). The clients are
# dev.sockit.bench.Crowd processes of at most 9,500 connections each. Heartbeats are off
# (sockit's default: none at the application level). Loopback only; about 3 minutes.
#   bench/idle.sh                      # 5000 10000 19000
#   bench/idle.sh 2000 4000            # other sizes
#   NO_BUILD=1 bench/idle.sh           # skip the build
# Writes bench/results/DATE-idle.md.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

case "${1:-}" in -h|--help) sed -n '2,10p' "$0"; exit 0 ;; esac
sizes=("$@")
(( ${#sizes[@]} > 0 )) || sizes=(5000 10000 19000)
for n in "${sizes[@]}"; do
    [[ "$n" =~ ^[0-9]+$ ]] && (( n >= 1 && n <= 19000 )) \
        || { echo "idle: $n is not a connection count from 1 to 19000 (the server may open 20,000 files)" >&2; exit 2; }
done
for tool in taskset jcmd ss; do
    command -v "$tool" >/dev/null 2>&1 || [[ "$tool" == jcmd ]] \
        || { echo "idle: $tool not found; install it (apt-get install ${tool/taskset/util-linux})" >&2; exit 1; }
done
find_java
JCMD="$JAVA_HOME/bin/jcmd"
[[ -x "$JCMD" ]] || { echo "idle: $JCMD not found; a full JDK (not a JRE) is needed to read the server's heap" >&2; exit 1; }
[[ "${NO_BUILD:-}" == 1 ]] || build

SERVER_JVM=(-Xms512m -Xmx512m -XX:+AlwaysPreTouch --enable-native-access=ALL-UNNAMED)
server="" crowds=() run=0
work=$(mktemp -d)
cleanup() {
    for p in "${crowds[@]}"; do kill "$p" 2>/dev/null || true; done
    [[ -n "$server" ]] && kill "$server" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

heap_kib() { # live heap after a full GC, in KiB, summed over the generations
    "$JCMD" "$server" GC.run >/dev/null
    "$JCMD" "$server" GC.heap_info | awk '/total.*used/ {for (i = 1; i < NF; i++) if ($i == "used") {v = $(i + 1); sub(/K,?/, "", v); s += v}} END {print s + 0}'
}
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$server/status"; }
fds() { ls "/proc/$server/fd" | wc -l; }
established() { ss -Htn state established "( sport = :$1 )" | wc -l; }
at_least() { (( $(established "$1") >= $2 )); } # port, count
none_on() { (( $(established "$1") == 0 )); }  # port
await() { # what, seconds, test command...
    local what=$1 seconds=$2; shift 2
    for _ in $(seq 1 $((seconds * 10))); do "$@" && return 0; sleep 0.1; done
    echo "idle: $what did not happen within ${seconds}s" >&2; exit 1
}

rows=()
for kind in sockit netty; do
    for n in "${sizes[@]}"; do
        run=$((run + 1))
        log="$work/server-$run.log"
        taskset -c 0 "$JAVA" "${SERVER_JVM[@]}" -cp "$BENCH_CLASSPATH" dev.sockit.bench.ServerMain "$kind" tcp://127.0.0.1:0 echo >"$log" 2>&1 &
        server=$!
        await "the $kind server's start" 30 grep -q listening "$log"
        port=$(sed -n 's/.*listening on tcp:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$log")
        # A running server has compiled its read path; idle connections then park in compiled frames.
        timeout 60 taskset -c 1 "$JAVA" -cp "$CLI_CLASSPATH" dev.sockit.cli.BenchCommand "tcp://127.0.0.1:$port" \
            --conns 500 --depth 1 --warmup 2s --duration 3s >/dev/null 2>&1
        await "the warm-up clients' leaving" 30 none_on "$port"
        heap0=$(heap_kib) rss0=$(rss_kib) fds0=$(fds)
        crowds=() share=$(( (n + 9499) / 9500 ))
        # The crowds hold their connections until their standard input, this fifo, closes.
        control="$work/control-$run"
        mkfifo "$control"
        for i in $(seq 0 $((share - 1))); do
            count=$(( n / share + (i < n % share ? 1 : 0) ))
            # A fresh source address per crowd and run: closed connections in TIME_WAIT keep their ports.
            taskset -c 1 "$JAVA" -Xmx256m -cp "$BENCH_CLASSPATH" dev.sockit.bench.Crowd "$port" "$count" \
                "127.0.$((run % 250)).$((10 + i))" 600 <"$control" >/dev/null &
            crowds+=($!)
        done
        exec 7>"$control"
        await "$n connections to the $kind server" 120 at_least "$port" "$n"
        sleep 2 # let the server finish admitting: each accepted connection allocates once more
        heap1=$(heap_kib) rss1=$(rss_kib) fds1=$(fds)
        # Where the memory goes, largest first, for the results' notes.
        "$JCMD" "$server" GC.class_histogram | sed -n '4,13p' >"$work/histogram-$kind-$n"
        exec 7>&-
        wait "${crowds[@]}" 2>/dev/null || true
        crowds=()
        await "the $kind server's clients' leaving" 60 none_on "$port"
        sleep 1
        heap2=$(heap_kib) rss2=$(rss_kib) fds2=$(fds)
        kill "$server"; wait "$server" 2>/dev/null || true; server=""
        row=$(awk -v kind="$kind" -v n="$n" -v h0="$heap0" -v h1="$heap1" -v h2="$heap2" -v r0="$rss0" -v r1="$rss1" -v r2="$rss2" \
            -v f0="$fds0" -v f1="$fds1" -v f2="$fds2" 'BEGIN {
                heap = (h1 - h0) * 1024 / n; rss = (r1 - r0) * 1024 / n
                printf "| %s | %\047d | %\047d B | %\047d B | %\047d B | %\047d → %\047d → %\047d | %+.1f MiB |", kind, n, heap, rss, heap + rss, f0, f1, f2, (h2 - h0 + r2 - r0) / 1024 }')
        echo "$row" >&2
        rows+=("$row")
    done
done
out="$BENCH_DIR/results/$(date -u +%Y-%m-%d-%H%M)-idle.md"
{
    echo "# Idle connections: memory per connection, $(date -u '+%Y-%m-%d %H:%M') UTC"
    echo
    echo "- machine: $(nproc) × $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), Linux $(uname -r)"
    echo "- JDK: $("$JAVA" -version 2>&1 | sed -n 2p)"
    echo "- servers: \`ServerMain sockit|netty ... echo\` (sockit core \`Server\`, a virtual thread per connection; Netty 4.2 epoll, one event loop), JVM \`${SERVER_JVM[*]}\`, pinned \`taskset -c 0\`; warmed by 5 s of \`sockit bench\` first"
    echo "- clients: \`Crowd\` processes of at most 9,500 connections, pinned \`taskset -c 1\`, connected and silent"
    echo "- heap: used after a full GC (\`jcmd GC.run\`, \`GC.heap_info\`); RSS: \`VmRSS\`, which with \`-XX:+AlwaysPreTouch\` grows only by memory outside the heap; both as (with N connections − before) ÷ N"
    echo "- reproduce: \`bench/idle.sh ${sizes[*]}\`"
    echo
    echo "| server | connections | heap per connection | RSS outside the heap per connection | total per connection | open files: before → held → after leaving | memory after leaving − before |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "The largest classes on each server's heap while it held ${sizes[-1]} connections (\`jcmd GC.class_histogram\`: instances, bytes, class):"
    for kind in sockit netty; do
        echo
        echo "$kind:"
        echo
        echo '```'
        cat "$work/histogram-$kind-${sizes[-1]}"
        echo '```'
    done
} >"$out"
echo "idle: wrote $out" >&2
cat "$out"
