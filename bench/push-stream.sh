#!/usr/bin/env bash
# A stream of distinct pushes to each connection (PushStream): core's Server sends PUSHES
# different lines to every connection, each from a thread of its own through send(), as fast
# as they go out, and a reader in another process checks them in order. The case a
# broadcast's shared frame does nothing for. Builds of sockit take turns (--image), so the
# figures compare them in one run. Writes bench/results/DATE-push-stream.md; about 3 minutes
# with the defaults.
#
#   bench/push-stream.sh --no-build                          this build alone
#   bench/push-stream.sh --no-build --image noshare=/work/wt/noshare
#                                   another checkout's build (built there: bench/target) in turn
#   bench/push-stream.sh --cells "1@0 4@0-1" --rounds 5 --pushes 500000 --size 64
#
# A cell is CONNS@CPUS: that many connections, each pushed by its own thread, the server
# pinned to CPUS (0, or 0-1 to let pushers on two cores meet on whatever they share), the
# reader on CPU 1 (or 0-1 with the server). Each server run sends 2 unmeasured phases, then
# 3 timed ones of PUSHES lines per connection; a figure is the median of all timed phases of
# all rounds, with their spread. The builds' order rotates by round. Needs Linux, taskset,
# 2 CPUs, Maven unless --no-build.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ROUNDS=3
PUSHES=500000
SIZE=64
CELLS="1@0 4@0-1"
NO_BUILD=${NO_BUILD:-}
SERVER_JVM=(-Xms1g -Xmx1g -XX:MaxNewSize=32m)
READER_JVM=(-Xms256m -Xmx256m)
WARM_PHASES=2
TIMED_PHASES=3
declare -A DIR=([main]=$ROOT_DIR)
IMAGES=(main)

