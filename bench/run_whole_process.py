#!/usr/bin/env python3
"""`sluice run` as a user runs it: the whole process (start, read the
definition and input, run, print the result) on one workload of
bench/workloads, timed from outside, against the in-process figures of the
same run of bench/compare.sh (Sluice's engine benchmark and the peer,
aws-local-stepfunctions, measured in-process as its users run it).

usage: run_whole_process.py --binary build/sluice --workloads bench/workloads
           --workload b_inline_map --sluice-json S.json --peer-json P.json
           [--runs 7] [--pin CORE]

Goals (issue 17): whole-process within 1.5x of the in-process engine, and at
least 20x the peer.
"""
import argparse
import json
import os
import re
import resource
import subprocess
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--workloads", required=True)
    ap.add_argument("--workload", default="b_inline_map")
    ap.add_argument("--sluice-json", required=True)
    ap.add_argument("--peer-json", required=True)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--pin", default="")
    args = ap.parse_args()
    manifest = json.load(open(os.path.join(args.workloads, "manifest.json")))
    w = next(x for x in manifest["workloads"] if x["name"] == args.workload)
    letter = args.workload[0]
    command = (["taskset", "-c", args.pin] if args.pin else []) + [
        args.binary, "run", os.path.join(args.workloads, w["definition"]),
        "--input", "@" + os.path.join(args.workloads, w["input"]), "--type", w["type"]]
    times = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        times.append(time.perf_counter() - t0)
        out = json.loads(done.stdout)
        assert out.get("status") == "SUCCEEDED", (done.stdout[:500], done.stderr[:500])
    rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    best = min(times)
    whole = w["transitionsPerExecution"] / best

    in_process = None
    for b in json.load(open(args.sluice_json)).get("benchmarks", []):
        if re.match(rf"BM_{letter}_", b.get("name", "")) and b.get("run_type") == "iteration":
            in_process = b.get("transitions/s")
    peer = None
    for r in json.load(open(args.peer_json)).get("results", []):
        if r.get("name", "")[0] == letter and "error" not in r:
            peer = r.get("transitionsPerSecond")

    print()
    print(f"sluice run, whole process ({w['name']}, {w['type']}, best of {args.runs}): "
          f"{best * 1000:.0f} ms, {whole:,.0f} transitions/s, max RSS {rss_mb:.0f} MB")
    if in_process:
        print(f"  in-process engine {in_process:,.0f} transitions/s: whole process is "
              f"{in_process / whole:.2f}x slower (goal <= 1.5x)")
    if peer:
        print(f"  peer in-process {peer:,.0f} transitions/s: sluice run is {whole / peer:.1f}x "
              f"faster (goal >= 20x)")


if __name__ == "__main__":
    main()
