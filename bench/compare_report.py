#!/usr/bin/env python3
"""Prints the Sluice vs aws-local-stepfunctions comparison table.

usage: compare_report.py --sluice SLUICE.json... --peer PEER.json...

SLUICE files are `sluice_bench --benchmark_format=json` outputs, PEER files
`node bench/peer/run_peer.mjs` outputs (one or several of each; their results
are merged). Benchmarks are matched to workloads by
their letter: BM_a_PassChain <-> a_pass_chain, and so on.
"""

import json
import re
import sys

GOAL = 20.0  # required Sluice/peer transitions-per-second ratio on (a)-(c)


def load_sluice(paths):
    context, out = {}, {}
    for path in paths:
        with open(path) as f:
            doc = json.load(f)
        context = context or doc.get("context", {})
        for b in doc.get("benchmarks", []):
            m = re.match(r"BM_([a-z])_", b.get("name", ""))
            if not m or b.get("run_type", "iteration") != "iteration":
                continue
            out[m.group(1)] = b
    return context, out


def load_peer(paths):
    doc = {}
    results = []
    for path in paths:
        with open(path) as f:
            d = json.load(f)
        doc = doc or d
        results += d.get("results", [])
    doc = dict(doc, results=results)
    return doc, {r["name"][0]: r for r in results}


def parse_args(argv):
    groups = {"--sluice": [], "--peer": []}
    current = None
    for a in argv:
        if a in groups:
            current = groups[a]
        elif current is None:
            sys.exit(__doc__)
        else:
            current.append(a)
    if not groups["--sluice"] or not groups["--peer"]:
        sys.exit(__doc__)
    return groups["--sluice"], groups["--peer"]


def fmt_rate(v):
    return "-" if v is None else f"{v:,.0f}"


def fmt_us(v):
    return "-" if v is None else f"{v:,.2f}"


def fmt_ratio(v):
    return "-" if v is None else f"{v:,.1f}x"


def table(headers, rows):
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows)]
    line = lambda cells: "  ".join(
        str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(cells, widths))
    )
    print(line(headers))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print(line(r))


def main():
    sluice_paths, peer_paths = parse_args(sys.argv[1:])
    context, sluice = load_sluice(sluice_paths)
    peer_doc, peer = load_peer(peer_paths)
    notes = []

    def sluice_value(letter, key):
        b = sluice.get(letter)
        if b is None:
            notes.append(f"sluice: no result for workload ({letter})")
            return None
        if b.get("error_occurred"):
            notes.append(f"sluice ({letter}) failed: {b.get('error_message')}")
            return None
        return b.get(key)

    def peer_value(letter, key):
        r = peer.get(letter)
        if r is None:
            notes.append(f"peer: no result for workload ({letter})")
            return None
        if "error" in r:
            notes.append(f"peer ({letter}) failed: {r['error']}")
            return None
        return r.get(key)

    names = {r["name"][0]: r["name"] for r in peer_doc.get("results", [])}
    print(f"Sluice: {context.get('executable', '?')} (benchmark library build: "
          f"{context.get('library_build_type', '?')}, "
          f"{context.get('num_cpus', '?')} CPUs at {context.get('mhz_per_cpu', '?')} MHz)")
    print(f"Peer:   aws-local-stepfunctions {peer_doc.get('version')} on Node {peer_doc.get('node')}")
    print()

    rows = []
    for letter in "abc":
        s = sluice_value(letter, "transitions/s")
        p = peer_value(letter, "transitionsPerSecond")
        ratio = s / p if s and p else None
        goal = "-" if ratio is None else ("yes" if ratio >= GOAL else "no")
        rows.append([names.get(letter, letter), fmt_rate(s), fmt_rate(p), fmt_ratio(ratio),
                     goal])
    table(["workload", "sluice transitions/s", "peer transitions/s", "ratio",
           f">= {GOAL:.0f}x"], rows)
    print()

    rows = []
    for label, skey, pkey in (("median", "p50_us", "p50Us"), ("p99", "p99_us", "p99Us"),
                              ("mean", "real_time", "meanUs")):
        s = sluice_value("d", skey)
        if skey == "real_time" and s is not None:
            unit = sluice["d"].get("time_unit", "us")
            s = s * {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}[unit]
        p = peer_value("d", pkey)
        ratio = p / s if s and p else None
        rows.append([f"{names.get('d', 'd')} {label}", fmt_us(s), fmt_us(p), fmt_ratio(ratio)])
    table(["latency", "sluice us", "peer us", "peer/sluice"], rows)

    check = [(names[k], r["checkStateEntered"], r["transitionsPerExecution"])
             for k, r in sorted(peer.items())
             if "checkStateEntered" in r and r["checkStateEntered"] != r["transitionsPerExecution"]]
    for name, seen, expected in check:
        notes.append(f"peer {name}: its event log showed {seen} StateEntered events of {expected} "
                     "(nested events are forwarded asynchronously and can arrive after the "
                     "root log closes); rates use the workload's count")
    if notes:
        print()
        for n in dict.fromkeys(notes):
            print("note:", n)


if __name__ == "__main__":
    main()
