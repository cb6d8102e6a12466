#!/usr/bin/env python3
"""Glue crawler benchmark (bounded, ~2-4 min): Hive-partitioned Parquet and
JSON folders of 1,000 and 10,000 objects (10 per partition) in Sluice's S3,
crawled as a user runs it — StartCrawler, then GetCrawler polled every 5 ms
until READY — against the peer: DuckDB itself (the same libduckdb.so, through
its C API) reading the same files from a local directory in the same run,
doing what a crawler must (the schema, the row count per file, the list of
partition folders).

The crawl also takes a snapshot of the objects (hard links, or the bytes of
small objects kept inline in SQLite written out), groups folders into tables
and writes the tables and partitions to the catalog in one commit; the ratio
is what all of that costs over DuckDB's own reading.

    bench/crawler_bench.py [--build build] [--sizes 1000,10000]
"""
import argparse
import concurrent.futures
import os
import sys
import tempfile
import time

import boto3
from botocore.config import Config

from bench_server import sluice_server

# The ctypes DuckDB the API tests use for fixtures.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "api"))
from lake_fixtures import DuckDb  # noqa: E402

ROLE = "arn:aws:iam::000000000000:role/bench"


def folder_of(n):
    """The year=/month=/day= folder of the n-th folder (10 objects each)."""
    return f"year={2020 + n // 360}/month={1 + n // 30 % 12:02d}/day={1 + n % 30:02d}"


def write_dataset(duck, root, fmt, objects):
    """`objects` files of 20 rows, 10 per year=/month=/day= folder."""
    files = []
    for o in range(objects):
        folder = os.path.join(root, folder_of(o // 10))
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, f"part-{o % 10}.{fmt}")
        first = o * 20
        if fmt == "parquet":
            duck.run(f"COPY (SELECT i AS id, 'name-' || i AS name, i * 0.5 AS score, "
                     f"i % 7 = 0 AS flag FROM range({first}, {first + 20}) t(i)) "
                     f"TO '{path}' (FORMAT parquet)")
        else:
            with open(path, "w") as f:
                for i in range(first, first + 20):
                    f.write(f'{{"id": {i}, "name": "name-{i}", "score": {i * 0.5}, '
                            f'"flag": {"true" if i % 7 == 0 else "false"}}}\n')
        files.append(path)
    return files


def upload(s3, root, files, prefix):
    def put(path):
        key = prefix + os.path.relpath(path, root).replace(os.sep, "/")
        with open(path, "rb") as f:
            s3.put_object(Bucket="lake", Key=key, Body=f.read())
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(put, files))


def crawl(glue, name):
    t = time.perf_counter()
    glue.start_crawler(Name=name)
    while True:
        c = glue.get_crawler(Name=name)["Crawler"]
        if c["State"] == "READY" and c.get("LastCrawl", {}).get("Status"):
            break
        time.sleep(0.005)
    ms = (time.perf_counter() - t) * 1000
    assert c["LastCrawl"]["Status"] == "SUCCEEDED", c["LastCrawl"]
    return ms


def direct(duck, root, fmt):
    """What a crawler needs, done by DuckDB directly and well: the schema merged
    over every file, and the rows of each file."""
    glob = f"'{root}/**/*.{fmt}'"
    t = time.perf_counter()
    if fmt == "parquet":
        duck.run(f"DESCRIBE SELECT * FROM read_parquet({glob}, union_by_name=true)")
        duck.run(f"SELECT filename, count(*) FROM read_parquet({glob}, filename=true) "
                 f"GROUP BY filename")
    else:
        duck.run(f"DESCRIBE SELECT * FROM read_json({glob}, union_by_name=true)")
        duck.run(f"SELECT filename, count(*) FROM read_json_objects({glob}, filename=true) "
                 f"GROUP BY filename")
    return (time.perf_counter() - t) * 1000


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--sizes", default="1000,10000")
    args = ap.parse_args()
    duck = DuckDb()
    rows = []
    with sluice_server(args.build) as port:
        kw = dict(endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                  aws_access_key_id="test", aws_secret_access_key="test",
                  config=Config(retries={"max_attempts": 1}, max_pool_connections=16))
        s3, glue = boto3.client("s3", **kw), boto3.client("glue", **kw)
        s3.create_bucket(Bucket="lake")
        for size in (int(s) for s in args.sizes.split(",")):
            for fmt in ("parquet", "json"):
                with tempfile.TemporaryDirectory() as root:
                    files = write_dataset(duck, root, fmt, size)
                    prefix = f"{fmt}{size}/events/"
                    upload(s3, root, files, prefix)
                    name = f"{fmt}{size}"
                    glue.create_crawler(Name=name, Role=ROLE, DatabaseName="bench",
                                        TablePrefix=f"{name}_",
                                        Targets={"S3Targets": [{"Path": f"s3://lake/{prefix}"}]})
                    first = crawl(glue, name)
                    again = crawl(glue, name)
                    peer = min(direct(duck, root, fmt) for _ in range(2))
                    t = glue.get_table(DatabaseName="bench", Name=f"{name}_events")["Table"]
                    assert t["Parameters"]["objectCount"] == str(size), t["Parameters"]
                    assert t["Parameters"]["recordCount"] == str(size * 20), t["Parameters"]
                    rows.append((fmt, size, first, again, peer))
    print(f"{'format':8} {'objects':>8} {'crawl ms':>10} {'re-crawl ms':>12} "
          f"{'DuckDB direct ms':>17} {'ratio':>7}")
    for fmt, size, first, again, peer in rows:
        print(f"{fmt:8} {size:8} {first:10.1f} {again:12.1f} {peer:17.1f} {first / peer:6.2f}x")


if __name__ == "__main__":
    main()
