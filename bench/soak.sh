#!/usr/bin/env bash
# Soaks a `sockit server --mode chat` on loopback with mixed clients in separate processes
# (chatting, over-long lines, garbage, resets mid-line, slow readers, tricklers, quick
# leavers) for a bounded time, sampling the server's RSS, open file descriptors and threads.
#   bench/soak.sh                       # 3 minutes, 4 load processes of 50 clients
#   bench/soak.sh --duration 60 --processes 2 --clients 25 --interval 2
# Writes bench/results/soak-TIMESTAMP.csv (one row per sample) and prints a summary.
# Loopback only; not part of `mvn verify`.
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
duration=180 processes=4 clients=50 interval=5
while [ $# -gt 0 ]; do
    case "$1" in
        --duration) duration=$2; shift 2 ;;
        --processes) processes=$2; shift 2 ;;
        --clients) clients=$2; shift 2 ;;
        --interval) interval=$2; shift 2 ;;
        -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
        *) echo "soak: unknown option $1 (try --help)" >&2; exit 2 ;;
    esac
done
[ -d /proc/self/fd ] || { echo "soak: needs Linux /proc to sample the server" >&2; exit 1; }
. "$root/bin/lib/jdk.sh"
sockit_find_jdk || exit 1
[ "$duration" -le 3600 ] || { echo "soak: --duration is capped at 3600 seconds" >&2; exit 2; }

out="$root/bench/results"
mkdir -p "$out"
stamp=$(date +%Y%m%d-%H%M%S)
csv="$out/soak-$stamp.csv"
log="$out/soak-$stamp.server.log"

# Build (if the sources changed) and start the server; bin/sockit execs java, so $! is the JVM.
"$root/bin/sockit" --version >/dev/null
"$root/bin/sockit" server tcp://127.0.0.1:0 --mode chat --quiet --no-console >"$log" 2>&1 &
server=$!
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    kill "$server" 2>/dev/null || true
}
trap cleanup EXIT
port=""
for _ in $(seq 1 200); do
    port=$(sed -n 's/^Server start at: .*:\([0-9]*\)$/\1/p' "$log" | head -n 1)
    [ -n "$port" ] && break
    kill -0 "$server" 2>/dev/null || { cat "$log" >&2; echo "soak: the server did not start" >&2; exit 1; }
    sleep 0.1
done
[ -n "$port" ] || { echo "soak: no start line from the server in 20 s" >&2; exit 1; }
echo "soak: server pid $server on 127.0.0.1:$port; $processes processes x $clients clients for ${duration}s; samples every ${interval}s -> $csv" >&2

sample() { # seconds rss_kib fds threads
    local rss threads fds
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$server/status")
    threads=$(awk '/^Threads:/ {print $2}' "/proc/$server/status")
    fds=$(ls "/proc/$server/fd" | wc -l)
    echo "$1,$rss,$fds,$threads,$2" >>"$csv"
}
echo "seconds,rss_kib,fds,threads,phase" >"$csv"
start=$(date +%s)
sample 0 idle-before

for i in $(seq 1 "$processes"); do
    "$JAVA_HOME/bin/java" -Xmx256m "$root/bench/SoakClient.java" "$port" "$clients" "$duration" "$i" \
        >"$out/soak-$stamp.client-$i.log" 2>&1 &
    pids+=($!)
done
while :; do
    sleep "$interval"
    now=$(( $(date +%s) - start ))
    running=0
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && running=1; done
    [ "$running" = 1 ] || break
    sample "$now" load
    [ "$now" -le $((duration + 60)) ] || { echo "soak: clients overran the duration; stopping them" >&2; break; }
done
for p in "${pids[@]}"; do wait "$p" || true; done
pids=()
# Give the server the clients' farewells and lingering closes, then sample it idle again.
for _ in 1 2 3; do sleep "$interval"; sample $(( $(date +%s) - start )) idle-after; done

t0=$(date +%s%N)
kill -TERM "$server"
for _ in $(seq 1 100); do kill -0 "$server" 2>/dev/null || break; sleep 0.1; done
stop_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
kill -0 "$server" 2>/dev/null && { echo "soak: the server did not stop within 10 s of SIGTERM" >&2; kill -9 "$server"; }
trap - EXIT

echo "--- clients" >&2
cat "$out"/soak-"$stamp".client-*.log >&2
echo "--- samples (seconds, RSS KiB, fds, threads, phase)" >&2
column -s, -t "$csv" >&2 || cat "$csv" >&2
awk -F, -v stop="$stop_ms" 'NR > 1 {
        if (NR == 2) { r0 = $2; f0 = $3; t0 = $4 }
        if ($2 > rmax) rmax = $2; if ($3 > fmax) fmax = $3; if ($4 > tmax) tmax = $4
        r1 = $2; f1 = $3; t1 = $4 }
    END { printf "soak: RSS %d -> max %d -> %d KiB; fds %d -> max %d -> %d; threads %d -> max %d -> %d; stopped %d ms after SIGTERM\n",
          r0, rmax, r1, f0, fmax, f1, t0, tmax, t1, stop }' "$csv"
