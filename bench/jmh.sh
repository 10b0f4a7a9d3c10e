#!/usr/bin/env bash
# Runs the JMH micro-benchmarks of the framings. Arguments go to JMH; with none, every
# benchmark in LinesBenchmark runs.
#
#   bench/jmh.sh                                   all of LinesBenchmark
#   bench/jmh.sh LinesBenchmark -prof gc           plus bytes allocated per message (gc.alloc.rate.norm)
#   bench/jmh.sh LinesBenchmark.decode -p size=128 -p buffer=heap
#   bench/jmh.sh -h                                JMH's own options
#   NO_BUILD=1 bench/jmh.sh ...                    skip the build
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

find_java
[[ -n "${NO_BUILD:-}" ]] || build
(( $# > 0 )) || set -- LinesBenchmark
exec "$JAVA" -cp "$BENCH_CLASSPATH" org.openjdk.jmh.Main "$@"
