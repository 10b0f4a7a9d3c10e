#!/usr/bin/env bash
# Broadcast fan-out: a server with 10,000 connected clients pushes one line to all of them,
# 50 times; the time until the median and the last client had each push, sockit against
# Netty in one run. The server (and the pushing loop) is pinned to CPU 0, the clients, two
# dev.sockit.bench.Crowd processes, to CPU 1. Loopback only; about 2 minutes.
#   bench/broadcast.sh                         # 10,000 clients, 50 pushes
#   bench/broadcast.sh --conns 2000 --repeats 20
#   NO_BUILD=1 bench/broadcast.sh              # skip the build
# Writes bench/results/DATE-broadcast.md.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

conns=10000 repeats=50
while [ $# -gt 0 ]; do
    case "$1" in
        --conns) conns=$2; shift 2 ;;
        --repeats) repeats=$2; shift 2 ;;
        -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
        *) echo "broadcast: unknown option $1 (try --help)" >&2; exit 2 ;;
    esac
done
(( conns <= 19000 )) || { echo "broadcast: at most 19,000 clients: the server may open 20,000 files" >&2; exit 2; }
command -v taskset >/dev/null 2>&1 || { echo "broadcast: taskset not found; install it (apt-get install util-linux)" >&2; exit 1; }
(( $(nproc) >= 2 )) || { echo "broadcast: needs 2 CPUs, one for the server and one for the clients" >&2; exit 1; }
find_java
[[ "${NO_BUILD:-}" == 1 ]] || build

out="$BENCH_DIR/results/$(date -u +%Y-%m-%d-%H%M)-broadcast.md"
rows=()
for kind in sockit netty; do
    echo "broadcast: $kind, $conns clients, $repeats pushes" >&2
    rows+=("$(timeout 600 taskset -c 0 "$JAVA" -Xms1g -Xmx1g --enable-native-access=ALL-UNNAMED -Dcrowd.cpus=1 \
        -cp "$BENCH_CLASSPATH" dev.sockit.bench.Broadcast "$kind" "$conns" "$repeats")")
    echo "${rows[-1]}" >&2
done
{
    echo "# Broadcast fan-out to $(printf "%'d" "$conns") clients, $(date -u '+%Y-%m-%d %H:%M') UTC"
    echo
    echo "- machine: $(nproc) × $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), Linux $(uname -r)"
    echo "- JDK: $("$JAVA" -version 2>&1 | sed -n 2p)"
    echo "- server and pushing loop in one JVM (\`-Xms1g -Xmx1g\`), pinned \`taskset -c 0\`; clients in 2 \`Crowd\` processes (one selector thread each), pinned \`taskset -c 1\`"
    echo "- sockit: \`Group.broadcast\` to every member; Netty 4.2 epoll: \`ChannelGroup.writeAndFlush\`; one line \`b SEQ\` per push, 200 ms apart; the first 5 pushes left out"
    echo "- time from just before the push until a client read the line (\`System.nanoTime\`, the machine's monotonic clock, shared by the processes)"
    echo "- reproduce: \`bench/broadcast.sh --conns $conns --repeats $repeats\`"
    echo
    echo "| server | clients | pushes | lines missing | to the median client, p50 | median, p99 | to the last client, p50 | last, p99 | last, max |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    printf '%s\n' "${rows[@]}"
} >"$out"
echo "broadcast: wrote $out" >&2
cat "$out"
