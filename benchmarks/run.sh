#!/usr/bin/env bash
# Builds the benchmarks jar and runs the whole suite in ONE JMH invocation (so every ratio comes from the
# same run), with the allocation profiler, then writes the table and the plot.
#
#   benchmarks/run.sh quick   # about 5 minutes: 1 warm-up + 2 measurement iterations of 1 s per point
#   benchmarks/run.sh full    # about 20 minutes: METHOD.md §2 settings (-wi 3 -w 2s -i 5 -r 2s)
#   benchmarks/run.sh key     # about 10 minutes: the headline ratios only (bare loop, Faultline inline, Guava,
#                             # EventAdmin sendEvent), 2 forks each, to re-check them on a quieter machine
#   benchmarks/run.sh headline # about 45 minutes: every row targets.tsv grades, 3 forks each (METHOD.md §2)
#   benchmarks/run.sh full 'Faultline|DirectCall'   # a subset (a JMH regex); more JMH options may follow
#
# Output: benchmarks/results/<mode>/{results.json,machine.txt,jmh.log,table.md,plot.svg}.
# Set SKIP_BUILD=1 to reuse benchmarks/target/benchmarks.jar.
set -euo pipefail
mode="${1:-quick}"
key_filter='DirectCallBenchmark.call|FaultlineBenchmark.inline|GuavaEventBusBenchmark.post|EventAdminBenchmark.sendEvent'
# the rows targets.tsv names, single-threaded (the _t2 variants are not graded)
headline_filter='(DirectCallBenchmark.call|FaultlineBenchmark.(inline|roundTrip|pipelined)|GuavaEventBusBenchmark.post|EventAdminBenchmark.sendEvent|DisruptorBenchmark.(roundTrip|pipelined)|EndToEndBenchmark.fault)$'
case "$mode" in
  key) default_filter="$key_filter" ;;
  headline) default_filter="$headline_filter" ;;
  *) default_filter='.*' ;;
esac
filter="${2:-$default_filter}"
shift $(( $# > 2 ? 2 : $# ))
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"

case "$mode" in
  quick) settings=(-f 1 -wi 1 -w 1s -i 2 -r 1s) ;;
  full)  settings=(-f 1 -wi 3 -w 2s -i 5 -r 2s) ;;
  key)   settings=(-f 2 -wi 3 -w 2s -i 5 -r 2s) ;;
  headline) settings=(-f 3 -wi 3 -w 2s -i 5 -r 2s) ;;
  *) echo "usage: $0 quick|full|key|headline [benchmark regex] [JMH options]" >&2; exit 2 ;;
esac

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  (cd "$root" && ./mvnw -B -q install -pl benchmarks -am -DskipTests)
fi

profilers=(-prof gc -prof dev.faultline.benchmarks.CpuTimeProfiler)
out="$here/results/$mode"
mkdir -p "$out"
{
  echo "date:    $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "kernel:  $(uname -srm)"
  echo "cpu:     $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "nproc:   $(nproc)"
  echo "memory:  $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
  echo "jdk:     $(java -version 2>&1 | sed -n 2p)"
  echo "jmh:     1.37"
  echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min, before the run)"
  echo "command: java -jar benchmarks/target/benchmarks.jar '$filter' ${settings[*]} ${profilers[*]} -rf json -rff results.json $*"
} > "$out/machine.txt"

# allocation and CPU time per fault beside every score (METHOD.md §4, §5); every fork pre-touches its 2 GiB heap
# (each benchmark's @Fork: -Xms2g -Xmx2g -XX:+AlwaysPreTouch, §2)
java -jar "$here/target/benchmarks.jar" "$filter" "${settings[@]}" "${profilers[@]}" \
  -rf json -rff "$out/results.json" "$@" 2>&1 | tee "$out/jmh.log"

echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min, after the run)" >> "$out/machine.txt"
python3 "$here/scripts/report.py" "$out"
