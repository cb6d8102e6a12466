#!/usr/bin/env python3
"""Athena query result reuse as a boto3 user sees it: StartQueryExecution,
GetQueryExecution until it ends, GetQueryResults — for a GROUP BY over 200,000
Parquet rows run afresh and answered by ResultReuseConfiguration, with
GetWorkGroup's round trip as the floor, in the same run.

    bench/athena_reuse_bench.py [--build build] [--rounds 20]
"""
import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "api"))
from lake_fixtures import parquet_bytes  # noqa: E402
from sluice_server import SluiceServer  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--rounds", type=int, default=20)
    args = ap.parse_args()
    os.environ["SLUICE_BINARY"] = os.path.join(args.build, "sluice")
    s = SluiceServer().start()
    try:
        s3, glue, a = s.client("s3"), s.client("glue"), s.client("athena")
        s3.create_bucket(Bucket="lake"); s3.create_bucket(Bucket="out")
        s3.put_object(Bucket="lake", Key="t/p.parquet", Body=parquet_bytes("SELECT i::BIGINT AS n, i % 97 AS g FROM range(200000) t(i)"))
        glue.create_database(DatabaseInput={"Name": "d"})
        glue.create_table(DatabaseName="d", TableInput={"Name": "t", "TableType": "EXTERNAL_TABLE", "Parameters": {"classification": "parquet"},
            "StorageDescriptor": {"Columns": [{"Name": "n", "Type": "bigint"}, {"Name": "g", "Type": "bigint"}], "Location": "s3://lake/t/",
            "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"}}})
        sql = "SELECT g, count(*), sum(n) FROM t GROUP BY g ORDER BY g"
        def run(reuse):
            kw = {"QueryString": sql, "QueryExecutionContext": {"Database": "d"}, "ResultConfiguration": {"OutputLocation": "s3://out/q/"}}
            if reuse: kw["ResultReuseConfiguration"] = {"ResultReuseByAgeConfiguration": {"Enabled": True}}
            t = time.perf_counter()
            q = a.start_query_execution(**kw)["QueryExecutionId"]
            while True:
                st = a.get_query_execution(QueryExecutionId=q)["QueryExecution"]
                if st["Status"]["State"] in ("SUCCEEDED", "FAILED", "CANCELLED"): break
            rows = a.get_query_results(QueryExecutionId=q)["ResultSet"]["Rows"]
            assert len(rows) == 98, len(rows)
            return (time.perf_counter() - t) * 1000, st["Statistics"]["ResultReuseInformation"]["ReusedPreviousResult"]
        run(False)
        fresh = [run(False)[0] for _ in range(args.rounds)]
        reused = []
        for _ in range(args.rounds):
            ms, r = run(True); assert r; reused.append(ms)
        floor = []
        for _ in range(50):
            t = time.perf_counter(); a.get_work_group(WorkGroup="primary"); floor.append((time.perf_counter()-t)*1000)
        print(f"GROUP BY over 200k rows, start + poll + results, p50: fresh {statistics.median(fresh):.2f} ms, reused {statistics.median(reused):.2f} ms; GetWorkGroup floor {statistics.median(floor):.2f} ms")
    finally:
        s.cleanup()


if __name__ == "__main__":
    main()
