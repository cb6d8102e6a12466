#!/usr/bin/env python3
"""Glue Data Catalog benchmark (bounded, ~30 s): a table with 10,000
partitions (year/month/day/hour) created with BatchCreatePartition, then
GetPartitions over all of them (pages of 1,000), with an Expression keeping
one day (24 partitions), and GetPartition point reads, over HTTP with boto3 as
a user runs it. The peer is the same paging of GetDatabases on a one-entry
catalog (the per-call floor of boto3 and the server, same run).

    bench/glue_catalog_bench.py [--build build] [--partitions 10000]
"""
import argparse
import time

import boto3
from botocore.config import Config

from bench_server import sluice_server


def timed(fn, repeat=1):
    t = time.perf_counter()
    for _ in range(repeat):
        result = fn()
    return (time.perf_counter() - t) / repeat * 1000, result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--partitions", type=int, default=10000)
    args = ap.parse_args()
    with sluice_server(args.build) as port:
        glue = boto3.client("glue", endpoint_url=f"http://127.0.0.1:{port}",
                            region_name="us-east-1", aws_access_key_id="test",
                            aws_secret_access_key="test",
                            config=Config(retries={"max_attempts": 1}))
        glue.create_database(DatabaseInput={"Name": "bench"})
        keys = [{"Name": k, "Type": "string"} for k in ("year", "month", "day", "hour")]
        glue.create_table(DatabaseName="bench", TableInput={
            "Name": "events", "PartitionKeys": keys,
            "StorageDescriptor": {"Columns": [{"Name": "id", "Type": "bigint"}],
                                  "Location": "s3://lake/events/"}})
        values = []
        for i in range(args.partitions):
            day, hour = divmod(i, 24)
            month, day = divmod(day, 28)
            year, month = divmod(month, 12)
            values.append([str(2000 + year), f"{month + 1:02d}", f"{day + 1:02d}",
                           f"{hour:02d}"])

        def create():
            for i in range(0, len(values), 100):
                glue.batch_create_partition(DatabaseName="bench", TableName="events",
                                            PartitionInputList=[
                                                {"Values": v, "StorageDescriptor": {
                                                    "Location": "s3://lake/events/" +
                                                    "/".join(f"{k['Name']}={x}"
                                                             for k, x in zip(keys, v))}}
                                                for v in values[i:i + 100]])
        create_ms, _ = timed(create)

        def scan(expression=None):
            kwargs = {"DatabaseName": "bench", "TableName": "events",
                      "PaginationConfig": {"PageSize": 1000}}
            if expression:
                kwargs["Expression"] = expression
            return sum(len(p["Partitions"]) for p in
                       glue.get_paginator("get_partitions").paginate(**kwargs))
        scan_ms, count = timed(scan, 3)
        assert count == args.partitions, count
        day = values[len(values) // 2]
        expression = f"year = '{day[0]}' AND month = '{day[1]}' AND day = '{day[2]}'"
        filtered_ms, filtered = timed(lambda: scan(expression), 3)
        assert filtered == 24, filtered
        point_ms, _ = timed(lambda: glue.get_partition(
            DatabaseName="bench", TableName="events", PartitionValues=day), 200)
        floor_ms, _ = timed(lambda: glue.get_databases(), 200)
        n = args.partitions
        print(f"BatchCreatePartition, {n} partitions in {n // 100} calls: {create_ms:8.0f} ms "
              f"({n / create_ms * 1000:,.0f} partitions/s)")
        print(f"GetPartitions, all {n} in pages of 1000:       {scan_ms:8.1f} ms "
              f"({n / scan_ms * 1000:,.0f} partitions/s)")
        print(f"GetPartitions with an Expression (24 of {n}):  {filtered_ms:8.1f} ms")
        print(f"GetPartition point read:                        {point_ms:8.2f} ms "
              f"(GetDatabases floor {floor_ms:.2f} ms, {point_ms / floor_ms:.2f}x)")


if __name__ == "__main__":
    main()
