#!/usr/bin/env bash
# WebSocket echo: sockit's core Server on a ws:// endpoint against Netty 4.2's WebSocket server
# (NettyWebSocketServer: HttpServerCodec, WebSocketServerProtocolHandler, echo of each frame),
# the same load generator for both (sockit bench ws://, each request a 64-byte text message),
# at 1, 64 and 1,000 connections x depth 1 and 16. Writes a dated Markdown table to
# bench/results/DATE-websocket.md; about 4 minutes with the defaults.
#
#   bench/websocket.sh                         3 repeats of 3 s measured after 1 s warmup per cell
#   bench/websocket.sh --repeats 5 --duration 5s --warmup 2s
#   bench/websocket.sh --no-build              use what is already built (or NO_BUILD=1)
#   bench/websocket.sh --cells "64x1 1000x1" --repeats 5     only these cells (CONNSxDEPTH)
#   bench/websocket.sh --variant rp2=-Djdk.readPollers=2
#                                              one more server, NAME: this build's sockit with
#                                              extra JVM options (repeatable, up to 6)
#   bench/websocket.sh --cells 1000x1 --rate 30000 --repeats 5
#                                              open loop: 30,000 requests a second in total,
#                                              spread over the connections, each reply timed
#                                              from when its request was due (no generator's
#                                              queue in the tail); the report gives the rate
#                                              each server achieved and marks "short" a run
#                                              more than 2% below it (it could not keep up)
#                                              open loop warms for 5 s unless --warmup says
#                                              otherwise (a generator warmed for 1 s pauses as
#                                              measuring begins, and that pause is the p99)
#
# The servers run at once, pinned to CPU 0, warmed before the first cell; the generator on
# CPU 1 busy-polls. They take turns cell by cell (who goes first rotates by repeat), so
# drift of the machine falls on all alike; each cell's figure is the median of its repeats,
# msgs/s and p99 each. Each run starts after the machine is idle; runs while other processes
# took CPU are marked. Needs: Linux, 2 CPUs, taskset, jq, Maven unless --no-build. Ports
# 9131-9132 on 127.0.0.1, and one more for each variant.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

DURATION=3s
WARMUP=         # --warmup; empty: 1s, or with --rate $OPEN_LOOP_WARMUP (common.sh)
REPEATS=3
NO_BUILD=${NO_BUILD:-}
SERVER_JVM=(-Xms1g -Xmx1g --enable-native-access=ALL-UNNAMED)
BENCH_JVM=(-Xms256m -Xmx256m)
declare -A PORT=([sockit]=9131 [netty]=9132)
declare -A OPTS=([sockit]="" [netty]="")
KINDS=(sockit netty)
CELLS="1x1 1x16 64x1 64x16 1000x1 1000x16"
RATE=""     # --rate: open loop at this many requests per second in total; empty: closed loop
SHORT=0.98  # an open-loop run that achieved less than this share of --rate fell short
declare -A PID=()

