#!/usr/bin/env python3
"""Prints what run.sh shows a user, from the AWS CLI's JSON on stdin.

    show.py steps    < get-execution-history output   each state's duration
    show.py rows     < get-query-results output       an Athena result as a table
    show.py chunks   < a repartition execution's output   the INSERT INTO queries it ran
    show.py days     < get-partitions Values (JSON)        hour partitions per event day
    show.py versions < list-object-versions output        each version's class and size
    show.py wav FILE                                       a WAV file's format
"""
import collections
import datetime
import json
import sys


def when(event):
    t = event["timestamp"]
    if isinstance(t, (int, float)):
        return datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
    return datetime.datetime.fromisoformat(t.replace("Z", "+00:00"))


def steps(history):
    events = history["events"]
    entered, rows = {}, []
    for e in events:
        details = e.get("stateEnteredEventDetails") or e.get("stateExitedEventDetails")
        if not details:
            continue
        name = details["name"]
        if e["type"].endswith("StateEntered"):
            entered[name] = when(e)
        elif name in entered:
            rows.append((name, (when(e) - entered.pop(name)).total_seconds() * 1000))
    width = max(len(n) for n, _ in rows) if rows else 10
    for name, ms in rows:
        print(f"  {name:<{width}}  {ms:9.1f} ms")
    total = (when(events[-1]) - when(events[0])).total_seconds()
    print(f"  {'whole execution':<{width}}  {total * 1000:9.1f} ms")


def rows(result):
    data = [[c.get("VarCharValue", "") for c in r["Data"]] for r in result["ResultSet"]["Rows"]]
    if not data:
        return
    widths = [max(len(r[i]) for r in data) for i in range(len(data[0]))]
    for n, r in enumerate(data):
        print("  " + "  ".join(v.ljust(w) for v, w in zip(r, widths)))
        if n == 0:
            print("  " + "  ".join("-" * w for w in widths))


def chunks(output):
    for chunk, query in zip(output["chunks"], output["queries"]):
        print(f"  INSERT INTO events from {chunk['from']} to {chunk['to']}: query {query}")


def days(values):
    per_day = collections.Counter("-".join(v[:3]) for v in values)
    for day, n in sorted(per_day.items()):
        print(f"  {day}: {n} hour partitions")
    print(f"  total: {sum(per_day.values())}")


def versions(listing):
    for v in listing.get("Versions", []):
        which = "current " if v["IsLatest"] else "original"
        print(f"  {which} {v.get('StorageClass', 'STANDARD'):<11} {v['Size']:>7} bytes")


def wav(path):
    import struct
    with open(path, "rb") as f:
        head = f.read(36)
    fmt, channels, rate, _, _, bits = struct.unpack("<HHIIHH", head[20:36])
    name = {1: "PCM", 6: "A-law", 7: "mu-law"}.get(fmt, str(fmt))
    print(f"  {name}, {channels} channel(s), {rate} Hz, {bits}-bit")


if __name__ == "__main__":
    if sys.argv[1] == "wav":
        wav(sys.argv[2])
    else:
        commands = {"steps": steps, "rows": rows, "chunks": chunks, "days": days,
                    "versions": versions}
        commands[sys.argv[1]](json.load(sys.stdin))
