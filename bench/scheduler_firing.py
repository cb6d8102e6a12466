#!/usr/bin/env python3
"""Scheduler firing throughput on the virtual clock.

Creates S schedules `rate(1 minute)` whose universal target is ssm
PutParameter, then advances the virtual clock M minutes: S*M firings, each
committed to the store before its target is invoked. Reports the wall time of
the advance and firings per second (durable data directory).
Usage: bench/scheduler_firing.py [BINARY] [SCHEDULES] [MINUTES]
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "api"))
from sluice_server import SluiceServer  # noqa: E402

binary = sys.argv[1] if len(sys.argv) > 1 else "build/sluice"
schedules = int(sys.argv[2]) if len(sys.argv) > 2 else 100
minutes = int(sys.argv[3]) if len(sys.argv) > 3 else 20
os.environ["SLUICE_BINARY"] = binary

server = SluiceServer("--clock", "virtual").start()
try:
    scheduler = server.client("scheduler")
    ssm = server.client("ssm")
    for i in range(schedules):
        scheduler.create_schedule(
            Name=f"s{i}", ScheduleExpression="rate(1 minute)", FlexibleTimeWindow={"Mode": "OFF"},
            Target={"Arn": "arn:aws:scheduler:::aws-sdk:ssm:putParameter",
                    "RoleArn": "arn:aws:iam::000000000000:role/r",
                    "Input": json.dumps({"Name": f"/bench/s{i}", "Type": "String", "Overwrite": True,
                                         "Value": "<aws.scheduler.scheduled-time>"})})
    t0 = time.perf_counter()
    server.admin("/_sluice/clock/advance", {"seconds": minutes * 60 + 1})
    elapsed = time.perf_counter() - t0
    firings = schedules * minutes
    version = ssm.get_parameter(Name="/bench/s0")["Parameter"]["Version"]
    print(f"{firings} firings ({schedules} schedules x {minutes} min) in {elapsed:.2f} s: "
          f"{firings / elapsed:.0f} firings/s; /bench/s0 at version {version}")
finally:
    server.cleanup()
