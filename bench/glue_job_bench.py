#!/usr/bin/env python3
"""Glue job benchmark (bounded, ~1 min): the medallion gold job as a user runs
it — CreateJob with its Glue Studio DAG, StartJobRun, GetJobRun polled every
5 ms until SUCCEEDED — against the same work in DuckDB alone, in the same run
(each side's best of 5, alternating).

- Data: WordPress-shaped silver Parquet written by DuckDB (`posts`: ID,
  post_type, post_status, post_title, comment_count; `statistics_pages`: id,
  views, visitors; --rows each, 10 files per table), uploaded to Sluice's S3.
- The job: two S3ParquetSource nodes, a Join on posts.ID = statistics_pages.id,
  an ApplyMapping that renames, casts and drops, a Filter keeping post_type
  matching `post`, a snappy S3GlueParquetTarget that updates the catalog.
- The peer: the same join, projection, filter and snappy Parquet COPY run by
  DuckDB itself (the same libduckdb.so through its C API) on the same files.

    bench/glue_job_bench.py [--build build] [--rows 70000]
"""
import argparse
import os
import sys
import tempfile
import time

import boto3
from botocore.config import Config

from bench_server import print_ratios, sluice_server, timed_ms

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "api"))
from lake_fixtures import DuckDb  # noqa: E402

ROUNDS = 5
# GetJobRun every 5 ms: a client polling every millisecond takes a share of a
# 2-core machine's CPU from the run it waits for.
POLL_S = 0.005
PEER = ("COPY (SELECT CAST(p.ID AS BIGINT) AS post_id, p.post_title AS title, "
        "p.post_type AS post_type, CAST(s.views AS BIGINT) AS views, "
        "CAST(s.visitors AS INTEGER) AS visitors "
        "FROM read_parquet('{root}/posts/*.parquet') p "
        "JOIN read_parquet('{root}/stats/*.parquet') s ON p.ID = s.id "
        "WHERE regexp_matches(p.post_type, '^(?:post)')) "
        "TO '{root}/gold-{i}.parquet' (FORMAT parquet, COMPRESSION snappy)")


def nodes(target):
    mapping = [("ID", "post_id", "long", False), ("post_title", "title", "string", False),
               ("post_type", "post_type", "string", False), ("views", "views", "long", False),
               ("visitors", "visitors", "int", False), ("id", "id", "long", True),
               ("post_status", "post_status", "string", True),
               ("comment_count", "comment_count", "long", True)]
    return {
        "posts": {"S3ParquetSource": {"Name": "posts", "Paths": ["s3://silver/posts/"]}},
        "stats": {"S3ParquetSource": {"Name": "stats", "Paths": ["s3://silver/stats/"]}},
        "join": {"Join": {"Name": "join", "Inputs": ["posts", "stats"], "JoinType": "equijoin",
                          "Columns": [{"From": "posts", "Keys": [["ID"]]},
                                      {"From": "stats", "Keys": [["id"]]}]}},
        "map": {"ApplyMapping": {"Name": "map", "Inputs": ["join"], "Mapping": [
            {"FromPath": [f], "ToKey": t, "FromType": ty, "ToType": ty, "Dropped": d}
            for f, t, ty, d in mapping]}},
        "filter": {"Filter": {"Name": "filter", "Inputs": ["map"], "LogicalOperator": "AND",
                              "Filters": [{"Operation": "REGEX", "Values": [
                                  {"Type": "CONSTANT", "Value": ["post"]},
                                  {"Type": "COLUMNEXTRACTED", "Value": ["post_type"]}]}]}},
        "gold": {"S3GlueParquetTarget": {
            "Name": "gold", "Inputs": ["filter"], "Path": target, "Compression": "snappy",
            "SchemaChangePolicy": {"EnableUpdateCatalog": True,
                                   "UpdateBehavior": "UPDATE_IN_DATABASE",
                                   "Database": "gold", "Table": target.rstrip("/").split("/")[-1]}}},
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--rows", type=int, default=70000)
    args = ap.parse_args()
    duck = DuckDb()
    with tempfile.TemporaryDirectory() as root, sluice_server(args.build) as port:
        per = args.rows // 10
        for t in ("posts", "stats"):
            os.makedirs(os.path.join(root, t))
        for f in range(10):
            lo, hi = f * per, (f + 1) * per
            duck.run(f"COPY (SELECT i::BIGINT AS ID, ['post','page','attachment','revision']"
                     f"[i % 4 + 1] AS post_type, CASE WHEN i % 7 = 0 THEN 'draft' ELSE "
                     f"'publish' END AS post_status, 'Title ' || i AS post_title, "
                     f"(i * 37) % 101 AS comment_count FROM range({lo}, {hi}) t(i)) TO "
                     f"'{root}/posts/part-{f}.parquet' (FORMAT parquet)")
            duck.run(f"COPY (SELECT i::BIGINT AS id, (i * 7919) % 10000 AS views, "
                     f"(i * 31) % 997 AS visitors FROM range({lo}, {hi}) t(i)) TO "
                     f"'{root}/stats/part-{f}.parquet' (FORMAT parquet)")
        kw = dict(endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                  aws_access_key_id="test", aws_secret_access_key="test",
                  config=Config(retries={"max_attempts": 1}))
        s3, glue = boto3.client("s3", **kw), boto3.client("glue", **kw)
        for b in ("silver", "gold"):
            s3.create_bucket(Bucket=b)
        for t in ("posts", "stats"):
            for name in sorted(os.listdir(os.path.join(root, t))):
                with open(os.path.join(root, t, name), "rb") as fh:
                    s3.put_object(Bucket="silver", Key=f"{t}/{name}", Body=fh.read())
        glue.create_database(DatabaseInput={"Name": "gold"})

        def run(i):
            name = f"gold-{i}"
            glue.create_job(Name=name, Role="arn:aws:iam::000000000000:role/glue",
                            Command={"Name": "glueetl"},
                            CodeGenConfigurationNodes=nodes(f"s3://gold/posts_{i}/"))
            t0 = time.perf_counter()
            rid = glue.start_job_run(JobName=name)["JobRunId"]
            while True:
                r = glue.get_job_run(JobName=name, RunId=rid)["JobRun"]
                if r["JobRunState"] not in ("STARTING", "RUNNING", "STOPPING"):
                    break
                time.sleep(POLL_S)
            assert r["JobRunState"] == "SUCCEEDED", r
            return (time.perf_counter() - t0) * 1000

        # Each side's best of ROUNDS, alternating so both see the same
        # moments of a noisy machine.
        api, bare = [], []
        for i in range(ROUNDS):
            api.append(run(i))
            bare.append(timed_ms(lambda i=i: duck.run(PEER.format(root=root, i=i))))
        api, bare = min(api), min(bare)
    print(f"{args.rows:,} posts x {args.rows:,} statistics rows")
    print_ratios("gold job", "DuckDB alone", [("join+map+filter", api, bare)])



if __name__ == "__main__":
    main()
