"""Athena through boto3 and the AWS CLI: SELECT queries over tables a crawler
catalogued, run by DuckDB; results as Athena returns them (the CSV file in S3,
GetQueryResults pages, column metadata, value formats); errors as Athena
reports them; stopping a running query; a query cut by kill -9."""
import base64
import gzip
import json
import signal
import time
import unittest

from botocore.exceptions import ClientError

from aws_cli import aws
from lake_fixtures import parquet_bytes
from sluice_server import SluiceServer

OUT = "s3://results/athena/"
ROLE = "arn:aws:iam::000000000000:role/glue"


def setup_lake(server):
    s3, glue = server.client("s3"), server.client("glue")
    s3.create_bucket(Bucket="lake")
    s3.create_bucket(Bucket="results")
    for month, n in (("01", 3), ("02", 2)):
        s3.put_object(Bucket="lake", Key=f"events/year=2024/month={month}/part-0.parquet",
                      Body=parquet_bytes(f"SELECT i::INTEGER AS id, 'e' || i AS name, "
                                         f"i * 1.5::DOUBLE AS score FROM range({n}) t(i)"))
    s3.put_object(Bucket="lake", Key="big/part-0.parquet", Body=parquet_bytes(
        "SELECT i AS n, 'row, \"' || i || '\"' AS label FROM range(2500) t(i)"))
    s3.put_object(Bucket="lake", Key="posts/a.json",
                  Body=b'{"Id": 1, "Tags": ["a", "b"], "Title": "first"}\n'
                       b'{"Id": 2, "Tags": [], "Title": null}\n')
    s3.put_object(Bucket="lake", Key="raw/2024/01/a.csv", Body=b"k,v\na,1\nb,2\n")
    s3.put_object(Bucket="lake", Key="raw/2024/02/a.csv", Body=b"k,v\nc,3\n")
    glue.create_crawler(Name="lake", Role=ROLE, DatabaseName="lake", Targets={"S3Targets": [
        {"Path": "s3://lake/events/"}, {"Path": "s3://lake/big/"}, {"Path": "s3://lake/posts/"},
        {"Path": "s3://lake/raw/"}]})
    glue.start_crawler(Name="lake")
    server.idle()  # the crawl has run and its end is stored
    c = glue.get_crawler(Name="lake")["Crawler"]
    assert c["State"] == "READY" and c["LastCrawl"]["Status"] == "SUCCEEDED", c


def wait_running(athena, qid, state="RUNNING"):
    """Waits (bounded) for the query to be in `state`: a state, not a time."""
    deadline = time.time() + 10
    while athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]["Status"][
            "State"] != state:
        assert time.time() < deadline, f"query never {state}"


class AthenaTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = SluiceServer().start()
        cls.athena = cls.server.client("athena")
        cls.s3 = cls.server.client("s3")
        setup_lake(cls.server)

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def start(self, sql, **extra):
        kwargs = {"QueryString": sql, "QueryExecutionContext": {"Database": "lake"},
                  "ResultConfiguration": {"OutputLocation": OUT}, **extra}
        return self.athena.start_query_execution(**kwargs)["QueryExecutionId"]

    def wait(self, qid):
        """The query once the server is quiet: it has run and its end is stored."""
        self.server.idle()
        e = self.athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]
        self.assertNotIn(e["Status"]["State"], ("QUEUED", "RUNNING"), e["Status"])
        return e


    def run_query(self, sql):
        qid = self.start(sql)
        e = self.wait(qid)
        self.assertEqual(e["Status"]["State"], "SUCCEEDED", e["Status"])
        r = self.athena.get_query_results(QueryExecutionId=qid)
        rows = [[d.get("VarCharValue") for d in row["Data"]] for row in r["ResultSet"]["Rows"]]
        return qid, e, rows, r["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]

    def failure(self, sql):
        e = self.wait(self.start(sql))
        self.assertEqual(e["Status"]["State"], "FAILED", e["Status"])
        err = e["Status"]["AthenaError"]
        self.assertEqual(err["ErrorMessage"], e["Status"]["StateChangeReason"])
        return err["ErrorCategory"], err["ErrorType"], err["ErrorMessage"]

    def assertError(self, code, fn, **kwargs):
        with self.assertRaises(ClientError) as cm:
            fn(**kwargs)
        self.assertEqual(cm.exception.response["Error"]["Code"], code, cm.exception.response)
        return cm.exception.response

    def test_select_over_crawled_partitioned_parquet(self):
        qid, e, rows, cols = self.run_query(
            "SELECT month, count(*) AS n, sum(score) AS total FROM events "
            "WHERE year = '2024' GROUP BY month ORDER BY month")
        self.assertEqual(rows, [["month", "n", "total"], ["01", "3", "4.5"], ["02", "2", "1.5"]])
        self.assertEqual([(c["Name"], c["Type"], c["Precision"], c["Scale"]) for c in cols],
                         [("month", "varchar", 2147483647, 0), ("n", "bigint", 19, 0),
                          ("total", "double", 17, 0)])
        self.assertEqual((e["StatementType"], e["SubstatementType"]), ("DML", "SELECT"))
        self.assertEqual(e["ResultConfiguration"]["OutputLocation"], f"{OUT}{qid}.csv")
        self.assertGreater(e["Statistics"]["DataScannedInBytes"], 0)
        self.assertEqual(e["QueryExecutionContext"], {"Database": "lake",
                                                       "Catalog": "AwsDataCatalog"})
        body = self.s3.get_object(Bucket="results", Key=f"athena/{qid}.csv")["Body"].read()
        self.assertEqual(body, b'"month","n","total"\n"01","3","4.5"\n"02","2","1.5"\n')
        self.s3.head_object(Bucket="results", Key=f"athena/{qid}.csv.metadata")

    def test_unnamed_partitions_of_a_csv_table(self):
        _, _, rows, _ = self.run_query(
            "SELECT partition_0, partition_1, count(*) AS n, sum(v) AS total FROM raw "
            "GROUP BY 1, 2 ORDER BY 2")
        self.assertEqual(rows, [["partition_0", "partition_1", "n", "total"],
                                ["2024", "01", "2", "3"], ["2024", "02", "1", "3"]])
        _, _, rows, _ = self.run_query("SELECT k FROM raw WHERE partition_1 = '02'")
        self.assertEqual(rows, [["k"], ["c"]])

    def test_values_as_athena_prints_them(self):
        _, _, rows, cols = self.run_query(
            "SELECT 1e10, 2.5, TIMESTAMP '2024-01-02 03:04:05', NULL, '', 'a\"b' AS q, 7 / 2")
        self.assertEqual(rows[0], ["_col0", "_col1", "_col2", "_col3", "_col4", "q", "_col6"])
        self.assertEqual(rows[1], ["1.0E10", "2.5", "2024-01-02 03:04:05.000", None, "", 'a"b',
                                   "3"])
        self.assertEqual(cols[1]["Type"], "decimal")
        self.assertEqual((cols[1]["Precision"], cols[1]["Scale"]), (2, 1))
        _, _, rows, cols = self.run_query('SELECT id, tags, title FROM "lake"."posts" ORDER BY id')
        self.assertEqual(rows, [["id", "tags", "title"], ["1", "[a, b]", "first"],
                                ["2", "[]", None]])
        self.assertEqual(cols[1]["Type"], "array")
        # A sum of integers is a bigint, and integer division of it truncates.
        _, _, rows, cols = self.run_query(
            "SELECT sum(id), sum(id) / count(*) FROM events WHERE month = '01'")
        self.assertEqual(rows[1], ["3", "1"])
        self.assertEqual([(c["Type"], c["Precision"]) for c in cols], [("bigint", 19)] * 2)

    def test_trino_functions_over_a_crawled_table(self):
        # Trino's semantics where DuckDB's namesakes differ, through the API
        # (the SQL corpus in tests/data/athena/sql covers each function).
        _, _, rows, cols = self.run_query(
            "SELECT month, concat(name, NULL) AS c, regexp_extract(name, '\\d+') AS digits, "
            "date_format(date_add('day', id, DATE '2024-01-31'), '%Y/%m/%d') AS day, "
            "element_at(ARRAY[10, 20], id + 1) AS at, id / 2 AS half, "
            "transform(sequence(0, id), x -> x * x) AS squares, if(id > 0, 'yes') AS pos "
            "FROM events WHERE month = '01' ORDER BY id")
        self.assertEqual(rows, [
            ["month", "c", "digits", "day", "at", "half", "squares", "pos"],
            ["01", None, "0", "2024/01/31", "10", "0", "[0]", None],
            ["01", None, "1", "2024/02/01", "20", "0", "[0, 1]", "yes"],
            ["01", None, "2", "2024/02/02", None, "1", "[0, 1, 4]", "yes"]])
        self.assertEqual([c["Type"] for c in cols],
                         ["varchar", "varchar", "varchar", "varchar", "integer", "integer",
                          "array", "varchar"])
        self.assertEqual(self.failure("SELECT id / 0 FROM events")[2],
                         "DIVISION_BY_ZERO: Division by zero")
        category, kind, message = self.failure("SELECT human_readable_seconds(96)")
        self.assertEqual((category, kind), (2, 1200))
        self.assertEqual(message, "NOT_SUPPORTED: line 1:8: Function 'human_readable_seconds' "
                                  "is not supported by Sluice")
        # A timestamp keeps the zone it is put in.
        _, _, rows, cols = self.run_query(
            "SELECT at_timezone(TIMESTAMP '2024-01-31 23:30:00', 'Europe/Paris') AS paris, "
            "hour(TIMESTAMP '2024-01-31 23:30:00' AT TIME ZONE 'Asia/Kolkata') AS h")
        self.assertEqual(rows[1], ["2024-02-01 00:30:00.000 Europe/Paris", "5"])
        self.assertEqual([c["Type"] for c in cols], ["timestamp with time zone", "bigint"])
        self.assertEqual(self.failure(
            "SELECT at_timezone(TIMESTAMP '2024-01-31 23:30:00', 'Mars/Olympus')")[2],
            "NOT_SUPPORTED: Time zone not supported: Mars/Olympus")
        self.assertEqual(self.failure(
            "CREATE TABLE zoned AS SELECT at_timezone(TIMESTAMP '2024-01-31 23:30:00', 'UTC') AS t")[2],
            "NOT_SUPPORTED: Unsupported Hive type: timestamp(3) with time zone")

    def test_pages_of_a_large_result(self):
        qid = self.start("SELECT n, label FROM big ORDER BY n")
        self.wait(qid)
        rows, token, pages = [], None, 0
        while True:
            kwargs = {"NextToken": token} if token else {}
            page = self.athena.get_query_results(QueryExecutionId=qid, MaxResults=1000, **kwargs)
            pages += 1
            rows += [[d.get("VarCharValue") for d in r["Data"]] for r in page["ResultSet"]["Rows"]]
            token = page.get("NextToken")
            if not token:
                break
        self.assertEqual(pages, 3)
        self.assertEqual(len(rows), 2501)
        self.assertEqual(rows[0], ["n", "label"])
        self.assertEqual(rows[2500], ["2499", 'row, "2499"'])
        paged = [r for p in self.athena.get_paginator("get_query_results").paginate(
            QueryExecutionId=qid, PaginationConfig={"PageSize": 700}) for r in p["ResultSet"]["Rows"]]
        self.assertEqual(len(paged), 2501)

    def test_errors_as_athena_reports_them(self):
        self.assertEqual(self.failure("SELECT nope FROM events"),
                         (2, 1006, "COLUMN_NOT_FOUND: line 1:8: Column 'nope' cannot be resolved "
                                   "or requester is not authorized to access requested resources"))
        self.assertEqual(self.failure("SELECT * FROM missing"),
                         (2, 1301, "TABLE_NOT_FOUND: line 1:15: Table "
                                   "'awsdatacatalog.lake.missing' does not exist"))
        category, kind, message = self.failure("SELECT * FROM nodb.t")
        self.assertEqual((category, kind), (2, 1301))
        self.assertTrue(message.startswith("SCHEMA_NOT_FOUND: "), message)
        category, kind, message = self.failure("SELEC 1")
        self.assertEqual((category, kind), (2, 1006))
        self.assertTrue(message.startswith("SYNTAX_ERROR: line 1:1: mismatched input 'SELEC'"),
                        message)
        category, kind, message = self.failure("SELECT * FROM events WHERE")
        self.assertTrue(message.startswith("SYNTAX_ERROR: line 1:"), message)
        category, kind, message = self.failure("EXPLAIN (FORMAT GRAPHVIZ) SELECT 1")
        self.assertEqual((category, kind), (2, 1200))
        self.assertTrue(message.startswith("NOT_SUPPORTED: "), message)
        self.assertEqual(self.failure("SELECT no_such_function(1)")[:2], (2, 1303))
        failed = self.start("SELECT nope FROM events")
        self.wait(failed)
        r = self.assertError("InvalidRequestException", self.athena.get_query_results,
                             QueryExecutionId=failed)
        self.assertEqual(r["Error"]["Message"],
                         "Query did not finish successfully. Final query state: FAILED")
        self.assertEqual(r["AthenaErrorCode"], "INVALID_QUERY_EXECUTION_STATE")
        r = self.assertError("InvalidRequestException", self.athena.get_query_execution,
                             QueryExecutionId="00000000-0000-0000-0000-000000000000")
        self.assertEqual(r["AthenaErrorCode"], "QUERY_EXECUTION_NOT_FOUND")
        r = self.assertError("InvalidRequestException", self.athena.start_query_execution,
                             QueryString="SELECT 1")
        self.assertIn("No output location provided", r["Error"]["Message"])
        self.assertError("InvalidRequestException", self.athena.start_query_execution,
                         QueryString="SELECT 1", WorkGroup="nope",
                         ResultConfiguration={"OutputLocation": OUT})
        self.assertError("InvalidRequestException", self.athena.start_query_execution,
                         QueryString="SELECT 1", ResultConfiguration={"OutputLocation": "/tmp/x"})

    def test_idempotency_listing_and_batch_get(self):
        a = self.start("SELECT 1", ClientRequestToken="token-one-1234567890123456789012")
        b = self.start("SELECT 1", ClientRequestToken="token-one-1234567890123456789012")
        self.assertEqual(a, b)
        r = self.assertError("InvalidRequestException", self.athena.start_query_execution,
                             QueryString="SELECT 2",
                             ClientRequestToken="token-one-1234567890123456789012",
                             ResultConfiguration={"OutputLocation": OUT})
        self.assertEqual(r["AthenaErrorCode"], "IDEMPOTENT_PARAMETER_MISMATCH")
        c = self.start("SELECT 3")
        self.wait(a)
        self.wait(c)
        listed = self.athena.list_query_executions()["QueryExecutionIds"]
        self.assertLess(listed.index(c), listed.index(a))  # newest first
        got = self.athena.batch_get_query_execution(QueryExecutionIds=[a, "missing-id"])
        self.assertEqual([q["QueryExecutionId"] for q in got["QueryExecutions"]], [a])
        self.assertEqual(got["UnprocessedQueryExecutionIds"][0]["ErrorCode"],
                         "QUERY_EXECUTION_NOT_FOUND")
        ids = [i for p in self.athena.get_paginator("list_query_executions").paginate(
            PaginationConfig={"PageSize": 2}) for i in p["QueryExecutionIds"]]
        self.assertEqual(ids[:len(listed)], listed)  # pages of 2 read the same order
        self.assertEqual(len(ids), len(set(ids)))
        self.assertEqual(self.athena.get_work_group(WorkGroup="primary")["WorkGroup"]["State"],
                         "ENABLED")

    def test_stop_interrupts_a_running_query(self):
        # Minutes of work unless interrupted: the stop ends it at once.
        qid = self.start("SELECT count(*) FROM big a, big b, big c WHERE a.n + b.n + c.n = -1")
        wait_running(self.athena, qid)
        self.athena.stop_query_execution(QueryExecutionId=qid)
        e = self.wait(qid)
        self.assertEqual(e["Status"]["State"], "CANCELLED")
        self.assertEqual(e["Status"]["StateChangeReason"], "Query cancelled by user")
        self.assertError("InvalidRequestException", self.athena.get_query_results,
                         QueryExecutionId=qid)

    def test_queries_past_four_wait_their_turn(self):
        slow = "SELECT count(*) FROM big a, big b, big c WHERE a.n + b.n + c.n = -1"

        def state(qid):
            return self.athena.get_query_execution(
                QueryExecutionId=qid)["QueryExecution"]["Status"]["State"]

        running = [self.start(slow) for _ in range(4)]
        for qid in running:
            wait_running(self.athena, qid)
        queued, later = self.start(slow), self.start(slow)
        self.assertEqual(state(queued), "QUEUED")
        self.assertEqual(state(later), "QUEUED")
        # Stopping a waiting query ends it without running it.
        self.athena.stop_query_execution(QueryExecutionId=queued)
        wait_running(self.athena, queued, "CANCELLED")
        self.assertEqual(state(later), "QUEUED")
        # A running one ending lets the next in line run.
        self.athena.stop_query_execution(QueryExecutionId=running[0])
        wait_running(self.athena, later)
        for qid in running[1:] + [later]:
            self.athena.stop_query_execution(QueryExecutionId=qid)
        e = self.wait(later)
        self.assertEqual(e["Status"]["State"], "CANCELLED")
        self.assertGreater(e["Statistics"]["QueryQueueTimeInMillis"], 0)

    def test_step_functions_sync_waits_for_the_query(self):
        sfn = self.server.client("stepfunctions")
        definition = {
            "StartAt": "Query",
            "States": {
                "Query": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::athena:startQueryExecution.sync",
                    "Parameters": {
                        "QueryString.$": "$.sql",
                        "QueryExecutionContext": {"Database": "lake"},
                        "ResultConfiguration": {"OutputLocation": OUT}},
                    "Next": "Results"},
                "Results": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::athena:getQueryResults",
                    "Parameters": {"QueryExecutionId.$": "$.QueryExecution.QueryExecutionId"},
                    "ResultSelector": {"Rows.$": "$.ResultSet.Rows"},
                    "End": True}}}
        machine = sfn.create_state_machine(
            name="athena-sync", definition=json.dumps(definition),
            roleArn="arn:aws:iam::000000000000:role/sfn")["stateMachineArn"]

        def run(sql):
            arn = sfn.start_execution(stateMachineArn=machine,
                                      input=json.dumps({"sql": sql}))["executionArn"]
            self.server.idle()  # the execution and its query have run
            return arn, sfn.describe_execution(executionArn=arn)

        _, d = run("SELECT count(*) AS n FROM events")
        self.assertEqual(d["status"], "SUCCEEDED", d)
        self.assertEqual(json.loads(d["output"])["Rows"],
                         [{"Data": [{"VarCharValue": "n"}]}, {"Data": [{"VarCharValue": "5"}]}])
        arn, d = run("SELECT nope FROM events")
        self.assertEqual((d["status"], d["error"]), ("FAILED", "States.TaskFailed"))
        cause = json.loads(d["cause"])
        self.assertEqual(cause["QueryExecution"]["Status"]["State"], "FAILED")
        self.assertIsInstance(cause["QueryExecution"]["Status"]["SubmissionDateTime"], int)

    def test_catalog_as_athena_shows_it(self):
        self.assertEqual(self.athena.list_data_catalogs()["DataCatalogsSummary"],
                         [{"CatalogName": "AwsDataCatalog", "Type": "GLUE"}])
        self.assertEqual(self.athena.get_data_catalog(Name="AwsDataCatalog")["DataCatalog"]
                         ["Type"], "GLUE")
        self.assertError("InvalidRequestException", self.athena.get_data_catalog, Name="other")
        dbs = self.athena.list_databases(CatalogName="AwsDataCatalog")["DatabaseList"]
        self.assertIn("lake", [d["Name"] for d in dbs])
        self.assertEqual(self.athena.get_database(CatalogName="AwsDataCatalog",
                                                  DatabaseName="lake")["Database"]["Name"], "lake")
        self.assertError("MetadataException", self.athena.get_database,
                         CatalogName="AwsDataCatalog", DatabaseName="nope")
        names = [t["Name"] for t in self.athena.list_table_metadata(
            CatalogName="AwsDataCatalog", DatabaseName="lake")["TableMetadataList"]]
        self.assertEqual(sorted(names), ["big", "events", "posts", "raw"])
        self.assertEqual([t["Name"] for t in self.athena.list_table_metadata(
            CatalogName="AwsDataCatalog", DatabaseName="lake",
            Expression="ev*|po*")["TableMetadataList"]], ["events", "posts"])
        t = self.athena.get_table_metadata(CatalogName="AwsDataCatalog", DatabaseName="lake",
                                           TableName="events")["TableMetadata"]
        self.assertEqual([c["Name"] for c in t["Columns"]], ["id", "name", "score"])
        self.assertEqual([k["Name"] for k in t["PartitionKeys"]], ["year", "month"])
        self.assertEqual(t["Parameters"]["location"], "s3://lake/events/")
        self.assertEqual(t["TableType"], "EXTERNAL_TABLE")
        self.assertError("MetadataException", self.athena.get_table_metadata,
                         CatalogName="AwsDataCatalog", DatabaseName="lake", TableName="nope")

    def execute(self, sql):
        e = self.wait(self.start(sql))
        self.assertEqual(e["Status"]["State"], "SUCCEEDED", e["Status"])
        return self.athena.get_query_results(QueryExecutionId=e["QueryExecutionId"]), e

    def test_create_table_as_and_insert_into(self):
        r, e = self.execute(
            "CREATE TABLE by_month WITH (format = 'PARQUET', external_location = "
            "'s3://lake/out/by_month/', partitioned_by = ARRAY['month']) AS "
            "SELECT id, name, score * 2 AS doubled, month FROM events")
        self.assertEqual((e["StatementType"], e["SubstatementType"]),
                         ("DDL", "CREATE_TABLE_AS_SELECT"))
        self.assertEqual(r["UpdateCount"], 5)
        self.assertEqual(r["ResultSet"]["Rows"], [])
        # The data manifest lists the files written, one URI a line.
        bucket, key = e["Statistics"]["DataManifestLocation"][len("s3://"):].split("/", 1)
        written = sorted(self.s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()
                         .split())
        self.assertEqual([w.split("/")[:6] for w in written],
                         [["s3:", "", "lake", "out", "by_month", "month=01"],
                          ["s3:", "", "lake", "out", "by_month", "month=02"]])
        glue = self.server.client("glue")
        t = glue.get_table(DatabaseName="lake", Name="by_month")["Table"]
        self.assertEqual([(c["Name"], c["Type"]) for c in t["StorageDescriptor"]["Columns"]],
                         [("id", "int"), ("name", "string"), ("doubled", "double")])
        self.assertEqual(t["PartitionKeys"], [{"Name": "month", "Type": "string"}])
        self.assertEqual(t["StorageDescriptor"]["Location"], "s3://lake/out/by_month/")
        self.assertEqual([p["Values"] for p in glue.get_partitions(
            DatabaseName="lake", TableName="by_month")["Partitions"]], [["01"], ["02"]])
        keys = [o["Key"] for o in self.s3.list_objects_v2(Bucket="lake", Prefix="out/by_month/")
                ["Contents"]]
        self.assertEqual([k.split("/")[2] for k in keys], ["month=01", "month=02"])

        r, e = self.execute("INSERT INTO by_month SELECT 99, 'new', 1.0, '03'")
        self.assertEqual((r["UpdateCount"], e["SubstatementType"]), (1, "INSERT"))
        bucket, key = e["Statistics"]["DataManifestLocation"][len("s3://"):].split("/", 1)
        written = self.s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode().split()
        self.assertEqual(len(written), 1)
        self.assertTrue(written[0].startswith("s3://lake/out/by_month/month=03/"), written)
        r, _ = self.execute("INSERT INTO by_month (id, month) VALUES (7, '01')")
        self.assertEqual(r["UpdateCount"], 1)
        _, _, rows, _ = self.run_query(
            "SELECT month, count(*) AS n, max(id) AS top, count(name) AS named FROM by_month "
            "GROUP BY month ORDER BY month")
        self.assertEqual(rows[1:], [["01", "4", "7", "3"], ["02", "2", "1", "2"],
                                    ["03", "1", "99", "1"]])
        self.assertEqual([p["Values"] for p in glue.get_partitions(
            DatabaseName="lake", TableName="by_month")["Partitions"]], [["01"], ["02"], ["03"]])

        r, e = self.execute("CREATE TABLE small WITH (format = 'JSON') AS SELECT 1 AS a, 'x' AS b")
        self.assertTrue(e["ResultConfiguration"]["OutputLocation"].endswith(
            "tables/" + e["QueryExecutionId"]))
        _, _, rows, _ = self.run_query("SELECT * FROM small")
        self.assertEqual(rows, [["a", "b"], ["1", "x"]])
        self.execute("CREATE TABLE IF NOT EXISTS small AS SELECT 2 AS a")

    def test_bucketed_table_files_are_hive_buckets(self):
        # Hive bucketing v1 of a string column: Java's hash of the UTF-8
        # bytes, (hash & 0x7fffffff) % 10 — 'hello' 99162322 -> 2, 'a' 97 -> 7,
        # 'é' -1978 -> 0, NULL -> 0.
        r, e = self.execute(
            "CREATE TABLE bucketed WITH (format = 'JSON', external_location = "
            "'s3://lake/out/bucketed/', partitioned_by = ARRAY['p'], "
            "bucketed_by = ARRAY['label'], bucket_count = 10) AS SELECT n, label, p FROM "
            "(VALUES (1, 'hello', 'x'), (2, 'é', 'x'), (3, 'a', 'x'), (4, NULL, 'x'), "
            "(5, 'a', 'y')) t(n, label, p)")
        self.assertEqual(r["UpdateCount"], 5)
        qid = e["QueryExecutionId"]
        files = {}
        for o in self.s3.list_objects_v2(Bucket="lake", Prefix="out/bucketed/")["Contents"]:
            body = self.s3.get_object(Bucket="lake", Key=o["Key"])["Body"].read()
            if body[:2] == b"\x1f\x8b":
                body = gzip.decompress(body)
            rel = o["Key"][len("out/bucketed/"):]
            files[rel.split(".")[0]] = sorted(json.loads(line)["n"] for line in body.splitlines())
        self.assertEqual(files, {f"p=x/000000_0_{qid}": [2, 4], f"p=x/000002_0_{qid}": [1],
                                 f"p=x/000007_0_{qid}": [3], f"p=y/000007_0_{qid}": [5]})
        glue = self.server.client("glue")
        sd = glue.get_table(DatabaseName="lake", Name="bucketed")["Table"]["StorageDescriptor"]
        self.assertEqual((sd["BucketColumns"], sd["NumberOfBuckets"]), (["label"], 10))
        _, _, rows, _ = self.run_query("SELECT p, count(*), count(label) FROM bucketed GROUP BY p "
                                       "ORDER BY p")
        self.assertEqual(rows[1:], [["x", "4", "3"], ["y", "1", "1"]])
        # Athena adds no rows to a bucketed table.
        self.assertEqual(self.failure("INSERT INTO bucketed VALUES (6, 'b', 'x')")[:2], (2, 1200))
        _, _, rows, _ = self.run_query("SELECT count(*) FROM bucketed")
        self.assertEqual(rows[1:], [["5"]])
        # Bad bucketing properties fail before anything is written.
        for sql, message in (
                ("bucketed_by = ARRAY['nope'], bucket_count = 2",
                 "INVALID_TABLE_PROPERTY: Bucketing columns [nope] not present in schema"),
                ("bucketed_by = ARRAY['a']",
                 "INVALID_TABLE_PROPERTY: bucketed_by and bucket_count must be specified "
                 "together"),
                ("bucketed_by = ARRAY['a'], bucket_count = -1",
                 "INVALID_TABLE_PROPERTY: bucket_count must be greater than zero")):
            self.assertEqual(self.failure(
                f"CREATE TABLE bad_buckets WITH (external_location = 's3://lake/out/bad/', {sql}) "
                "AS SELECT 1 AS a")[2], message, sql)
        category, kind, message = self.failure(
            "CREATE TABLE bad_buckets WITH (external_location = 's3://lake/out/bad/', "
            "bucketed_by = ARRAY['d'], bucket_count = 2) AS SELECT 1.5E0 AS d")
        self.assertEqual((category, kind), (2, 1200), message)
        self.assertIn("'d'", message)
        self.assertNotIn("Contents", self.s3.list_objects_v2(Bucket="lake", Prefix="out/bad/"))
        self.assertError("EntityNotFoundException", glue.get_table, DatabaseName="lake",
                         Name="bad_buckets")
        shown = [row[0] for row in self.text_rows("SHOW CREATE TABLE bucketed")[0]]
        self.assertEqual(shown[shown.index("CLUSTERED BY ( "):][:3],
                         ["CLUSTERED BY ( ", "  `label`) ", "INTO 10 BUCKETS"])
        self.execute("DROP TABLE bucketed")  # the catalogue test counts the tables
        # Hive DDL declares buckets too.
        self.execute("CREATE EXTERNAL TABLE clustered (id int, name string) CLUSTERED BY (id, "
                     "Name) SORTED BY (id DESC) INTO 8 BUCKETS STORED AS PARQUET "
                     "LOCATION 's3://lake/clustered/'")
        sd = glue.get_table(DatabaseName="lake", Name="clustered")["Table"]["StorageDescriptor"]
        self.assertEqual((sd["BucketColumns"], sd["NumberOfBuckets"], sd["SortColumns"]),
                         (["id", "name"], 8, [{"Column": "id", "SortOrder": 0}]))
        shown = [row[0] for row in self.text_rows("SHOW CREATE TABLE clustered")[0]]
        self.assertEqual(shown[shown.index("CLUSTERED BY ( "):][:6],
                         ["CLUSTERED BY ( ", "  `id`, ", "  `name`) ", "SORTED BY ( ",
                          "  `id` DESC) ", "INTO 8 BUCKETS"])
        self.assertEqual(self.failure(
            "CREATE EXTERNAL TABLE c2 (id int) CLUSTERED BY (id) INTO 0 BUCKETS "
            "LOCATION 's3://lake/c2/'")[1], 1006)
        self.execute("DROP TABLE clustered")

    def test_unload_writes_files_and_a_manifest(self):
        r, e = self.execute(
            "UNLOAD (SELECT id, name, month FROM events WHERE id < 2) TO 's3://lake/unload/json/' "
            "WITH (format = 'JSON', partitioned_by = ARRAY['month'])")
        self.assertEqual((e["StatementType"], e["SubstatementType"]), ("DML", "UNLOAD"))
        self.assertEqual(r["UpdateCount"], 4)
        manifest = e["Statistics"]["DataManifestLocation"]
        self.assertEqual(manifest, OUT + e["QueryExecutionId"] + "-manifest.csv")
        bucket, key = manifest[len("s3://"):].split("/", 1)
        files = self.s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode().split()
        keys = sorted(o["Key"] for o in self.s3.list_objects_v2(
            Bucket="lake", Prefix="unload/json/")["Contents"])
        self.assertEqual(sorted(files), ["s3://lake/" + k for k in keys])
        self.assertEqual([k.split("/")[2] for k in keys], ["month=01", "month=02"])
        self.assertTrue(all(k.endswith(".json.gz") for k in keys), keys)
        body = gzip.decompress(self.s3.get_object(Bucket="lake", Key=keys[0])["Body"].read())
        self.assertEqual(sorted(json.loads(l)["id"] for l in body.decode().splitlines()), [0, 1])
        self.assertNotIn("month", json.loads(body.decode().splitlines()[0]))

        self.execute("UNLOAD (SELECT n, label FROM big WHERE n < 3 ORDER BY n) "
                     "TO 's3://lake/unload/text/' WITH (format = 'TEXTFILE', "
                     "field_delimiter = '|', compression = 'NONE')")
        [obj] = self.s3.list_objects_v2(Bucket="lake", Prefix="unload/text/")["Contents"]
        text = self.s3.get_object(Bucket="lake", Key=obj["Key"])["Body"].read().decode()
        self.assertEqual(sorted(text.splitlines())[0].split("|")[0], "0")
        r, _ = self.execute("UNLOAD (SELECT 1 AS a) TO 's3://lake/unload/pq' "
                            "WITH (format = 'PARQUET', compression = 'SNAPPY')")
        self.assertEqual(r["UpdateCount"], 1)

        # Into a location that has files, without a format, in ORC: refused.
        self.assertEqual(self.failure(
            "UNLOAD (SELECT 1) TO 's3://lake/events/' WITH (format = 'PARQUET')")[2],
            "HIVE_PATH_ALREADY_EXISTS: Target directory for UNLOAD already exists: "
            "s3://lake/events/")
        self.assertEqual(self.failure("UNLOAD (SELECT 1) TO 's3://lake/u2/' WITH "
                                      "(compression = 'GZIP')")[:2], (2, 1103))
        self.assertEqual(self.failure("UNLOAD (SELECT 1) TO 's3://lake/u2/' WITH "
                                      "(format = 'ORC')")[:2], (2, 1200))
        self.assertTrue(self.failure("UNLOAD (SELECT 1) TO 's3://lake/u2/'")[2].startswith(
            "SYNTAX_ERROR: "))
        self.assertNotIn("Contents", self.s3.list_objects_v2(Bucket="lake", Prefix="u2/"))

    def test_views_as_athena_stores_them(self):
        self.execute("CREATE VIEW recent AS SELECT id, upper(name) AS big, month FROM events "
                     "WHERE month = '02'")
        _, _, rows, cols = self.run_query("SELECT * FROM recent ORDER BY id")
        self.assertEqual(rows, [["id", "big", "month"], ["0", "E0", "02"], ["1", "E1", "02"]])
        # A view over a view, from another database's context, joined to a table.
        self.execute("CREATE VIEW lake.top AS SELECT max(id) AS m FROM recent")
        _, _, rows, _ = self.run_query(
            "SELECT t.m, count(*) AS n FROM lake.top t JOIN events e ON e.id <= t.m GROUP BY t.m")
        self.assertEqual(rows[1:], [["1", "4"]])
        glue = self.server.client("glue")
        t = glue.get_table(DatabaseName="lake", Name="recent")["Table"]
        self.assertEqual(t["TableType"], "VIRTUAL_VIEW")
        self.assertEqual(t["Parameters"]["presto_view"], "true")
        self.assertTrue(t["ViewOriginalText"].startswith("/* Presto View: "))
        encoded = t["ViewOriginalText"][len("/* Presto View: "):-len(" */")]
        presto = json.loads(base64.b64decode(encoded))
        self.assertEqual(presto["schema"], "lake")
        self.assertEqual(presto["columns"], [{"name": "id", "type": "integer"},
                                             {"name": "big", "type": "varchar"},
                                             {"name": "month", "type": "varchar"}])
        self.assertEqual([c["Name"] for c in t["StorageDescriptor"]["Columns"]],
                         ["id", "big", "month"])
        self.assertEqual(self.text_rows("SHOW VIEWS")[0], [["recent"], ["top"]])
        self.assertEqual(self.failure("CREATE VIEW recent AS SELECT 1 AS x")[2],
                         "ALREADY_EXISTS: line 1:1: View 'awsdatacatalog.lake.recent' already "
                         "exists")
        self.execute("CREATE OR REPLACE VIEW recent AS SELECT 7 AS x")
        _, _, rows, _ = self.run_query("SELECT * FROM recent")
        self.assertEqual(rows, [["x"], ["7"]])
        self.assertTrue(self.failure("SELECT * FROM top")[2].startswith("COLUMN_NOT_FOUND"))
        self.assertEqual(self.failure("CREATE VIEW events AS SELECT 1 AS x")[2],
                         "ALREADY_EXISTS: line 1:1: Table 'awsdatacatalog.lake.events' already "
                         "exists")
        self.execute("DROP VIEW top")
        self.execute("DROP VIEW IF EXISTS top")
        self.assertTrue(self.failure("DROP VIEW events")[2].startswith("TABLE_NOT_FOUND"))
        self.execute("DROP VIEW recent")
        self.assertEqual(self.text_rows("SHOW VIEWS")[0], [])

    def test_explain_shows_the_plan(self):
        r, e = self.execute("EXPLAIN SELECT month, count(*) FROM events GROUP BY month")
        self.assertEqual((e["StatementType"], e["SubstatementType"]), ("DML", "EXPLAIN"))
        rows = [[d.get("VarCharValue") for d in row["Data"]] for row in r["ResultSet"]["Rows"]]
        self.assertEqual(rows[0], ["Query Plan"])
        plan = "\n".join(row[0] for row in rows[1:])
        self.assertIn("AGGREGATE", plan)
        self.assertIn("READ_PARQUET", plan)
        self.assertEqual(e["Statistics"]["DataScannedInBytes"], 0)
        r, e = self.execute("EXPLAIN ANALYZE SELECT count(*) FROM events")
        plan = "\n".join(d.get("VarCharValue", "") for row in r["ResultSet"]["Rows"][1:]
                         for d in row["Data"])
        self.assertIn("Total Time", plan)
        self.assertGreater(e["Statistics"]["DataScannedInBytes"], 0)
        self.assertEqual(self.failure("EXPLAIN SELECT * FROM nope")[1], 1301)

    def test_writes_that_fail_leave_nothing(self):
        self.assertEqual(self.failure("CREATE TABLE events AS SELECT 1 AS a")[2],
                         "ALREADY_EXISTS: line 1:1: Table 'awsdatacatalog.lake.events' already "
                         "exists")
        # 2,500 partitions: over Athena's 100, nothing is written or registered.
        message = self.failure(
            "CREATE TABLE too_many WITH (external_location = 's3://lake/out/too_many/', "
            "partitioned_by = ARRAY['p']) AS SELECT n, CAST(n AS VARCHAR) AS p FROM big")[2]
        self.assertEqual(message, "HIVE_TOO_MANY_OPEN_PARTITIONS: Exceeded limit of 100 open "
                                  "writers for partitions/buckets")
        self.assertNotIn("Contents", self.s3.list_objects_v2(Bucket="lake", Prefix="out/too_many/"))
        self.assertError("EntityNotFoundException", self.server.client("glue").get_table,
                         DatabaseName="lake", Name="too_many")
        self.assertEqual(self.failure(
            "CREATE TABLE x2 WITH (external_location = 's3://lake/events/') AS SELECT 1 AS a")[2],
            "HIVE_PATH_ALREADY_EXISTS: Target directory for table 'lake.x2' already exists: "
            "s3://lake/events/")
        self.assertEqual(self.failure("INSERT INTO events SELECT 1, 2")[2],
                         "TYPE_MISMATCH: Insert query has mismatched column types: Table: "
                         "[integer, varchar, double, varchar, varchar], Query: [integer, integer]")
        self.assertEqual(self.failure("CREATE TABLE o WITH (format = 'ORC') AS SELECT 1 AS a")[:2],
                         (2, 1200))
        self.assertEqual(self.failure("CREATE TABLE o WITH (bucket_count = 4) AS SELECT 1 AS a")[:2],
                         (2, 1103))

    def text_rows(self, sql):
        r, e = self.execute(sql)
        return [[d.get("VarCharValue") for d in row["Data"]] for row in r["ResultSet"]["Rows"]], e

    def test_hive_ddl_and_show(self):
        rows, e = self.text_rows("CREATE DATABASE IF NOT EXISTS ddl COMMENT 'made by DDL'")
        self.assertEqual((rows, e["StatementType"], e["SubstatementType"]),
                         ([], "DDL", "CREATE_DATABASE"))
        self.assertTrue(e["ResultConfiguration"]["OutputLocation"].endswith(".txt"))
        self.assertIn(["ddl"], self.text_rows("SHOW DATABASES")[0])
        self.assertEqual(self.failure("CREATE DATABASE ddl")[2],
                         "FAILED: AlreadyExistsException(message:Database ddl already exists)")
        for key, month in (("m=01", 3), ("m=02", 2)):
            self.s3.put_object(Bucket="lake", Key=f"ext/{key}/part.csv",
                               Body="".join(f"{i}|name {i}\n" for i in range(month)).encode())
        self.s3.put_object(Bucket="lake", Key="ext/m=03/part.csv", Body=b"9|late\n")
        _, e = self.text_rows(
            "CREATE EXTERNAL TABLE ddl.ext (id int COMMENT 'key', name string) "
            "PARTITIONED BY (m string) ROW FORMAT DELIMITED FIELDS TERMINATED BY '|' "
            "STORED AS TEXTFILE LOCATION 's3://lake/ext/' TBLPROPERTIES ('owner' = 'me')")
        self.assertEqual(e["SubstatementType"], "CREATE_TABLE")
        t = self.server.client("glue").get_table(DatabaseName="ddl", Name="ext")["Table"]
        self.assertEqual(t["StorageDescriptor"]["SerdeInfo"]["Parameters"]["field.delim"], "|")
        self.assertEqual(t["StorageDescriptor"]["Columns"][0],
                         {"Name": "id", "Type": "int", "Comment": "key"})
        self.assertEqual(t["Parameters"]["owner"], "me")
        self.assertEqual(self.text_rows("SHOW PARTITIONS ddl.ext")[0], [])
        rows, e = self.text_rows("MSCK REPAIR TABLE ddl.ext")
        self.assertEqual(e["SubstatementType"], "MSCK_REPAIR_TABLE")
        self.assertEqual(rows[0], ["Partitions not in metastore:", "ext:m=01", "ext:m=02",
                                   "ext:m=03"])
        self.assertEqual(self.text_rows("SHOW PARTITIONS ddl.ext")[0],
                         [["m=01"], ["m=02"], ["m=03"]])
        self.assertEqual(self.text_rows("MSCK REPAIR TABLE ddl.ext")[0], [])  # nothing new
        _, _, rows, _ = self.run_query("SELECT m, count(*) AS n, max(name) AS top FROM ddl.ext "
                                       "GROUP BY m ORDER BY m")
        self.assertEqual(rows[1:], [["01", "3", "name 2"], ["02", "2", "name 1"],
                                    ["03", "1", "late"]])
        self.assertEqual(self.text_rows("SHOW TABLES IN ddl")[0], [["ext"]])
        self.assertEqual(self.text_rows("SHOW COLUMNS IN ddl.ext")[0], [["id"], ["name"], ["m"]])
        self.assertEqual(self.text_rows("SHOW TABLES IN lake 'ev*|po*'")[0],
                         [["events"], ["posts"]])
        self.assertEqual(self.failure("DROP DATABASE ddl")[2],
                         "FAILED: InvalidOperationException(message:Database ddl is not empty. "
                         "One or more tables exist.)")
        self.text_rows("DROP TABLE ddl.ext")
        self.text_rows("DROP TABLE IF EXISTS ddl.ext")
        self.assertTrue(self.failure("DROP TABLE ddl.ext")[2].startswith(
            "FAILED: SemanticException [Error 10001]: Table not found"))
        self.text_rows("DROP DATABASE ddl")
        # Athena's default database is always there.
        self.text_rows("CREATE EXTERNAL TABLE default.ext2 (id int) STORED AS PARQUET "
                       "LOCATION 's3://lake/ext2/'")
        self.assertEqual(self.text_rows("SHOW TABLES IN default")[0], [["ext2"]])
        self.assertNotIn(["ddl"], self.text_rows("SHOW SCHEMAS")[0])
        # The data of a dropped external table stays.
        self.assertEqual(self.s3.list_objects_v2(Bucket="lake", Prefix="ext/")["KeyCount"], 3)

    def test_partition_projection(self):
        # ALB-style logs: a date and an enum in the path, no partitions in the catalogue.
        for day, region, n in (("2024/03/01", "eu", 2), ("2024/03/02", "eu", 1),
                               ("2024/03/02", "us", 3), ("2024/03/02", "ap", 5),
                               ("2019/01/01", "eu", 7)):
            self.s3.put_object(Bucket="lake", Key=f"alb/{region}/{day}/log.txt", Body="".join(
                f"{day}|{region}|req{i}\n" for i in range(n)).encode())
        self.s3.put_object(Bucket="lake", Key="alb/eu/2024/03/01/_SUCCESS", Body=b"")
        self.text_rows(
            "CREATE EXTERNAL TABLE alb (logged string, origin string, request string) "
            "PARTITIONED BY (region string, day string) "
            "ROW FORMAT DELIMITED FIELDS TERMINATED BY '|' LOCATION 's3://lake/alb/' "
            "TBLPROPERTIES ('projection.enabled' = 'true', "
            "'projection.region.type' = 'enum', 'projection.region.values' = 'eu,us', "
            "'projection.day.type' = 'date', 'projection.day.format' = 'yyyy/MM/dd', "
            "'projection.day.range' = '2024/01/01,NOW', "
            "'storage.location.template' = 's3://lake/alb/${region}/${day}')")
        self.assertEqual(self.server.client("glue").get_partitions(
            DatabaseName="lake", TableName="alb")["Partitions"], [])
        _, _, rows, _ = self.run_query(
            "SELECT region, day, count(*) FROM alb GROUP BY 1, 2 ORDER BY 1, 2")
        # ap is not a projected value and 2019 is before the range: not read.
        self.assertEqual(rows[1:], [["eu", "2024/03/01", "2"], ["eu", "2024/03/02", "1"],
                                    ["us", "2024/03/02", "3"]])
        _, e, rows, _ = self.run_query(
            "SELECT count(*) FROM alb WHERE region = 'us' AND day = '2024/03/02'")
        self.assertEqual(rows[1:], [["3"]])
        self.text_rows("ALTER TABLE alb SET TBLPROPERTIES ('projection.day.range' = 'yesterday')")
        category, kind, message = self.failure("SELECT count(*) FROM alb")
        self.assertTrue(message.startswith("HIVE_METASTORE_ERROR: Partition projection: "),
                        message)
        self.assertIn("yesterday", message)
        # Projection switched off: the catalogue's partitions (none) are read again.
        self.text_rows("ALTER TABLE alb SET TBLPROPERTIES ('projection.enabled' = 'false')")
        self.assertEqual(self.run_query("SELECT count(*) FROM alb")[2][1:], [["0"]])

    def test_alter_describe_and_show_create(self):
        self.s3.put_object(Bucket="lake", Key="alt/dt=2024-01-01/a.csv", Body=b"1,one\n2,two\n")
        self.s3.put_object(Bucket="lake", Key="elsewhere/day2/a.csv", Body=b"3,three\n")
        self.text_rows("CREATE EXTERNAL TABLE alt (id int, word string) PARTITIONED BY "
                       "(dt string) ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' "
                       "LOCATION 's3://lake/alt/' TBLPROPERTIES ('classification' = 'csv')")
        rows, e = self.text_rows(
            "ALTER TABLE alt ADD PARTITION (dt = '2024-01-01') "
            "PARTITION (dt = '2024-01-02') LOCATION 's3://lake/elsewhere/day2/'")
        self.assertEqual((rows, e["StatementType"]), ([], "DDL"))
        self.assertEqual(self.text_rows("SHOW PARTITIONS alt")[0],
                         [["dt=2024-01-01"], ["dt=2024-01-02"]])
        glue = self.server.client("glue")
        self.assertEqual(glue.get_partition(DatabaseName="lake", TableName="alt",
                                            PartitionValues=["2024-01-01"])["Partition"]
                         ["StorageDescriptor"]["Location"], "s3://lake/alt/dt=2024-01-01/")
        self.assertEqual(self.failure("ALTER TABLE alt ADD PARTITION (dt = '2024-01-01')")[2],
                         "FAILED: AlreadyExistsException: Partition already exists.")
        self.text_rows("ALTER TABLE alt ADD IF NOT EXISTS PARTITION (dt = '2024-01-01')")
        self.assertTrue(self.failure("ALTER TABLE alt ADD PARTITION (day = '1')")[2].startswith(
            "FAILED: SemanticException"))
        rows, _ = self.text_rows("DESCRIBE alt")
        self.assertEqual([[c.strip() for c in r] for r in rows], [
            ["id", "int", ""], ["word", "string", ""], ["dt", "string", ""], ["", "", ""],
            ["# Partition Information", "", ""], ["# col_name", "data_type", "comment"],
            ["", "", ""], ["dt", "string", ""]])
        self.assertEqual(rows[0][0], "id" + " " * 18)
        rows, _ = self.text_rows("DESCRIBE FORMATTED alt")
        flat = [[c.strip() for c in r] for r in rows]
        self.assertEqual(flat[:9], [
            ["# col_name", "data_type", "comment"], ["", "", ""], ["id", "int", ""],
            ["word", "string", ""], ["", "", ""], ["# Partition Information", "", ""],
            ["# col_name", "data_type", "comment"], ["", "", ""], ["dt", "string", ""]])
        for line in (["# Detailed Table Information", "", ""], ["Database:", "lake", ""],
                     ["Location:", "s3://lake/alt/", ""], ["Table Type:", "EXTERNAL_TABLE", ""],
                     ["# Storage Information", "", ""], ["Num Buckets:", "-1", ""],
                     ["Bucket Columns:", "[]", ""], ["Compressed:", "No", ""],
                     ["", "field.delim", ","]):
            self.assertIn(line, flat)
        rows, _ = self.text_rows("SHOW CREATE TABLE alt")
        ddl = "\n".join(r[0] for r in rows)
        self.assertTrue(ddl.startswith("CREATE EXTERNAL TABLE `lake`.`alt`(\n  `id` int, \n"
                                       "  `word` string)\nPARTITIONED BY ( \n  `dt` string)"),
                        ddl)
        self.assertIn("LOCATION\n  's3://lake/alt/'", ddl)
        self.assertIn("'field.delim'=','", ddl)
        self.text_rows("ALTER TABLE alt SET TBLPROPERTIES ('team' = 'data')")
        self.assertIn(["team", "data"], self.text_rows("SHOW TBLPROPERTIES alt")[0])
        self.assertEqual(self.text_rows("SHOW TBLPROPERTIES alt ('team')")[0], [["data"]])
        self.text_rows("ALTER TABLE alt ADD COLUMNS (extra string)")
        _, _, rows, _ = self.run_query("SELECT dt, id, word, extra FROM alt ORDER BY id")
        self.assertEqual(rows[1:], [["2024-01-01", "1", "one", None],
                                    ["2024-01-01", "2", "two", None],
                                    ["2024-01-02", "3", "three", None]])
        # A folder no partition points at is not read, as on Athena.
        self.s3.put_object(Bucket="lake", Key="alt/dt=2024-01-03/a.csv", Body=b"4,four\n")
        _, _, rows, _ = self.run_query("SELECT count(*) FROM alt")
        self.assertEqual(rows[1], ["3"])
        self.text_rows("ALTER TABLE alt DROP PARTITION (dt = '2024-01-02')")
        _, _, rows, _ = self.run_query("SELECT count(*), min(id) FROM alt WHERE dt >= '2024-01-01'")
        self.assertEqual(rows[1], ["2", "1"])
        self.assertTrue(self.failure("ALTER TABLE alt DROP PARTITION (dt = '2024-01-02')")[2]
                        .startswith("FAILED: SemanticException [Error 10006]: Partition not found"))
        self.text_rows("ALTER TABLE alt DROP IF EXISTS PARTITION (dt = '2024-01-02')")
        self.assertEqual(self.text_rows("SHOW PARTITIONS alt")[0], [["dt=2024-01-01"]])
        self.text_rows("ALTER TABLE alt SET LOCATION 's3://lake/moved/'")
        self.assertEqual(glue.get_table(DatabaseName="lake", Name="alt")["Table"]
                         ["StorageDescriptor"]["Location"], "s3://lake/moved/")
        self.assertEqual(self.failure("ALTER TABLE alt RENAME TO alt2")[1], 1200)
        self.assertTrue(self.failure("DESCRIBE nope")[2].startswith(
            "FAILED: SemanticException [Error 10001]: Table not found"))
        self.text_rows("DROP TABLE alt")

    def test_state_change_events_and_runtime_statistics(self):
        events, sqs = self.server.client("events"), self.server.client("sqs")
        url = sqs.create_queue(QueueName="athena-events")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        events.put_rule(Name="queries", EventPattern=json.dumps(
            {"source": ["aws.athena"], "detail-type": ["Athena Query State Change"]}))
        events.put_targets(Rule="queries", Targets=[{"Id": "q", "Arn": arn}])
        qid = self.start("SELECT count(*) FROM events")
        self.wait(qid)
        bad = self.start("SELECT 1 / 0")
        self.wait(bad)
        self.server.idle()  # the events are delivered
        got = []
        while True:
            msgs = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
            if not msgs:
                break
            got += [json.loads(m["Body"]) for m in msgs]
        events.remove_targets(Rule="queries", Ids=["q"])
        events.delete_rule(Name="queries")
        mine = sorted((e["detail"]["sequenceNumber"], e["detail"]["currentState"],
                       e["detail"].get("previousState")) for e in got
                      if e["detail"]["queryExecutionId"] == qid)
        self.assertEqual(mine, [("1", "QUEUED", None), ("2", "RUNNING", "QUEUED"),
                                ("3", "SUCCEEDED", "RUNNING")])
        done = [e for e in got if e["detail"]["queryExecutionId"] == qid][-1]
        self.assertEqual((done["source"], done["detail-type"]),
                         ("aws.athena", "Athena Query State Change"))
        self.assertEqual((done["detail"]["workgroupName"], done["detail"]["statementType"],
                          done["detail"]["versionId"]), ("primary", "DML", "0"))
        failed = [e["detail"] for e in got if e["detail"]["queryExecutionId"] == bad
                  and e["detail"]["currentState"] == "FAILED"]
        self.assertEqual(failed[0]["athenaError"]["errorMessage"],
                         "DIVISION_BY_ZERO: Division by zero")

        stats = self.athena.get_query_runtime_statistics(QueryExecutionId=qid)[
            "QueryRuntimeStatistics"]
        self.assertEqual(stats["Rows"]["OutputRows"], 1)
        self.assertGreater(stats["Rows"]["InputBytes"], 0)
        self.assertIn("TotalExecutionTimeInMillis", stats["Timeline"])
        r = self.assertError("InvalidRequestException", self.athena.get_query_runtime_statistics,
                             QueryExecutionId="00000000-0000-0000-0000-000000000000")
        self.assertEqual(r["AthenaErrorCode"], "QUERY_EXECUTION_NOT_FOUND")

    def test_cli(self):
        _, out, _ = aws(self.server, "athena", "start-query-execution", "--query-string",
                        "SELECT count(*) AS n FROM lake.events", "--result-configuration",
                        f"OutputLocation={OUT}")
        self.wait(out["QueryExecutionId"])
        _, res, _ = aws(self.server, "athena", "get-query-results", "--query-execution-id",
                        out["QueryExecutionId"])
        self.assertEqual(res["ResultSet"]["Rows"][1]["Data"][0]["VarCharValue"], "5")


class AthenaDurabilityTest(unittest.TestCase):
    def test_query_cut_by_kill_9_is_failed(self):
        server = SluiceServer().start()
        try:
            setup_lake(server)
            athena = server.client("athena")
            qid = athena.start_query_execution(
                QueryString="SELECT count(*) FROM big a, big b, big c WHERE a.n + b.n = c.n + 1",
                QueryExecutionContext={"Database": "lake"},
                ResultConfiguration={"OutputLocation": OUT})["QueryExecutionId"]
            wait_running(athena, qid)
            server.stop(signal.SIGKILL)
            server.start()
            e = server.client("athena").get_query_execution(QueryExecutionId=qid)["QueryExecution"]
            self.assertEqual(e["Status"]["State"], "FAILED")
            self.assertIn("restart", e["Status"]["StateChangeReason"])
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main()
