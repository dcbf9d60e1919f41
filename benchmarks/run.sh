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
#   SETTINGS='-f 3 -wi 2 -w 1s -i 3 -r 1s' benchmarks/run.sh headline   # the mode's forks and iterations replaced
#
# headline also runs the end-to-end rig with faults in flight (EndToEndInflightBenchmark: 8 devices x 8 PASIDs,
# the graded rows, and 1 x 1, the serial round trip beside them) in a second JMH invocation with the same settings:
# its rows are graded per CPU-second and per fault, against no peer, so they need not share the first run.
#
# Output: benchmarks/results/<mode>/{results.json,machine.txt,jmh.log,table.md,plot.svg}.
# Set SKIP_BUILD=1 to reuse benchmarks/target/benchmarks.jar.
set -euo pipefail
mode="${1:-quick}"
key_filter='DirectCallBenchmark.call|FaultlineBenchmark.inline|GuavaEventBusBenchmark.post|EventAdminBenchmark.sendEvent'
# the rows targets.tsv names, single-threaded (the _t2 variants are not graded)
headline_filter='(DirectCallBenchmark.call|FaultlineBenchmark.(inline|roundTrip|pipelined)|GuavaEventBusBenchmark.post|EventAdminBenchmark.sendEvent|DisruptorBenchmark.(roundTrip|pipelined))$'
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
if [ -n "${SETTINGS:-}" ]; then
  read -r -a settings <<< "$SETTINGS"
fi

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
  if [ "$mode" = headline ]; then
    echo "then:    java -jar benchmarks/target/benchmarks.jar 'EndToEndInflightBenchmark.fault\$' -p devices=N -p pasids=N (N = 8, then 1) with the same settings and profilers"
  fi
} > "$out/machine.txt"

# allocation and CPU time per fault beside every score (METHOD.md §4, §5); every fork pre-touches its 2 GiB heap
# (each benchmark's @Fork: -Xms2g -Xmx2g -XX:+AlwaysPreTouch, §2)
java -jar "$here/target/benchmarks.jar" "$filter" "${settings[@]}" "${profilers[@]}" \
  -rf json -rff "$out/results.json" "$@" 2>&1 | tee "$out/jmh.log"

if [ "$mode" = headline ]; then
  for lanes in 8 1; do
    java -jar "$here/target/benchmarks.jar" 'EndToEndInflightBenchmark.fault$' -p devices="$lanes" -p pasids="$lanes" \
      "${settings[@]}" "${profilers[@]}" -rf json -rff "$out/inflight-$lanes.json" 2>&1 | tee -a "$out/jmh.log"
  done
  # one results.json for the report: the first run's rows, then the in-flight rows
  python3 -c 'import json, sys; print(json.dumps(sum((json.load(open(f)) for f in sys.argv[1:]), []), indent=2))' \
    "$out/results.json" "$out/inflight-8.json" "$out/inflight-1.json" > "$out/results.all.json"
  mv "$out/results.all.json" "$out/results.json"
fi

echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min, after the run)" >> "$out/machine.txt"
python3 "$here/scripts/report.py" "$out"
