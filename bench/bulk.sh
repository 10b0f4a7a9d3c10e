#!/usr/bin/env bash
# Bulk transfer against the loopback ceiling: iperf3, then sockit's raw discard server and
# Netty's, each taking one connection's stream of 128 KiB writes. Receivers pinned to CPU 0,
# senders to CPU 1; three interleaved rounds, the median reported. Loopback only; about 80 s.
#   bench/bulk.sh                    # 5 s measured after 2 s of warm-up, per run
#   bench/bulk.sh --duration 10      # seconds measured per run
#   NO_BUILD=1 bench/bulk.sh         # skip the build
# Needs iperf3 (apt-get install iperf3). Writes bench/results/DATE-bulk.md.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

duration=5 warmup=2 rounds=3
while [ $# -gt 0 ]; do
    case "$1" in
        --duration) duration=$2; shift 2 ;;
        -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
        *) echo "bulk: unknown option $1 (try --help)" >&2; exit 2 ;;
    esac
done
for tool in iperf3 taskset jq; do
    command -v "$tool" >/dev/null 2>&1 \
        || { echo "bulk: $tool not found; install it (apt-get install ${tool/taskset/util-linux})" >&2; exit 1; }
done
find_java
[[ "${NO_BUILD:-}" == 1 ]] || build

# Outside the ephemeral range (32768-60999), so no client's port can hold it.
PORT=${BULK_PORT:-9402}
server=""
trap '[[ -n "$server" ]] && kill "$server" 2>/dev/null || true' EXIT

iperf3_gbits() {
    # One-off (-1): it serves this client and exits. It listens within milliseconds.
    taskset -c 0 iperf3 -s -p "$PORT" -1 >/dev/null 2>&1 &
    server=$!
    sleep 0.5
    taskset -c 1 iperf3 -c 127.0.0.1 -p "$PORT" -t "$duration" -O "$warmup" -J | jq '.end.sum_received.bits_per_second / 1e9'
    wait "$server" 2>/dev/null || true
    server=""
}
java_gbits() { # kind
    local log
    log=$(mktemp)
    taskset -c 0 "$JAVA" -Xms1g -Xmx1g --enable-native-access=ALL-UNNAMED -cp "$BENCH_CLASSPATH" dev.sockit.bench.Bulk serve "$1" "$PORT" >"$log" 2>&1 &
    server=$!
    for _ in $(seq 1 100); do grep -q listening "$log" && break; sleep 0.1; done
    grep -q listening "$log" || { cat "$log" >&2; echo "bulk: the $1 server did not start" >&2; exit 1; }
    timeout $((duration + warmup + 30)) taskset -c 1 "$JAVA" -cp "$BENCH_CLASSPATH" dev.sockit.bench.Bulk send "$PORT" "$duration" "$warmup" | awk '{print $1}'
    kill "$server"; wait "$server" 2>/dev/null || true
    server=""
    rm -f "$log"
}
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

declare -A runs=()
for round in $(seq 1 "$rounds"); do
    for kind in iperf3 sockit netty; do
        if [[ $kind == iperf3 ]]; then g=$(iperf3_gbits); else g=$(java_gbits "$kind"); fi
        g=$(printf '%.2f' "$g")
        echo "bulk: round $round, $kind: $g Gbit/s" >&2
        runs[$kind]="${runs[$kind]:-} $g"
    done
done
ceiling=$(median ${runs[iperf3]})
out=${BULK_OUT:-$BENCH_DIR/results/$(date -u +%Y-%m-%d-%H%M)-bulk.md} # run.sh puts it beside its raw runs
{
    echo "# Bulk transfer on loopback, $(date -u '+%Y-%m-%d %H:%M') UTC"
    echo
    echo "- machine: $(nproc) × $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), Linux $(uname -r)"
    echo "- JDK: $("$JAVA" -version 2>&1 | sed -n 2p); $(iperf3 --version | head -1)"
    echo "- receivers pinned \`taskset -c 0\`, senders \`taskset -c 1\`; one connection; ${duration} s measured after ${warmup} s; $rounds interleaved rounds, median"
    echo "- iperf3: \`iperf3 -s\` and \`iperf3 -c 127.0.0.1 -t $duration -O $warmup\` (128 KiB writes), received bits per second"
    echo "- sockit: core \`Server\` with \`Raw.bytes()\` and \`Handlers.discard()\` (what \`sockit server --framing raw --mode discard\` runs); Netty 4.2 epoll with a releasing handler; both sent to by \`Bulk send\` (128 KiB writes from a direct buffer)"
    echo "- reproduce: \`bench/bulk.sh --duration $duration\`"
    echo
    echo "| receiver | Gbit/s (median) | rounds | ÷ iperf3 |"
    echo "|---|---:|---|---:|"
    for kind in iperf3 sockit netty; do
        m=$(median ${runs[$kind]})
        printf '| %s | %.2f | %s | %.2f× |\n' "$kind" "$m" "$(echo ${runs[$kind]} | sed 's/ / · /g')" "$(awk -v a="$m" -v b="$ceiling" 'BEGIN {print a / b}')"
    done
} >"$out"
echo "bulk: wrote $out" >&2
cat "$out"
