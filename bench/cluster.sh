#!/usr/bin/env bash
# The cluster's cost: one node against two joined through a real redis-server, in one run.
# Broadcast: CLIENTS clients in one group (on one node, or half on each of two), node one
# broadcasts; time from just before the call until the median and the last client have it.
# Chat relay: one sender writes lines as fast as the server takes them; a reader on the same
# node (one node) or on the other (two) counts msgs/s delivered, what was lost across, and
# CPU per message delivered (this JVM, and redis-server). Writes bench/results/DATE-cluster.md.
#
#   bench/cluster.sh                          4,000 clients, 50 pushes, 5 s of relay
#   bench/cluster.sh --clients 8000 --pushes 100 --relay-seconds 10
#
# Servers, clients and the pushing loop share one JVM (so 2 × CLIENTS sockets: at most 9,000
# clients under the 20,000 open files); loopback only. Needs redis-server and Maven.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
ARGS=("$@")
command -v redis-server >/dev/null || { echo "bench/cluster.sh: redis-server not found (apt-get install -y redis-server)" >&2; exit 1; }
find_java
[[ -n "${NO_BUILD:-}" ]] || build
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no >/dev/null 2>&1 &
REDIS_PID=$!
trap 'kill "$REDIS_PID" 2>/dev/null || true' EXIT
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done
OUT="$BENCH_DIR/results/$(date -u +%Y-%m-%d-%H%M)-cluster.md"
{
    echo "# Cluster: one node against two on Redis ($(date -u +%Y-%m-%dT%H:%MZ))"
    echo
    echo "$(nproc) CPUs, $(redis-server --version | awk '{print $3}'), $("$JAVA" -version 2>&1 | head -1); servers, clients and pushing loop in one JVM; bench/cluster.sh ${ARGS[*]:-}"
    echo
    "$JAVA" -Xms1g -Xmx1g -cp "$BENCH_CLASSPATH" dev.sockit.bench.ClusterBench "redis://127.0.0.1:$PORT" "$REDIS_PID" "${ARGS[@]}"
} | tee "$OUT"
echo "bench/cluster.sh: wrote $OUT" >&2
