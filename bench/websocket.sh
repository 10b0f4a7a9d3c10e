#!/usr/bin/env bash
# WebSocket echo: sockit's core Server on a ws:// endpoint against Netty 4.2's WebSocket server
# (NettyWebSocketServer: HttpServerCodec, WebSocketServerProtocolHandler, echo of each frame),
# the same load generator for both (sockit bench ws://, each request a 64-byte text message),
# at 1, 64 and 1,000 connections x depth 1 and 16. Writes a dated Markdown table to
# bench/results/DATE-websocket.md; about 3 minutes with the defaults.
#
#   bench/websocket.sh                         10 s measured after 2 s warmup per cell
#   bench/websocket.sh --duration 3s --warmup 1s
#   bench/websocket.sh --no-build              use what is already built (or NO_BUILD=1)
#
# As bench/run.sh: the server pinned to CPU 0, the generator to CPU 1 busy-polling, each run
# after the machine is idle, the server warmed before its first cell; figures taken while
# other processes took CPU are marked. Needs: Linux, 2 CPUs, taskset, jq, Maven unless
# --no-build. Ports 9131-9132 on 127.0.0.1.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

DURATION=10s
WARMUP=2s
NO_BUILD=${NO_BUILD:-}
SERVER_JVM=(-Xms1g -Xmx1g --enable-native-access=ALL-UNNAMED)
BENCH_JVM=(-Xms256m -Xmx256m)
declare -A PORT=([sockit]=9131 [netty]=9132)
declare -A PID=()

while (( $# > 0 )); do
    case "$1" in
        --duration) DURATION=${2:?--duration needs a value, e.g. 10s}; shift 2 ;;
        --warmup) WARMUP=${2:?--warmup needs a value, e.g. 2s}; shift 2 ;;
        --no-build) NO_BUILD=1; shift ;;
        -h|--help) sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench/websocket.sh: unknown argument \"$1\"; see bench/websocket.sh --help" >&2; exit 2 ;;
    esac
done
for tool in taskset jq; do
    command -v "$tool" >/dev/null 2>&1 || { echo "bench/websocket.sh: $tool not found; install it" >&2; exit 1; }
done
if (( $(ulimit -n) < 1100 )); then
    ulimit -n 20000 2>/dev/null || { echo "bench/websocket.sh: 1,000 connections need ulimit -n of 1100 or more" >&2; exit 1; }
fi
find_java
[[ -n "$NO_BUILD" ]] || build

stamp=$(date +%Y-%m-%d-%H%M)
raw="$BENCH_DIR/results/tmp/$stamp-websocket"
mkdir -p "$raw"

cleanup() {
    local pid
    for pid in "${PID[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PID[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

bench() { # ENDPOINT OPTIONS... -> the generator, pinned to CPU 1
    timeout 600 taskset -c 1 "$JAVA" "${BENCH_JVM[@]}" -cp "$CLI_CLASSPATH" dev.sockit.cli.BenchCommand "$@"
}

cells=("1 1" "1 16" "64 1" "64 16" "1000 1" "1000 16")
for kind in sockit netty; do
    url="ws://127.0.0.1:${PORT[$kind]}/echo"
    taskset -c 0 "$JAVA" "${SERVER_JVM[@]}" -cp "$BENCH_CLASSPATH" dev.sockit.bench.ServerMain "$kind" "$url" echo \
        >"$raw/server-$kind.log" 2>&1 &
    PID[$kind]=$!
    for _ in $(seq 300); do grep -qs "listening on" "$raw/server-$kind.log" && break; sleep 0.1; done
    grep -qs "listening on" "$raw/server-$kind.log" \
        || { echo "bench/websocket.sh: the $kind server did not start: $(tail -3 "$raw/server-$kind.log")" >&2; exit 1; }
    bench "$url" --conns 64 --depth 16 --duration 3s --warmup 0s --json >/dev/null 2>>"$raw/warm-$kind.err" || true
    for cell in "${cells[@]}"; do
        read -r conns depth <<<"$cell"
        wait_idle
        bench "$url" --conns "$conns" --depth "$depth" --size 64 --duration "$DURATION" --warmup "$WARMUP" \
            --server-pid "${PID[$kind]}" --busy-poll --json >"$raw/$kind-$conns-$depth.json" 2>"$raw/$kind-$conns-$depth.err" \
            || echo "  $kind $conns x $depth: $(tail -1 "$raw/$kind-$conns-$depth.err")" >&2
        printf '  %-7s %5s conns x depth %-3s %12s msgs/s  p99 %s us\n' "$kind" "$conns" "$depth" \
            "$(jq -r '.msgs_per_s // 0 | floor' "$raw/$kind-$conns-$depth.json" 2>/dev/null)" \
            "$(jq -r '.latency_us.p99 // "-"' "$raw/$kind-$conns-$depth.json" 2>/dev/null)" >&2
    done
    kill "${PID[$kind]}"; wait "${PID[$kind]}" 2>/dev/null || true; unset "PID[$kind]"
done

field() { [[ -s "$1" ]] && jq -r "$2 // \"null\"" "$1" || echo null; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == "null" || a == "null" || b == 0) print "–"; else printf "%.2f×", a / b }'; }
report="$BENCH_DIR/results/$stamp-websocket.md"
{
    echo "# WebSocket echo: sockit against Netty 4.2 ($stamp)"
    echo
    echo "64-byte text messages, \`sockit bench ws://\` as the generator for both, $DURATION measured after"
    echo "$WARMUP warmup per cell; server on CPU 0, generator on CPU 1. \* other processes took more"
    echo "than 0.05 CPUs during the run: the figure is disturbed."
    echo
    echo "| conns × depth | sockit msgs/s | netty msgs/s | sockit/netty | sockit p99 µs | netty p99 µs |"
    echo "|---|---:|---:|---:|---:|---:|"
    for cell in "${cells[@]}"; do
        read -r conns depth <<<"$cell"
        s="$raw/sockit-$conns-$depth.json"; n="$raw/netty-$conns-$depth.json"
        mark() { awk -v o="$(field "$1" .other_busy_cpus)" 'BEGIN { if (o != "null" && o > 0.05) print "*" }'; }
        echo "| $conns × $depth | $(field "$s" '.msgs_per_s | floor')$(mark "$s") | $(field "$n" '.msgs_per_s | floor')$(mark "$n") |" \
             "$(ratio "$(field "$s" .msgs_per_s)" "$(field "$n" .msgs_per_s)") | $(field "$s" .latency_us.p99) | $(field "$n" .latency_us.p99) |"
    done
} >"$report"
echo "bench/websocket.sh: wrote $report" >&2
cat "$report"