while (( $# > 0 )); do
    case "$1" in
        --rounds) ROUNDS=${2:?--rounds needs a number}; shift 2 ;;
        --pushes) PUSHES=${2:?--pushes needs a number per connection and phase}; shift 2 ;;
        --size) SIZE=${2:?--size needs a number of bytes, newline included}; shift 2 ;;
        --cells) CELLS=${2:?--cells needs a list, e.g. \"1@0 4@0-1\"}; shift 2 ;;
        --no-build) NO_BUILD=1; shift ;;
        --image)
            image=${2:?--image needs NAME=DIR, e.g. noshare=/work/wt/noshare}; name=${image%%=*}
            [[ $image == *=* && $name =~ ^[a-z][a-z0-9]*$ && -z ${DIR[$name]:-} ]] \
                || { echo "bench/push-stream.sh: --image \"$image\": give NAME=DIR with a new lower-case NAME" >&2; exit 2; }
            [[ -d ${image#*=}/bench/target/classes ]] \
                || { echo "bench/push-stream.sh: --image $image: no bench/target/classes there; build it: (cd ${image#*=} && mvn -q -DskipTests -pl core,bench -am package)" >&2; exit 2; }
            DIR[$name]=${image#*=}; IMAGES+=("$name"); shift 2 ;;
        -h|--help) sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench/push-stream.sh: unknown argument \"$1\"; see bench/push-stream.sh --help" >&2; exit 2 ;;
    esac
done
for v in ROUNDS PUSHES SIZE; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || { echo "bench/push-stream.sh: --${v,,} must be a number from 1, not \"${!v}\"" >&2; exit 2; }
done
for cell in $CELLS; do
    [[ $cell =~ ^([1-9][0-9]*)@(0|0-1)$ ]] && (( BASH_REMATCH[1] <= 64 )) \
        || { echo "bench/push-stream.sh: cell \"$cell\" is not CONNS@CPUS with 1 to 64 connections and CPUS 0 or 0-1, e.g. 4@0-1" >&2; exit 2; }
done
command -v taskset >/dev/null 2>&1 || { echo "bench/push-stream.sh: taskset not found; install util-linux" >&2; exit 1; }
find_java
[[ -n "$NO_BUILD" ]] || build

result_files push-stream
server_pid=
cleanup() { [[ -z $server_pid ]] || { kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; } || true; }
trap cleanup EXIT

run() { # IMAGE CELL ROUND -> $raw/IMAGE-CELL-ROUND.out: the server's phase lines
    local image=$1 cell=$2 round=$3 conns=${2%@*} cpus=${2#*@} out log reader_cpus=1
    [[ $cpus == 0 ]] || reader_cpus=0-1
    out="$raw/$image-${cell/@/at}-$round"
    taskset -c "$cpus" timeout 300 "$JAVA" "${SERVER_JVM[@]}" -cp "${DIR[$image]}/bench/target/classes:${DIR[$image]}/bench/target/lib/*" \
        dev.sockit.bench.PushStream serve "$conns" "$PUSHES" "$SIZE" $((WARM_PHASES + TIMED_PHASES)) >"$out.out" 2>"$out.err" &
    server_pid=$!
    for _ in $(seq 300); do grep -qs "listening on" "$out.out" && break; sleep 0.1; done
    port=$(sed -n 's/^listening on \([0-9]*\) .*/\1/p' "$out.out")
    [[ -n $port ]] || { echo "bench/push-stream.sh: the $image server did not start: $(tail -3 "$out.err")" >&2; exit 1; }
    taskset -c "$reader_cpus" timeout 300 "$JAVA" "${READER_JVM[@]}" -cp "$BENCH_CLASSPATH" \
        dev.sockit.bench.PushStream read "$port" "$conns" "$PUSHES" $((WARM_PHASES + TIMED_PHASES)) 2>"$out.reader.err" \
        || echo "  $image $cell round $round: the reader failed: $(tail -1 "$out.reader.err")" >&2
    wait "$server_pid" || echo "  $image $cell round $round: the server failed: $(tail -1 "$out.err")" >&2
    server_pid=
    awk -v w="$WARM_PHASES" -v img="$image" -v cell="$cell" -v r="$round" '$1 == "phase" && $2 >= w {
        printf "  %s/%s %-8s %-6s %10.0f msgs/s  %6.3f us CPU/msg  %6.1f B/msg\n", r, '"$ROUNDS"', img, cell, $3 / ($4 / 1e9), $5 / 1e3 / $3, $6 / $3
    }' "$out.out" >&2
}

for (( r = 1; r <= ROUNDS; r++ )); do
    # Who goes first rotates by round, so drift of the machine falls on all alike.
    order=("${IMAGES[@]:$(( (r - 1) % ${#IMAGES[@]} ))}" "${IMAGES[@]:0:$(( (r - 1) % ${#IMAGES[@]} ))}")
    for cell in $CELLS; do
        for image in "${order[@]}"; do
            wait_idle
            run "$image" "$cell" "$r"
        done
    done
done

# The median and spread of one figure over an image's timed phases in a cell: "MEDIAN (MIN–MAX)".
stat() { # IMAGE CELL AWK-EXPRESSION-OF-A-PHASE-LINE FORMAT
    cat "$raw/$1-${2/@/at}"-*.out 2>/dev/null | awk -v w="$WARM_PHASES" '$1 == "phase" && $2 >= w { print '"$3"' }' | sort -g \
        | awk -v f="$4" '{ v[NR] = $1 } END { if (NR == 0) print "–"; else printf f " (" f "–" f ")\n", v[int((NR + 1) / 2)], v[1], v[NR] }'
}
median() { # IMAGE CELL AWK-EXPRESSION
    cat "$raw/$1-${2/@/at}"-*.out 2>/dev/null | awk -v w="$WARM_PHASES" '$1 == "phase" && $2 >= w { print '"$3"' }' | sort -g \
        | awk '{ v[NR] = $1 } END { if (NR == 0) print "null"; else print v[int((NR + 1) / 2)] }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == "null" || a == "null" || b == 0) print "–"; else printf "%.3f×", a / b }'; }
RATE='$3 / ($4 / 1e9)'; CPU='$5 / 1e3 / $3'; ALLOC='$6 / $3'; GCS='$7'
report=$results
{
    echo "# A stream of distinct pushes per connection ($stamp)"
    echo
    echo "\`bench/push-stream.sh\`: $PUSHES distinct lines of $SIZE bytes per connection and phase, each connection"
    echo "pushed by a thread of its own through \`send\`; $WARM_PHASES unmeasured phases, then $TIMED_PHASES timed, per server"
    echo "run; $ROUNDS rounds, the builds taking turns. Figures: median (min–max) of the timed phases. Server JVM"
    echo "\`${SERVER_JVM[*]}\`. Builds: $(for i in "${IMAGES[@]}"; do printf '%s = %s (%s%s); ' "$i" "${DIR[$i]}" \
        "$(git -C "${DIR[$i]}" rev-parse --short HEAD)" "$(git -C "${DIR[$i]}" status --porcelain -- core bench | grep -q . && echo ' + uncommitted changes' || true)"; done)"
    echo "Raw: bench/results/tmp/$(basename "$raw")."
    echo
    echo "| cell (conns@server CPUs) | build | msgs/s | ÷ main | server CPU µs/msg | ÷ main | heap B/msg | collections a phase |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|"
    for cell in $CELLS; do
        for image in "${IMAGES[@]}"; do
            echo "| $cell | $image | $(stat "$image" "$cell" "$RATE" '%.0f') | $(ratio "$(median "$image" "$cell" "$RATE")" "$(median main "$cell" "$RATE")") |" \
                 "$(stat "$image" "$cell" "$CPU" '%.3f') | $(ratio "$(median "$image" "$cell" "$CPU")" "$(median main "$cell" "$CPU")") |" \
                 "$(stat "$image" "$cell" "$ALLOC" '%.1f') | $(stat "$image" "$cell" "$GCS" '%d') |"
        done
    done
} >"$report"
echo "bench/push-stream.sh: wrote $report" >&2
cat "$report"
