#!/usr/bin/env python3
"""Athena benchmark (bounded, ~1 min): per-query overhead and analytic queries
through the API, as a user runs them, against DuckDB alone.

- Overhead: `SELECT 1` — StartQueryExecution, GetQueryExecution polled every
  millisecond until SUCCEEDED, GetQueryResults — p50 and p90 over 50 runs; the
  floor is one GetWorkGroup call (boto3 + HTTP + the server), same run.
- A WordPress-shaped data set written by DuckDB as Parquet (`posts`: ID,
  post_type, post_status, post_author, post_date, comment_count, post_title;
  `statistics_pages`: id, views, visitors; --rows each, 10 files per table),
  uploaded to Sluice's S3 and catalogued with CREATE EXTERNAL TABLE; a GROUP BY,
  a join and a CTAS of the join (the medallion gold step) through the API
  (start to SUCCEEDED plus the first page of results), against the same SQL on
  the same files run by DuckDB itself (the same libduckdb.so through its C API),
  each side's best of ROUNDS, alternating, polled every 5 ms. (A client
  polling every millisecond takes a share of a 2-core machine's CPU from the
  query it waits for: 5 ms adds at most that to a result and keeps the
  comparison about the query.)

    bench/athena_bench.py [--build build] [--rows 70000]
"""
import argparse
import os
import statistics
import sys
import tempfile
import time

import boto3
from botocore.config import Config

from bench_server import print_ratios, sluice_server, timed_ms

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "api"))
from lake_fixtures import DuckDb  # noqa: E402

QUERIES = {
    "group by": ("SELECT post_type, count(*) AS n, avg(comment_count) AS comments "
                 "FROM {posts} GROUP BY post_type ORDER BY post_type"),
    "join": ("SELECT p.post_type, sum(s.views) AS views, count(*) AS n FROM {posts} p "
             "JOIN {stats} s ON p.ID = s.id WHERE p.post_status = 'publish' "
             "GROUP BY p.post_type ORDER BY views DESC"),
}
ROUNDS = 7
POLL_S = 0.005
CTAS = ("SELECT p.ID AS post_id, p.post_title AS title, s.views, s.visitors FROM {posts} p "
        "JOIN {stats} s ON p.ID = s.id WHERE p.post_type = 'post'")


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
            duck.run(f"COPY (SELECT i AS ID, ['post','page','attachment','revision'][i % 4 + 1] "
                     f"AS post_type, CASE WHEN i % 7 = 0 THEN 'draft' ELSE 'publish' END AS "
                     f"post_status, i % 50 AS post_author, TIMESTAMP '2020-01-01' + "
                     f"INTERVAL (i) MINUTE AS post_date, (i * 37) % 101 AS comment_count, "
                     f"'Title ' || i AS post_title FROM range({lo}, {hi}) t(i)) TO "
                     f"'{root}/posts/part-{f}.parquet' (FORMAT parquet)")
            duck.run(f"COPY (SELECT i AS id, (i * 7919) % 10000 AS views, (i * 31) % 997 AS "
                     f"visitors FROM range({lo}, {hi}) t(i)) TO "
                     f"'{root}/stats/part-{f}.parquet' (FORMAT parquet)")
        kw = dict(endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                  aws_access_key_id="test", aws_secret_access_key="test",
                  config=Config(retries={"max_attempts": 1}))
        s3, athena = boto3.client("s3", **kw), boto3.client("athena", **kw)
        for b in ("lake", "results"):
            s3.create_bucket(Bucket=b)
        for t in ("posts", "stats"):
            for name in sorted(os.listdir(os.path.join(root, t))):
                with open(os.path.join(root, t, name), "rb") as fh:
                    s3.put_object(Bucket="lake", Key=f"{t}/{name}", Body=fh.read())

        def run(sql, poll=POLL_S):
            t0 = time.perf_counter()
            qid = athena.start_query_execution(
                QueryString=sql, QueryExecutionContext={"Database": "wp"},
                ResultConfiguration={"OutputLocation": "s3://results/bench/"})["QueryExecutionId"]
            while True:
                s = athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]["Status"]
                if s["State"] not in ("QUEUED", "RUNNING"):
                    break
                time.sleep(poll)
            assert s["State"] == "SUCCEEDED", s
            athena.get_query_results(QueryExecutionId=qid)
            return (time.perf_counter() - t0) * 1000

        run("CREATE DATABASE wp")
        run("CREATE EXTERNAL TABLE posts (ID bigint, post_type string, post_status string, "
            "post_author bigint, post_date timestamp, comment_count bigint, post_title string) "
            "STORED AS PARQUET LOCATION 's3://lake/posts/'")
        run("CREATE EXTERNAL TABLE statistics_pages (id bigint, views bigint, visitors bigint) "
            "STORED AS PARQUET LOCATION 's3://lake/stats/'")

        trivial = sorted(run("SELECT 1", poll=0.001) for _ in range(50))
        floor = sorted(timed_ms(lambda: athena.get_work_group(WorkGroup="primary"))
                       for _ in range(50))
        rows = []
        local = {"posts": f"read_parquet('{root}/posts/*.parquet')",
                 "stats": f"read_parquet('{root}/stats/*.parquet')"}
        # Each side's best of ROUNDS, the two alternating so that both see
        # the same moments of a noisy machine.
        for label, sql in QUERIES.items():
            api, bare = [], []
            for _ in range(ROUNDS):
                api.append(run(sql.format(posts="posts", stats="statistics_pages")))
                bare.append(timed_ms(lambda: duck.run(sql.format(**local))))
            rows.append((label, min(api), min(bare)))
        api, bare = [], []
        for i in range(ROUNDS):
            api.append(run(f"CREATE TABLE gold_{i} WITH (format = 'PARQUET', "
                           f"write_compression = 'SNAPPY') AS " +
                           CTAS.format(posts="posts", stats="statistics_pages")))
            bare.append(timed_ms(lambda i=i: duck.run(
                f"COPY ({CTAS.format(**local)}) TO '{root}/gold_{i}.parquet' "
                f"(FORMAT parquet, COMPRESSION snappy)")))
        rows.append(("CTAS of the join", min(api), min(bare)))

    p50 = statistics.median(trivial)
    print(f"SELECT 1 through the API: p50 {p50:.2f} ms, p90 {trivial[44]:.2f} ms; "
          f"GetWorkGroup floor p50 {statistics.median(floor):.2f} ms "
          f"({p50 / statistics.median(floor):.1f}x)")
    print(f"{args.rows:,} rows per table")
    print_ratios("query", "DuckDB alone", rows)



if __name__ == "__main__":
    main()
