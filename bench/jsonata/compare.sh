#!/usr/bin/env bash
# JSONata throughput: Sluice (C++, bench/jsonata_bench.cpp) against the
# reference JavaScript implementation (jsonata@2.0.6) on the same expressions
# and data (bench/jsonata/workloads.json over data.json), in the same run and
# pinned to the same core. Prints evaluations/s and the Sluice/JS ratio, by
# wall clock and by CPU time (the CPU figures are steadier on a busy machine).
#
#   bench/jsonata/compare.sh
#   BUILD_DIR=build-bench CORE=1 MIN_TIME=2 bench/jsonata/compare.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$root/build-bench}"
CORE="${CORE:-0}"
MIN_TIME="${MIN_TIME:-1}"
OUT_DIR="${OUT_DIR:-$(mktemp -d -t sluice-jsonata-bench.XXXXXX)}"
mkdir -p "$OUT_DIR"

pin=()
if command -v taskset >/dev/null 2>&1; then
  pin=(taskset -c "$CORE")
else
  echo "warning: taskset not found; running unpinned" >&2
fi

if [[ ! -d "$here/node_modules/jsonata" ]]; then
  echo "installing jsonata@2.0.6 into bench/jsonata ..." >&2
  npm install --prefix "$here" --no-audit --no-fund >&2
fi

bench_bin="$BUILD_DIR/bench/sluice_bench"
if [[ ! -x "$bench_bin" ]]; then
  if [[ ! -f "$BUILD_DIR/build.ninja" && ! -f "$BUILD_DIR/Makefile" ]]; then
    cmake -S "$root" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSLUICE_BENCH=ON >&2
  fi
  cmake --build "$BUILD_DIR" --target sluice_bench >&2
fi

echo "sluice: $bench_bin (min time ${MIN_TIME}s, core $CORE)" >&2
SLUICE_JSONATA_BENCH_DIR="$here" "${pin[@]}" "$bench_bin" --benchmark_filter='BM_Jsonata_' \
  --benchmark_min_time="$MIN_TIME" --benchmark_format=json >"$OUT_DIR/sluice.json"
echo "peer:   node $(node --version), jsonata $(node -p "require('$here/node_modules/jsonata/package.json').version")" >&2
"${pin[@]}" node "$here/run_peer.mjs" "$MIN_TIME" >"$OUT_DIR/peer.jsonl"

python3 - "$OUT_DIR/sluice.json" "$OUT_DIR/peer.jsonl" <<'PY'
import json, sys
names = {"BM_Jsonata_Path": "path", "BM_Jsonata_FilterAggregate": "filter_aggregate",
         "BM_Jsonata_StringMapJoin": "string_map_join"}
ours = {}
for b in json.load(open(sys.argv[1]))["benchmarks"]:
    base = b["name"].split("/")[0]
    if base not in names:
        continue
    scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b.get("time_unit", "ns")]
    ours[names[base]] = (1 / (b["real_time"] * scale), 1 / (b["cpu_time"] * scale))
peer = {}
for line in open(sys.argv[2]):
    r = json.loads(line)
    peer[r["name"]] = (r["evals_per_sec"], r["cpu_evals_per_sec"])
print("%-18s %14s %14s %8s   %14s %14s %8s" % ("workload", "sluice wall/s", "js wall/s", "ratio",
                                                 "sluice cpu/s", "js cpu/s", "ratio"))
for name in ["path", "filter_aggregate", "string_map_join"]:
    if name not in ours or name not in peer:
        continue
    (ow, oc), (pw, pc) = ours[name], peer[name]
    print("%-18s %14.0f %14.0f %7.1fx   %14.0f %14.0f %7.1fx" % (name, ow, pw, ow / pw, oc, pc, oc / pc))
PY
echo "raw results: $OUT_DIR" >&2
