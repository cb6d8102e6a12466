#!/usr/bin/env python3
"""Generates the benchmark workloads shared by Sluice and the peer.

Run from anywhere: `python3 bench/workloads/generate.py`. The output is
deterministic (no randomness, sorted manifest), so re-running it must leave the
committed files unchanged.

Each workload is three things:
  <name>.asl.json    the state machine definition (valid ASL, JSONPath mode)
  <name>.input.json  the execution input
  manifest.json      one entry per workload: files, the type it would be created
                     as on AWS, and how many states one execution enters (the
                     number of *StateEntered history events), which both sides
                     use to turn executions/s into transitions/s, and
                     whether the workload measures throughput or latency.
"""

import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def dump(obj):
    return json.dumps(obj, indent=1, sort_keys=False) + "\n"


def compact(obj):
    return json.dumps(obj, separators=(",", ":"))


def one_kib_input():
    """A ~1 KiB order-like document (exactly 1024 bytes in compact form)."""
    doc = {
        "payload": {
            "id": "order-000042",
            "source": "web",
            "customer": {"id": "c-1001", "name": "Ada Lovelace", "tier": "gold"},
            "tags": ["priority", "gift", "eu"],
            "lines": [
                {"sku": "SKU-%04d" % i, "qty": i % 5 + 1, "price": 9.5 + i}
                for i in range(10)
            ],
        },
        "note": "",
    }
    size = len(compact(doc).encode())
    if size > 1024:
        raise SystemExit("base document already larger than 1 KiB: %d" % size)
    doc["note"] = "x" * (1024 - size)
    assert len(compact(doc).encode()) == 1024
    return doc


def pass_chain(n=1000):
    """(a) n Pass states in a chain, each with Parameters and ResultPath."""
    states = {}
    for i in range(n):
        name = "Step%04d" % i
        state = {
            "Type": "Pass",
            "Parameters": {
                "step": i,
                "orderId.$": "$.payload.id",
                "customer.$": "$.payload.customer.name",
                "tags.$": "$.payload.tags",
            },
            "ResultPath": "$.last",
        }
        if i + 1 < n:
            state["Next"] = "Step%04d" % (i + 1)
        else:
            state["End"] = True
        states[name] = state
    definition = {
        "Comment": "Chain of %d Pass states with Parameters and ResultPath" % n,
        "StartAt": "Step0000",
        "States": states,
    }
    return definition, one_kib_input(), n


def inline_map(items=10000):
    """(b) inline Map; each item goes through 3 Pass states and a Choice."""
    processor = {
        "ProcessorConfig": {"Mode": "INLINE"},
        "StartAt": "Normalize",
        "States": {
            "Normalize": {
                "Type": "Pass",
                "Parameters": {"id.$": "$.id", "value.$": "$.value"},
                "Next": "Enrich",
            },
            "Enrich": {
                "Type": "Pass",
                "Result": {"region": "eu-west-1"},
                "ResultPath": "$.meta",
                "Next": "Route",
            },
            "Route": {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$.value", "NumericGreaterThanEquals": items // 2, "Next": "High"}
                ],
                "Default": "Low",
            },
            "High": {
                "Type": "Pass",
                "Parameters": {"id.$": "$.id", "band": "high"},
                "End": True,
            },
            "Low": {
                "Type": "Pass",
                "Parameters": {"id.$": "$.id", "band": "low"},
                "End": True,
            },
        },
    }
    definition = {
        "Comment": "Inline Map over %d items, each through 3 Pass states and a Choice" % items,
        "StartAt": "ForEach",
        "States": {
            "ForEach": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemProcessor": processor,
                "End": True,
            }
        },
    }
    doc = {"items": [{"id": i, "value": i} for i in range(items)]}
    # The Map state itself, then Normalize, Enrich, Route and High|Low per item.
    return definition, doc, 1 + 4 * items


def parallel(branches=10, depth=10):
    """(c) a Parallel state of `branches` branches, each a chain of `depth` Pass states."""
    branch_defs = []
    for b in range(branches):
        states = {}
        for i in range(depth):
            name = "B%dS%d" % (b, i)
            state = {"Type": "Pass", "Parameters": {"branch": b, "step": i, "in.$": "$.seed"},
                     "ResultPath": "$.last"}
            if i + 1 < depth:
                state["Next"] = "B%dS%d" % (b, i + 1)
            else:
                state["End"] = True
            states[name] = state
        branch_defs.append({"StartAt": "B%dS0" % b, "States": states})
    definition = {
        "Comment": "Parallel of %d branches x %d Pass states" % (branches, depth),
        "StartAt": "FanOut",
        "States": {"FanOut": {"Type": "Parallel", "Branches": branch_defs, "End": True}},
    }
    return definition, {"seed": 7}, 1 + branches * depth


def single_state():
    """(d) the smallest execution: one Pass state."""
    definition = {
        "Comment": "One Pass state, for start-to-finish latency",
        "StartAt": "Only",
        "States": {"Only": {"Type": "Pass", "End": True}},
    }
    return definition, {"hello": "world"}, 1


WORKLOADS = [
    ("a_pass_chain", "(a) chain of 1,000 Pass states with Parameters and ResultPath, 1 KiB input",
     "STANDARD", pass_chain),
    # On AWS this has to be an EXPRESS machine: a Standard execution would pass
    # the 25,000-event history quota (10,000 iterations record ~100,000 events).
    ("b_inline_map", "(b) inline Map over 10,000 items, each through 3 Pass states and a Choice",
     "EXPRESS", inline_map),
    ("c_parallel", "(c) Parallel of 10 branches x 10 Pass states", "STANDARD", parallel),
    ("d_single_state", "(d) one-state execution, start-to-finish latency", "STANDARD",
     single_state),
]


def main():
    manifest = []
    for name, description, kind, build in WORKLOADS:
        definition, doc, transitions = build()
        with open(os.path.join(HERE, name + ".asl.json"), "w") as f:
            f.write(dump(definition))
        with open(os.path.join(HERE, name + ".input.json"), "w") as f:
            f.write(compact(doc) + "\n")
        manifest.append({
            "name": name,
            "description": description,
            "type": kind,
            "definition": name + ".asl.json",
            "input": name + ".input.json",
            "transitionsPerExecution": transitions,
            "measure": "latency" if name.startswith("d_") else "throughput",
        })
    with open(os.path.join(HERE, "manifest.json"), "w") as f:
        f.write(json.dumps({"workloads": manifest}, indent=2) + "\n")


if __name__ == "__main__":
    main()
