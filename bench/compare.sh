#!/usr/bin/env bash
# Runs the shared workloads on Sluice (Google Benchmark, build/bench/sluice_bench)
# and on the npm package aws-local-stepfunctions in the same run, both pinned
# to one core, and prints a comparison table.
#
#   bench/compare.sh                 # uses $BUILD_DIR (default /work/main/build)
#   BUILD_DIR=build-bench CORE=1 MIN_TIME=2 bench/compare.sh
#
# Environment:
#   BUILD_DIR  CMake build dir holding bench/sluice_bench (built if missing;
#              configure it with -DCMAKE_BUILD_TYPE=Release for real figures)
#   CORE       CPU both sides are pinned to (default 0)
#   MIN_TIME   minimum measured seconds per throughput workload, each side (default 1)
#   WARMUP     untimed seconds of executions before each workload, each side (default 0.5)
#   LATENCY_RUNS  executions timed for the latency workload (d) on the peer
#              (default 100000, the count engine_bench.cpp uses)
#   OUT_DIR    where the raw JSON results go (default a temp dir)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-/work/main/build}"
CORE="${CORE:-0}"
MIN_TIME="${MIN_TIME:-1}"
WARMUP="${WARMUP:-0.5}"
LATENCY_RUNS="${LATENCY_RUNS:-100000}"
OUT_DIR="${OUT_DIR:-$(mktemp -d -t sluice-bench.XXXXXX)}"
mkdir -p "$OUT_DIR"

pin=()
if command -v taskset >/dev/null 2>&1; then
  pin=(taskset -c "$CORE")
else
  echo "warning: taskset not found; running unpinned" >&2
fi

# Peer: install once.
if [[ ! -d "$here/peer/node_modules/aws-local-stepfunctions" ]]; then
  echo "installing aws-local-stepfunctions into bench/peer ..." >&2
  npm install --prefix "$here/peer" --no-audit --no-fund >&2
fi

# Sluice: build the bench target if it is not there.
bench_bin="$BUILD_DIR/bench/sluice_bench"
if [[ ! -x "$bench_bin" ]]; then
  if [[ ! -f "$BUILD_DIR/build.ninja" && ! -f "$BUILD_DIR/Makefile" ]]; then
    cmake -S "$root" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >&2
  fi
  cmake --build "$BUILD_DIR" --target sluice_bench >&2
fi

# One process per workload and side, alternating sides, so that one workload's
# heap (or a leak) cannot slow down the next one and both sides of a row run
# close together in time.
workloads=$(python3 -c 'import json,sys; print(" ".join(w["name"] for w in json.load(open(sys.argv[1]))["workloads"]))' \
  "$here/workloads/manifest.json")
echo "sluice: $bench_bin; peer: node $(node --version); pinned: ${pin[*]:-none}" >&2
sluice_out=()
peer_out=()
for w in $workloads; do
  letter="${w%%_*}"
  echo "  $w ..." >&2
  SLUICE_BENCH_WORKLOADS="$here/workloads" "${pin[@]}" "$bench_bin" \
    --benchmark_filter="^BM_${letter}_" \
    --benchmark_format=json --benchmark_min_time="${MIN_TIME}" \
    --benchmark_min_warmup_time="${WARMUP}" \
    >"$OUT_DIR/sluice_$w.json"
  sluice_out+=("$OUT_DIR/sluice_$w.json")
  SLUICE_BENCH_WORKLOADS="$here/workloads" "${pin[@]}" node "$here/peer/run_peer.mjs" \
    --only "$w" --min-time "$MIN_TIME" --warmup "$WARMUP" --latency-runs "$LATENCY_RUNS" \
    >"$OUT_DIR/peer_$w.json"
  peer_out+=("$OUT_DIR/peer_$w.json")
done

echo "raw results: $OUT_DIR" >&2
python3 "$here/compare_report.py" --sluice "${sluice_out[@]}" --peer "${peer_out[@]}"

# `sluice run` as a user runs it (the whole process) on the inline Map,
# against both in-process figures above.
SLUICE_BIN="${SLUICE_BIN:-$BUILD_DIR/sluice}"
if [[ -x "$SLUICE_BIN" && -f "$OUT_DIR/sluice_b_inline_map.json" ]]; then
  python3 "$here/run_whole_process.py" --binary "$SLUICE_BIN" --workloads "$here/workloads" \
    --workload b_inline_map --sluice-json "$OUT_DIR/sluice_b_inline_map.json" \
    --peer-json "$OUT_DIR/peer_b_inline_map.json" ${pin:+--pin "$CORE"}
fi
