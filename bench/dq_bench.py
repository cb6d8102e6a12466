#!/usr/bin/env python3
"""Glue Data Quality benchmark (bounded, ~1 min): a ruleset of 20 rules over a
catalogued Parquet table of --rows rows, as a user runs it —
StartDataQualityRulesetEvaluationRun, GetDataQualityRulesetEvaluationRun
polled every millisecond until SUCCEEDED, GetDataQualityResult — against the
same metrics computed by DuckDB alone (the same libduckdb.so through its C
API) in one hand-written query over the same files, in the same run.

    bench/dq_bench.py [--build build] [--rows 1000000]
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

RULES = """Rules = [
  RowCount > 0, ColumnCount = 6,
  IsComplete "id", IsUnique "id", IsPrimaryKey "id",
  Completeness "title" > 0.9, Completeness "views" > 0.5,
  Uniqueness "title" > 0.5, DistinctValuesCount "kind" = 4, UniqueValueRatio "author" < 1,
  Mean "views" between 0 and 10000, Sum "views" > 0, StandardDeviation "views" > 1,
  Entropy "kind" > 1, ColumnCorrelation "id" "views" < 1,
  ColumnLength "title" <= 20, ColumnValues "kind" in ["post", "page", "attachment", "revision"],
  ColumnValues "views" >= 0, ColumnValues "title" matches "Title [0-9]+" with threshold > 0.5,
  CustomSql "SELECT count(*) FROM primary WHERE views > 5000" > 0
]"""

# The same metrics in one query: what DuckDB alone needs.
PEER = """SELECT count(*), count(id), count(DISTINCT id), count(title), count(views),
  count(DISTINCT title), count(DISTINCT kind), count(DISTINCT author), avg(views), sum(views),
  stddev_pop(views), corr(id::DOUBLE, views::DOUBLE), max(length(title)),
  count(*) FILTER (WHERE kind IN ('post', 'page', 'attachment', 'revision')),
  count(*) FILTER (WHERE views >= 0),
  count(*) FILTER (WHERE regexp_full_match(title, 'Title [0-9]+')),
  count(*) FILTER (WHERE views > 5000)
FROM read_parquet('{root}/t/*.parquet')"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--rows", type=int, default=1000000)
    args = ap.parse_args()
    duck = DuckDb()
    with tempfile.TemporaryDirectory() as root, sluice_server(args.build) as port:
        os.makedirs(os.path.join(root, "t"))
        per = args.rows // 10
        for f in range(10):
            duck.run(f"COPY (SELECT i::BIGINT AS id, ['post','page','attachment','revision']"
                     f"[i % 4 + 1] AS kind, CASE WHEN i % 20 = 0 THEN NULL ELSE 'Title ' || i "
                     f"END AS title, CASE WHEN i % 3 = 0 THEN NULL ELSE (i * 7919) % 10000 END "
                     f"AS views, i % 50 AS author, DATE '2020-01-01' + (i % 1000)::INTEGER AS day "
                     f"FROM range({f * per}, {(f + 1) * per}) t(i)) TO "
                     f"'{root}/t/part-{f}.parquet' (FORMAT parquet)")
        kw = dict(endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                  aws_access_key_id="test", aws_secret_access_key="test",
                  config=Config(retries={"max_attempts": 1}))
        s3, glue = boto3.client("s3", **kw), boto3.client("glue", **kw)
        s3.create_bucket(Bucket="lake")
        for name in sorted(os.listdir(os.path.join(root, "t"))):
            with open(os.path.join(root, "t", name), "rb") as fh:
                s3.put_object(Bucket="lake", Key=f"t/{name}", Body=fh.read())
        glue.create_database(DatabaseInput={"Name": "dq"})
        glue.create_table(DatabaseName="dq", TableInput={
            "Name": "t", "Parameters": {"classification": "parquet"},
            "StorageDescriptor": {
                "Columns": [{"Name": n, "Type": t} for n, t in (
                    ("id", "bigint"), ("kind", "string"), ("title", "string"),
                    ("views", "bigint"), ("author", "bigint"), ("day", "date"))],
                "Location": "s3://lake/t/",
                "SerdeInfo": {"SerializationLibrary":
                              "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"}}})
        glue.create_data_quality_ruleset(Name="twenty", Ruleset=RULES)

        def evaluate():
            t0 = time.perf_counter()
            rid = glue.start_data_quality_ruleset_evaluation_run(
                DataSource={"GlueTable": {"DatabaseName": "dq", "TableName": "t"}},
                Role="arn:aws:iam::000000000000:role/glue", RulesetNames=["twenty"])["RunId"]
            while True:
                run = glue.get_data_quality_ruleset_evaluation_run(RunId=rid)
                if run["Status"] not in ("STARTING", "RUNNING"):
                    break
                time.sleep(0.001)
            assert run["Status"] == "SUCCEEDED", run
            result = glue.get_data_quality_result(ResultId=run["ResultIds"][0])
            assert len(result["RuleResults"]) == 20, result
            errors = [r for r in result["RuleResults"] if r["Result"] == "ERROR"]
            assert not errors, errors
            return (time.perf_counter() - t0) * 1000

        api = min(evaluate() for _ in range(3))
        bare = min(timed_ms(lambda: duck.run(PEER.format(root=root))) for _ in range(3))
    print(f"20 rules over {args.rows:,} rows")
    print_ratios("ruleset", "DuckDB alone", [("evaluation run", api, bare)])



if __name__ == "__main__":
    main()