while (( $# > 0 )); do
    case "$1" in
        --duration) DURATION=${2:?--duration needs a value, e.g. 10s}; shift 2 ;;
        --warmup) WARMUP=${2:?--warmup needs a value, e.g. 2s}; shift 2 ;;
        --repeats) REPEATS=${2:?--repeats needs a number, e.g. 3}; shift 2 ;;
        --no-build) NO_BUILD=1; shift ;;
        --cells) CELLS=${2:?--cells needs a list, e.g. \"64x1 1000x1\"}; shift 2 ;;
        --variant)
            variant=${2:?--variant needs NAME=JVM-OPTIONS, e.g. rp2=-Djdk.readPollers=2}; name=${variant%%=*}
            [[ $variant == *=* && $name =~ ^[a-z][a-z0-9]*$ && -z ${PORT[$name]:-} ]] \
                || { echo "bench/websocket.sh: --variant \"$variant\": give NAME=JVM-OPTIONS with a new lower-case NAME" >&2; exit 2; }
            (( ${#KINDS[@]} < 8 )) || { echo "bench/websocket.sh: at most 6 variants (ports 9131-9138)" >&2; exit 2; }
            PORT[$name]=$((9131 + ${#KINDS[@]})) OPTS[$name]=${variant#*=}; KINDS+=("$name"); shift 2 ;;
        --rate) RATE=${2:?--rate needs a number of requests per second, e.g. 30000}; shift 2 ;;
        -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) echo "bench/websocket.sh: unknown argument \"$1\"; see bench/websocket.sh --help" >&2; exit 2 ;;
    esac
done
[[ -z $RATE || $RATE =~ ^[1-9][0-9]*$ ]] || { echo "bench/websocket.sh: --rate needs a whole number of requests per second, not \"$RATE\"" >&2; exit 2; }
WARMUP=$(open_loop_warmup "$WARMUP" 1s "$RATE")
cells=()
for cell in $CELLS; do
    [[ $cell =~ ^([0-9]+)x([0-9]+)$ ]] && (( BASH_REMATCH[1] >= 1 && BASH_REMATCH[1] <= 1000 && BASH_REMATCH[2] >= 1 )) \
        || { echo "bench/websocket.sh: cell \"$cell\" is not CONNSxDEPTH with 1 to 1000 connections, e.g. 64x1" >&2; exit 2; }
    cells+=("${BASH_REMATCH[1]} ${BASH_REMATCH[2]}")
done
for tool in taskset jq; do
    command -v "$tool" >/dev/null 2>&1 || { echo "bench/websocket.sh: $tool not found; install it" >&2; exit 1; }
done
if (( $(ulimit -n) < 1100 )); then
    ulimit -n 20000 2>/dev/null || { echo "bench/websocket.sh: 1,000 connections need ulimit -n of 1100 or more" >&2; exit 1; }
fi
find_java
[[ -n "$NO_BUILD" ]] || build

result_files "websocket$([[ -n $RATE ]] && echo -open || true)"

cleanup() {
    local pid
    for pid in "${PID[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PID[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

bench() { # ENDPOINT OPTIONS... -> the generator, pinned to CPU 1
    timeout 600 taskset -c 1 "$JAVA" "${BENCH_JVM[@]}" -cp "$CLI_CLASSPATH" dev.sockit.cli.BenchCommand "$@"
}

[[ $REPEATS =~ ^[1-9][0-9]*$ ]] || { echo "bench/websocket.sh: --repeats must be a number from 1, not \"$REPEATS\"" >&2; exit 2; }
for kind in "${KINDS[@]}"; do
    url="ws://127.0.0.1:${PORT[$kind]}/echo"
    impl=$kind
    [[ $kind == netty ]] || impl=sockit
    # shellcheck disable=SC2086 # a variant's options are a list of words
    taskset -c 0 "$JAVA" "${SERVER_JVM[@]}" ${OPTS[$kind]} -cp "$BENCH_CLASSPATH" dev.sockit.bench.ServerMain "$impl" "$url" echo \
        >"$raw/server-$kind.log" 2>&1 &
    PID[$kind]=$!
done
for kind in "${KINDS[@]}"; do
    url="ws://127.0.0.1:${PORT[$kind]}/echo"
    for _ in $(seq 300); do grep -qs "listening on" "$raw/server-$kind.log" && break; sleep 0.1; done
    grep -qs "listening on" "$raw/server-$kind.log" \
        || { echo "bench/websocket.sh: the $kind server did not start: $(tail -3 "$raw/server-$kind.log")" >&2; exit 1; }
    for warm in "64 16" "1000 1"; do
        read -r conns depth <<<"$warm"
        bench "$url" --mode echo --conns "$conns" --depth "$depth" --duration 3s --warmup 0s --json >/dev/null 2>>"$raw/warm-$kind.err" || true
    done
done
for (( r = 1; r <= REPEATS; r++ )); do
    # Who goes first rotates by repeat, so drift of the machine falls on all alike.
    order=("${KINDS[@]:$(( (r - 1) % ${#KINDS[@]} ))}" "${KINDS[@]:0:$(( (r - 1) % ${#KINDS[@]} ))}")
    for cell in "${cells[@]}"; do
        read -r conns depth <<<"$cell"
        for kind in "${order[@]}"; do
            url="ws://127.0.0.1:${PORT[$kind]}/echo"
            out="$raw/$kind-$conns-$depth-$r"
            wait_idle
            bench "$url" --mode echo --conns "$conns" --depth "$depth" --size 64 --duration "$DURATION" --warmup "$WARMUP" \
                --server-pid "${PID[$kind]}" --busy-poll ${RATE:+--rate "$RATE"} --json >"$out.json" 2>"$out.err" \
                || echo "  $kind $conns x $depth: $(tail -1 "$out.err")" >&2
            printf '  %s/%s %-7s %5s conns x depth %-3s %12s msgs/s  p99 %s us\n' "$r" "$REPEATS" "$kind" "$conns" "$depth" \
                "$(jq -r '.msgs_per_s // 0 | floor' "$out.json" 2>/dev/null)" \
                "$(jq -r '.latency_us.p99 // "-"' "$out.json" 2>/dev/null)" >&2
        done
    done
done

# The median of a field over a kind's repeats of a cell (the lower middle of an even count); null if none ran.
median() { # KIND CONNS DEPTH JQ-FIELD
    local f values=()
    for f in "$raw/$1-$2-$3"-*.json; do
        [[ -s $f ]] && values+=("$(jq -r "$4 // empty" "$f")")
    done
    (( ${#values[@]} > 0 )) || { echo null; return; }
    printf '%s\n' "${values[@]}" | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "null"; else print v[int((NR + 1) / 2)] }'
}
disturbed() { # KIND CONNS DEPTH: how many repeats other processes disturbed
    local f n=0
    for f in "$raw/$1-$2-$3"-*.json; do
        [[ -s $f ]] && awk -v o="$(jq -r '.other_busy_cpus // 0' "$f")" 'BEGIN { exit !(o > 0.05) }' && n=$(( n + 1 ))
    done
    (( n > 0 )) && echo " ($n*)" || true
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == "null" || a == "null" || b == 0) print "–"; else printf "%.2f×", a / b }'; }
floor() { awk -v a="$1" 'BEGIN { if (a == "null") print "–"; else printf "%d", a }'; }
shortfall() { # KIND CONNS DEPTH: open loop, how many repeats fell short of --rate
    local f n=0 all=0
    for f in "$raw/$1-$2-$3"-*.json; do
        [[ -s $f ]] || continue
        all=$(( all + 1 ))
        awk -v m="$(jq -r '.msgs_per_s' "$f")" -v r="$RATE" -v s="$SHORT" 'BEGIN { exit !(m < r * s) }' && n=$(( n + 1 ))
    done
    (( n == 0 )) || echo " ($n of $all short)"
}
lagging() { # KIND CONNS DEPTH: open loop, how many repeats the generator released late (more than 1 ms on average)
    local f n=0
    for f in "$raw/$1-$2-$3"-*.json; do
        [[ -s $f && $(jq -r '.generator_saturated' "$f") == true ]] && n=$(( n + 1 ))
    done
    (( n == 0 )) || echo " ⚠$n"
}
report=$results
{
    echo "# WebSocket echo: sockit against Netty 4.2 ($stamp)"
    echo
    echo "64-byte text messages, \`sockit bench ws://\` as the generator for both, $DURATION measured after"
    echo "$WARMUP warmup per cell, $REPEATS repeats taking turns cell by cell; each figure the median of"
    echo "the repeats. Server on CPU 0 (JVM \`${SERVER_JVM[*]}\`), generator on CPU 1. (n\*): in n"
    echo "repeats other processes took more than 0.05 CPUs: disturbed. Commit $(cd "$ROOT_DIR" && git rev-parse --short HEAD)$(cd "$ROOT_DIR" && git status --porcelain -- core bench | grep -q . && echo ' + uncommitted changes' || true)."
    echo "Raw: bench/results/tmp/$(basename "$raw")."
    if [[ -n $RATE ]]; then
        echo
        echo "Open loop (\`--rate $RATE\`): $RATE requests per second in total, spread evenly over the connections, each reply"
        echo "timed from when its request was due. msgs/s is the rate achieved; (n of m short): n repeats fell more than 2% below"
        echo "the rate, that server could not keep up; ⚠n: in n repeats the generator released its requests over 1 ms late on average."
    fi
    echo
    echo "| conns × depth | sockit msgs/s | netty msgs/s | sockit/netty | sockit p99 µs | netty p99 µs | server CPU µs/msg sockit / netty |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    for cell in "${cells[@]}"; do
        read -r conns depth <<<"$cell"
        s=$(median sockit "$conns" "$depth" .msgs_per_s); n=$(median netty "$conns" "$depth" .msgs_per_s)
        echo "| $conns × $depth | $(floor "$s")$(disturbed sockit "$conns" "$depth")${RATE:+$(shortfall sockit "$conns" "$depth")} | $(floor "$n")$(disturbed netty "$conns" "$depth")${RATE:+$(shortfall netty "$conns" "$depth")} |" \
             "$(ratio "$s" "$n") | $(median sockit "$conns" "$depth" .latency_us.p99) | $(median netty "$conns" "$depth" .latency_us.p99) |" \
             "$(median sockit "$conns" "$depth" .server_cpu_us_per_msg) / $(median netty "$conns" "$depth" .server_cpu_us_per_msg) |"
    done
    if [[ -n $RATE ]]; then
        echo
        echo "The whole latency, medians of the repeats (µs), and each server's ÷ netty's."
        echo
        echo "| conns × depth | server | msgs/s | p50 | p99 | p99.9 | max | server CPU µs/msg | p50 / p99 / p99.9 / max ÷ netty | CPU/msg ÷ netty |"
        echo "|---|---|---:|---:|---:|---:|---:|---:|---|---:|"
        for cell in "${cells[@]}"; do
            read -r conns depth <<<"$cell"
            for kind in "${KINDS[@]}"; do
                row="| $conns × $depth | $kind | $(floor "$(median "$kind" "$conns" "$depth" .msgs_per_s)")$(shortfall "$kind" "$conns" "$depth")$(lagging "$kind" "$conns" "$depth") |"
                ratios=""
                for q in p50 p99 p99_9 max; do
                    v=$(median "$kind" "$conns" "$depth" ".latency_us.$q")
                    row+=" $(floor "$v") |"
                    ratios+="${ratios:+ / }$(ratio "$v" "$(median netty "$conns" "$depth" ".latency_us.$q")")"
                done
                v=$(median "$kind" "$conns" "$depth" .server_cpu_us_per_msg)
                echo "$row $v | $ratios | $(ratio "$v" "$(median netty "$conns" "$depth" .server_cpu_us_per_msg)") |"
            done
        done
    fi
    if (( ${#KINDS[@]} > 2 )); then
        echo
        echo "Variants: this build's sockit server with extra JVM options, in the same rounds."
        echo
        echo "| conns × depth | server | options | msgs/s | ÷ netty | ÷ sockit | p99 µs | server CPU µs/msg |"
        echo "|---|---|---|---:|---:|---:|---:|---:|"
        for cell in "${cells[@]}"; do
            read -r conns depth <<<"$cell"
            s=$(median sockit "$conns" "$depth" .msgs_per_s); n=$(median netty "$conns" "$depth" .msgs_per_s)
            for kind in "${KINDS[@]:2}"; do
                v=$(median "$kind" "$conns" "$depth" .msgs_per_s)
                echo "| $conns × $depth | $kind | \`${OPTS[$kind]}\` | $(floor "$v")$(disturbed "$kind" "$conns" "$depth") | $(ratio "$v" "$n") |" \
                     "$(ratio "$v" "$s") | $(median "$kind" "$conns" "$depth" .latency_us.p99) | $(median "$kind" "$conns" "$depth" .server_cpu_us_per_msg) |"
            done
        done
    fi
} >"$report"
echo "bench/websocket.sh: wrote $report" >&2
cat "$report"
