"""Glue crawlers through boto3 and the AWS CLI: configuration and its errors,
crawls of Parquet, JSON and CSV data the tests write to S3 (tables,
partitions and the parameters a crawler writes), re-crawls, stopping, the
crawl's events and logs, a Step Functions poll loop, and a crawl cut by
kill -9."""
import json
import signal
import unittest

from botocore.exceptions import ClientError

from aws_cli import aws
from lake_fixtures import parquet_bytes
from sluice_server import SluiceServer

ROLE = "arn:aws:iam::000000000000:role/service-role/AWSGlueServiceRole-lake"


def wait_ready(server, name):
    """The crawler once the server is quiet: its crawl has run and its end is stored."""
    server.idle()
    c = server.client("glue").get_crawler(Name=name)["Crawler"]
    assert c["State"] == "READY" and "LastCrawl" in c, c
    return c


class CrawlerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = SluiceServer().start()
        cls.glue = cls.server.client("glue")
        cls.s3 = cls.server.client("s3")
        cls.s3.create_bucket(Bucket="lake")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def assertError(self, code, fn, **kwargs):
        with self.assertRaises(ClientError) as cm:
            fn(**kwargs)
        self.assertEqual(cm.exception.response["Error"]["Code"], code, cm.exception.response)
        return cm.exception.response["Error"]["Message"]

    def put(self, key, body):
        self.s3.put_object(Bucket="lake", Key=key, Body=body)

    def crawl(self, name):
        self.glue.start_crawler(Name=name)
        return wait_ready(self.server, name)

    def test_configuration_and_errors(self):
        self.glue.create_crawler(Name="Conf", Role=ROLE, DatabaseName="confdb",
                                 Targets={"S3Targets": [{"Path": "s3://lake/conf/"}]},
                                 Tags={"team": "data"})
        c = self.glue.get_crawler(Name="Conf")["Crawler"]
        self.assertEqual((c["Name"], c["State"], c["Version"], c["DatabaseName"]),
                         ("Conf", "READY", 1, "confdb"))
        self.assertEqual(c["Targets"]["S3Targets"], [{"Path": "s3://lake/conf/", "Exclusions": []}])
        self.assertEqual(c["SchemaChangePolicy"], {"UpdateBehavior": "UPDATE_IN_DATABASE",
                                                   "DeleteBehavior": "DEPRECATE_IN_DATABASE"})
        self.assertEqual(c["RecrawlPolicy"], {"RecrawlBehavior": "CRAWL_EVERYTHING"})
        self.assertNotIn("LastCrawl", c)
        self.assertError("AlreadyExistsException", self.glue.create_crawler, Name="Conf",
                         Role=ROLE, Targets={"S3Targets": [{"Path": "s3://lake/x/"}]})
        self.assertError("EntityNotFoundException", self.glue.get_crawler, Name="nope")
        bad = [
            {"Targets": {"S3Targets": [{"Path": "/local/dir"}]}},
            {"Targets": {}},
            {"Targets": {"S3Targets": [{"Path": "s3://lake/x/"}]}, "Schedule": "rate(1 hour)"},
            {"Targets": {"S3Targets": [{"Path": "s3://lake/x/"}]}, "Configuration": "{not json"},
            {"Targets": {"S3Targets": [{"Path": "s3://lake/x/"}]},
             "RecrawlPolicy": {"RecrawlBehavior": "CRAWL_NEW_FOLDERS_ONLY"}},
            {"Targets": {"S3Targets": [{"Path": "s3://lake/x/"}]},
             "RecrawlPolicy": {"RecrawlBehavior": "CRAWL_EVENT_MODE"}},
        ]
        for extra in bad:
            with self.subTest(extra=extra):
                self.assertError("InvalidInputException", self.glue.create_crawler,
                                 Name="bad", Role=ROLE, **extra)
        self.assertError("EntityNotFoundException", self.glue.get_crawler, Name="bad")
        self.glue.update_crawler(Name="Conf", Schedule="cron(0 7 * * ? *)", TablePrefix="raw_")
        c = self.glue.get_crawler(Name="Conf")["Crawler"]
        self.assertEqual((c["Version"], c["TablePrefix"]), (2, "raw_"))
        self.assertEqual(c["Schedule"], {"ScheduleExpression": "cron(0 7 * * ? *)",
                                         "State": "SCHEDULED"})
        for i in range(3):
            self.glue.create_crawler(Name=f"page{i}", Role=ROLE,
                                     Targets={"S3Targets": [{"Path": "s3://lake/p/"}]})
        names, token = [], {}
        while True:
            page = self.glue.list_crawlers(MaxResults=2, **token)
            self.assertLessEqual(len(page["CrawlerNames"]), 2)
            names += page["CrawlerNames"]
            if "NextToken" not in page:
                break
            token = {"NextToken": page["NextToken"]}
        paged = [c["Name"] for p in self.glue.get_paginator("get_crawlers").paginate(
            PaginationConfig={"PageSize": 2}) for c in p["Crawlers"]]
        self.assertEqual(paged, names)
        self.assertTrue({"Conf", "page0", "page1", "page2"} <= set(names))
        self.assertEqual(len(names), len(set(names)))
        self.assertEqual(self.glue.list_crawlers(Tags={"team": "data"})["CrawlerNames"], ["Conf"])
        got = self.glue.batch_get_crawlers(CrawlerNames=["page0", "ghost"])
        self.assertEqual([c["Name"] for c in got["Crawlers"]], ["page0"])
        self.assertEqual(got["CrawlersNotFound"], ["ghost"])
        self.assertEqual(self.glue.get_tags(
            ResourceArn="arn:aws:glue:us-east-1:000000000000:crawler/Conf")["Tags"],
            {"team": "data"})
        self.assertError("CrawlerNotRunningException", self.glue.stop_crawler, Name="Conf")
        self.glue.delete_crawler(Name="page2")
        self.assertError("EntityNotFoundException", self.glue.get_crawler, Name="page2")

    def test_parquet_hive_partitions_and_recrawl(self):
        for month, n in (("01", 3), ("02", 5)):
            self.put(f"silver/events/year=2024/month={month}/part-0.snappy.parquet", parquet_bytes(
                f"SELECT i::INTEGER AS id, 'e' || i AS name, i::DOUBLE / 2 AS score, "
                f"TIMESTAMP '2024-01-01 00:00:00' AS at FROM range({n}) t(i)"))
        self.put("silver/events/_SUCCESS", b"")
        self.glue.create_crawler(Name="events", Role=ROLE, DatabaseName="silver",
                                 Targets={"S3Targets": [{"Path": "s3://lake/silver/events/"}]})
        c = self.crawl("events")
        self.assertEqual(c["LastCrawl"]["Status"], "SUCCEEDED", c["LastCrawl"])
        self.assertEqual(c["LastCrawl"]["LogGroup"], "/aws-glue/crawlers")
        t = self.glue.get_table(DatabaseName="silver", Name="events")["Table"]
        sd = t["StorageDescriptor"]
        self.assertEqual(sd["Columns"], [{"Name": "id", "Type": "int"},
                                         {"Name": "name", "Type": "string"},
                                         {"Name": "score", "Type": "double"},
                                         {"Name": "at", "Type": "timestamp"}])
        self.assertEqual(t["PartitionKeys"], [{"Name": "year", "Type": "string"},
                                              {"Name": "month", "Type": "string"}])
        self.assertEqual(sd["Location"], "s3://lake/silver/events/")
        self.assertEqual(sd["InputFormat"],
                         "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat")
        self.assertEqual(sd["SerdeInfo"]["SerializationLibrary"],
                         "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe")
        p = t["Parameters"]
        self.assertEqual((p["classification"], p["compressionType"], p["typeOfData"],
                          p["objectCount"], p["recordCount"], p["UPDATED_BY_CRAWLER"]),
                         ("parquet", "none", "file", "2", "8", "events"))
        self.assertEqual(t["TableType"], "EXTERNAL_TABLE")
        self.assertTrue(t["CreatedBy"].endswith(":assumed-role/AWSGlueServiceRole-lake/AWS-Crawler"),
                        t["CreatedBy"])
        parts = self.glue.get_partitions(DatabaseName="silver", TableName="events")["Partitions"]
        self.assertEqual([p["Values"] for p in parts], [["2024", "01"], ["2024", "02"]])
        self.assertEqual(parts[1]["StorageDescriptor"]["Location"],
                         "s3://lake/silver/events/year=2024/month=02/")
        self.assertEqual(parts[1]["StorageDescriptor"]["Parameters"]["recordCount"], "5")

        # New data with a new column: one partition added, the schema updated.
        self.put("silver/events/year=2024/month=03/part-0.parquet", parquet_bytes(
            "SELECT 1::INTEGER AS id, 'x' AS name, 0.5::DOUBLE AS score, "
            "TIMESTAMP '2024-03-01 00:00:00' AS at, true AS flagged"))
        c = self.crawl("events")
        self.assertEqual(c["LastCrawl"]["Status"], "SUCCEEDED")
        t = self.glue.get_table(DatabaseName="silver", Name="events")["Table"]
        self.assertEqual(t["StorageDescriptor"]["Columns"][-1], {"Name": "flagged",
                                                                 "Type": "boolean"})
        self.assertEqual(t["VersionId"], "1")
        parts = self.glue.get_partitions(DatabaseName="silver", TableName="events")["Partitions"]
        self.assertEqual(len(parts), 3)
        metrics = self.glue.get_crawler_metrics(CrawlerNameList=["events"])["CrawlerMetricsList"]
        self.assertEqual(metrics[0]["CrawlerName"], "events")
        self.assertEqual((metrics[0]["TablesCreated"], metrics[0]["TablesUpdated"]), (0, 1))
        crawls = self.glue.list_crawls(CrawlerName="events")["Crawls"]
        self.assertEqual([c["State"] for c in crawls], ["SUCCEEDED", "SUCCEEDED"])
        self.assertEqual(json.loads(crawls[0]["Summary"]),
                         {"TABLE": {"UPDATE": {"Count": 1}}, "PARTITION": {"ADD": {"Count": 1}}})
        self.assertEqual(json.loads(crawls[1]["Summary"]),
                         {"TABLE": {"ADD": {"Count": 1}}, "PARTITION": {"ADD": {"Count": 2}}})

    def test_json_and_csv_folders_become_tables(self):
        self.put("bronze/posts/2024/01/a.json",
                 b'{"Id": 1, "PostType": "post", "Created": "2024-01-02 03:04:05", '
                 b'"Meta": {"tags": ["a"]}, "Views": 5000000000}\n'
                 b'{"Id": 2, "PostType": "page", "Created": "2024-01-03 03:04:05", '
                 b'"Meta": {"tags": []}, "Views": 7}\n')
        self.put("bronze/posts/2024/02/a.json",
                 b'{"Id": 3, "PostType": "post", "Created": "2024-02-02 03:04:05", '
                 b'"Meta": {"tags": ["b"]}, "Views": 1}\n')
        self.put("bronze/users/users.csv", b"user_id,name,active\n1,ann,true\n2,bob,false\n")
        self.put("bronze/users/tmp/ignore.csv", b"a,b\n1,2\n")
        self.glue.create_crawler(
            Name="bronze", Role=ROLE, DatabaseName="bronze", TablePrefix="raw_",
            Targets={"S3Targets": [{"Path": "s3://lake/bronze/", "Exclusions": ["**/tmp/**"]}]})
        c = self.crawl("bronze")
        self.assertEqual(c["LastCrawl"]["Status"], "SUCCEEDED", c["LastCrawl"])
        names = sorted(t["Name"] for t in self.glue.get_tables(DatabaseName="bronze")["TableList"])
        self.assertEqual(names, ["raw_posts", "raw_users"])
        posts = self.glue.get_table(DatabaseName="bronze", Name="raw_posts")["Table"]
        sd = posts["StorageDescriptor"]
        self.assertEqual([(c["Name"], c["Type"]) for c in sd["Columns"]],
                         [("id", "int"), ("posttype", "string"), ("created", "string"),
                          ("meta", "struct<tags:array<string>>"), ("views", "bigint")])
        self.assertEqual(sd["SerdeInfo"], {"SerializationLibrary":
                                           "org.openx.data.jsonserde.JsonSerDe",
                                           "Parameters": {"paths": "Id,PostType,Created,Meta,Views"}})
        self.assertEqual([k["Name"] for k in posts["PartitionKeys"]],
                         ["partition_0", "partition_1"])
        self.assertEqual(posts["Parameters"]["recordCount"], "3")
        users = self.glue.get_table(DatabaseName="bronze", Name="raw_users")["Table"]
        self.assertEqual([(c["Name"], c["Type"]) for c in users["StorageDescriptor"]["Columns"]],
                         [("user_id", "bigint"), ("name", "string"), ("active", "boolean")])
        self.assertEqual(users["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"],
                         "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe")
        self.assertEqual(users["Parameters"]["skip.header.line.count"], "1")
        self.assertEqual(users["Parameters"]["objectCount"], "1")

        # The users folder goes: the table is marked deprecated, not deleted.
        self.s3.delete_object(Bucket="lake", Key="bronze/users/users.csv")
        self.crawl("bronze")
        users = self.glue.get_table(DatabaseName="bronze", Name="raw_users")["Table"]
        self.assertEqual(users["Parameters"]["DEPRECATED_BY_CRAWLER"], "bronze")

    def test_failures_are_reported_on_the_crawl(self):
        self.glue.create_crawler(Name="nobucket", Role=ROLE, DatabaseName="x",
                                 Targets={"S3Targets": [{"Path": "s3://no-such-bucket/data/"}]})
        c = self.crawl("nobucket")
        self.assertEqual(c["LastCrawl"]["Status"], "FAILED")
        self.assertIn("no-such-bucket", c["LastCrawl"]["ErrorMessage"])
        self.put("nodb/a.json", b'{"a": 1}\n')
        self.glue.create_crawler(Name="nodb", Role=ROLE,
                                 Targets={"S3Targets": [{"Path": "s3://lake/nodb/"}]})
        c = self.crawl("nodb")
        self.assertEqual(c["LastCrawl"]["Status"], "FAILED")
        self.assertIn("DatabaseName", c["LastCrawl"]["ErrorMessage"])
        # Threshold: more new tables than allowed writes nothing.
        self.put("many/a/x.json", b'{"a": 1}\n')
        self.put("many/b/x.csv", b"q,r\n1,2\n3,4\n")
        self.glue.create_crawler(
            Name="threshold", Role=ROLE, DatabaseName="many",
            Targets={"S3Targets": [{"Path": "s3://lake/many/"}]},
            Configuration=json.dumps({"Version": 1.0,
                                      "CrawlerOutput": {"Tables": {"TableThreshold": 1}}}))
        c = self.crawl("threshold")
        self.assertEqual(c["LastCrawl"]["Status"], "FAILED")
        self.assertIn("table threshold", c["LastCrawl"]["ErrorMessage"])
        self.assertError("EntityNotFoundException", self.glue.get_table, DatabaseName="many",
                         Name="a")

    def test_catalog_targets_update_the_tables_they_name(self):
        self.glue.create_database(DatabaseInput={"Name": "cat"})
        self.glue.create_table(DatabaseName="cat", TableInput={
            "Name": "Manual_Events", "PartitionKeys": [{"Name": "dt", "Type": "string"}],
            "StorageDescriptor": {"Columns": [{"Name": "id", "Type": "bigint"}],
                                  "Location": "s3://lake/cat/events"}})
        self.put("cat/events/dt=2024-01-01/a.json", b'{"id": 1, "what": "x"}\n')
        self.put("cat/events/dt=2024-01-02/a.json", b'{"id": 2, "what": "y"}\n')
        self.glue.create_crawler(
            Name="catalog", Role=ROLE,
            SchemaChangePolicy={"UpdateBehavior": "UPDATE_IN_DATABASE", "DeleteBehavior": "LOG"},
            Targets={"CatalogTargets": [{"DatabaseName": "cat", "Tables": ["manual_events"]}]})
        c = self.crawl("catalog")
        self.assertEqual(c["LastCrawl"]["Status"], "SUCCEEDED", c["LastCrawl"])
        self.assertEqual([t["Name"] for t in self.glue.get_tables(DatabaseName="cat")["TableList"]],
                         ["manual_events"])
        t = self.glue.get_table(DatabaseName="cat", Name="manual_events")["Table"]
        self.assertEqual([c["Name"] for c in t["StorageDescriptor"]["Columns"]], ["id", "what"])
        self.assertEqual([p["Values"] for p in self.glue.get_partitions(
            DatabaseName="cat", TableName="manual_events")["Partitions"]],
            [["2024-01-01"], ["2024-01-02"]])
        self.glue.delete_table(DatabaseName="cat", Name="manual_events")
        c = self.crawl("catalog")
        self.assertEqual(c["LastCrawl"]["Status"], "FAILED")
        self.assertIn("cat.manual_events", c["LastCrawl"]["ErrorMessage"])
        self.assertError("InvalidInputException", self.glue.create_crawler, Name="mixed",
                         Role=ROLE, DatabaseName="cat",
                         Targets={"S3Targets": [{"Path": "s3://lake/x/"}],
                                  "CatalogTargets": [{"DatabaseName": "cat", "Tables": ["t"]}]})

    def test_running_crawler_refuses_start_update_delete_and_can_stop(self):
        for i in range(400):
            self.put(f"big/f{i:04}.json", json.dumps({"n": i, "s": "x" * 50}).encode())
        self.glue.create_crawler(Name="big", Role=ROLE, DatabaseName="big",
                                 Targets={"S3Targets": [{"Path": "s3://lake/big/"}]})
        self.glue.start_crawler(Name="big")
        self.assertError("CrawlerRunningException", self.glue.start_crawler, Name="big")
        self.assertError("CrawlerRunningException", self.glue.delete_crawler, Name="big")
        self.glue.stop_crawler(Name="big")
        self.assertIn(self.glue.get_crawler(Name="big")["Crawler"]["State"],
                      ("STOPPING", "READY"))
        c = wait_ready(self.server, "big")
        self.assertEqual(c["LastCrawl"]["Status"], "CANCELLED")
        self.assertError("EntityNotFoundException", self.glue.get_table, DatabaseName="big",
                         Name="big")
        c = self.crawl("big")
        self.assertEqual(c["LastCrawl"]["Status"], "SUCCEEDED")
        self.assertEqual(self.glue.get_table(DatabaseName="big", Name="big")["Table"]
                         ["Parameters"]["objectCount"], "400")

    def test_events_and_logs(self):
        events, sqs = self.server.client("events"), self.server.client("sqs")
        url = sqs.create_queue(QueueName="crawler-events")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        events.put_rule(Name="crawls", EventPattern=json.dumps(
            {"source": ["aws.glue"], "detail-type": ["Glue Crawler State Change"],
             "detail": {"crawlerName": ["logged"]}}))
        events.put_targets(Rule="crawls", Targets=[{"Id": "q", "Arn": arn}])
        self.put("logged/a.json", b'{"a": 1}\n')
        self.glue.create_crawler(Name="logged", Role=ROLE, DatabaseName="logged",
                                 Targets={"S3Targets": [{"Path": "s3://lake/logged/"}]})
        self.crawl("logged")
        self.server.idle()  # the events are delivered
        got = [json.loads(m["Body"]) for m in sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])]
        self.assertEqual([e["detail"]["state"] for e in got], ["Started", "Succeeded"])
        done = got[1]
        self.assertEqual((done["source"], done["detail-type"]),
                         ("aws.glue", "Glue Crawler State Change"))
        self.assertEqual((done["detail"]["tablesCreated"], done["detail"]["message"]),
                         ("1", "Crawler Succeeded"))
        logs = self.server.client("logs")
        lines = [e["message"] for e in logs.get_log_events(
            logGroupName="/aws-glue/crawlers", logStreamName="logged")["events"]]
        self.assertTrue(any("Created table logged in database logged" in l for l in lines), lines)
        self.assertTrue(lines[-1].endswith("in state READY (SUCCEEDED)"), lines)

    def test_cli(self):
        self.put("cli/t/a.csv", b"a,b\n1,x\n2,y\n")
        aws(self.server, "glue", "create-crawler", "--name", "cli", "--role", ROLE,
            "--database-name", "cli", "--targets", '{"S3Targets":[{"Path":"s3://lake/cli/t/"}]}')
        aws(self.server, "glue", "start-crawler", "--name", "cli")
        wait_ready(self.server, "cli")
        _, out, _ = aws(self.server, "glue", "get-table", "--database-name", "cli", "--name", "t")
        self.assertEqual([c["Name"] for c in out["Table"]["StorageDescriptor"]["Columns"]],
                         ["a", "b"])
        code, _, err = aws(self.server, "glue", "start-crawler", "--name", "ghost", check=False)
        self.assertNotEqual(code, 0)
        self.assertIn("EntityNotFoundException", err)


class IncrementalCrawlTest(unittest.TestCase):
    """CRAWL_EVENT_MODE fed by S3 notifications through SQS, and
    CRAWL_NEW_FOLDERS_ONLY: after a first full crawl only the folders named by
    events, or not catalogued yet, are read."""

    @classmethod
    def setUpClass(cls):
        cls.server = SluiceServer().start()
        cls.glue, cls.s3, cls.sqs = (cls.server.client(s) for s in ("glue", "s3", "sqs"))
        cls.s3.create_bucket(Bucket="stream")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def crawl(self, name):
        self.glue.start_crawler(Name=name)
        c = wait_ready(self.server, name)
        self.assertEqual(c["LastCrawl"]["Status"], "SUCCEEDED", c["LastCrawl"])
        lines = [e["message"] for e in self.server.client("logs").get_log_events(
            logGroupName="/aws-glue/crawlers", logStreamName=name)["events"]]
        crawl_id = c["LastCrawl"]["MessagePrefix"]
        return [l for l in lines if l.startswith(f"[{crawl_id}]")]

    def values(self, db, table):
        return [p["Values"] for p in self.glue.get_partitions(
            DatabaseName=db, TableName=table)["Partitions"]]

    def test_event_mode_reads_only_the_folders_events_name(self):
        url = self.sqs.create_queue(QueueName="lake-events")["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        self.s3.put_bucket_notification_configuration(Bucket="stream", NotificationConfiguration={
            "QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"],
                                     "Filter": {"Key": {"FilterRules": [
                                         {"Name": "prefix", "Value": "events/"}]}}}]})
        self.s3.put_object(Bucket="stream", Key="events/year=2024/month=01/a.json",
                           Body=b'{"id": 1, "kind": "a"}\n')
        self.s3.put_object(Bucket="stream", Key="events/year=2024/month=01/b.json",
                           Body=b'{"id": 2, "kind": "b"}\n')
        self.glue.create_crawler(
            Name="events", Role=ROLE, DatabaseName="stream",
            RecrawlPolicy={"RecrawlBehavior": "CRAWL_EVENT_MODE"},
            Targets={"S3Targets": [{"Path": "s3://stream/events/", "EventQueueArn": arn}]})
        log = self.crawl("events")  # the first crawl reads everything
        self.assertIn("Read 2 objects", " ".join(log))
        self.assertEqual(self.values("stream", "events"), [["2024", "01"]])
        self.server.idle()
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        self.assertEqual((attrs["ApproximateNumberOfMessages"],
                          attrs["ApproximateNumberOfMessagesNotVisible"]), ("0", "0"))

        self.s3.put_object(Bucket="stream", Key="events/year=2024/month=02/c.json",
                           Body=b'{"id": 3, "kind": "c", "extra": true}\n')
        log = self.crawl("events")
        self.assertIn("Read 1 objects (only new folders)", " ".join(log))
        self.assertEqual(self.values("stream", "events"), [["2024", "01"], ["2024", "02"]])
        t = self.glue.get_table(DatabaseName="stream", Name="events")["Table"]
        self.assertEqual([c["Name"] for c in t["StorageDescriptor"]["Columns"]],
                         ["id", "kind", "extra"])
        self.assertEqual(t["Parameters"]["objectCount"], "2")  # the table's, not the folder's

        log = self.crawl("events")  # no events: nothing read, nothing changed
        self.assertIn("Read 0 objects", " ".join(log))
        self.assertEqual(self.glue.get_table(DatabaseName="stream", Name="events")["Table"]
                         ["VersionId"], t["VersionId"])

    def test_event_mode_sends_messages_that_are_no_s3_event_to_the_dead_letter_queue(self):
        def queue(name):
            url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
            return url, self.sqs.get_queue_attributes(
                QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        url, arn = queue("dlq-events")
        dlq_url, dlq_arn = queue("dlq-events-dead")
        self.s3.put_object(Bucket="stream", Key="dlq/day=1/a.json", Body=b'{"id": 1}\n')
        with self.assertRaises(self.glue.exceptions.InvalidInputException):
            self.glue.create_crawler(
                Name="dlq-bad", Role=ROLE, DatabaseName="stream",
                RecrawlPolicy={"RecrawlBehavior": "CRAWL_EVENT_MODE"},
                Targets={"S3Targets": [{"Path": "s3://stream/dlq/", "EventQueueArn": arn,
                                        "DlqEventQueueArn": "dead-letters"}]})
        self.glue.create_crawler(
            Name="dlq", Role=ROLE, DatabaseName="stream",
            RecrawlPolicy={"RecrawlBehavior": "CRAWL_EVENT_MODE"},
            Targets={"S3Targets": [{"Path": "s3://stream/dlq/", "EventQueueArn": arn,
                                    "DlqEventQueueArn": dlq_arn}]})
        self.crawl("dlq")
        self.sqs.send_message(QueueUrl=url, MessageBody="not an event")
        self.sqs.send_message(QueueUrl=url, MessageBody=json.dumps(
            {"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": "stream"}))
        self.s3.put_object(Bucket="stream", Key="dlq/day=2/b.json", Body=b'{"id": 2}\n')
        self.sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"Records": [{
            "eventSource": "aws:s3", "s3": {"bucket": {"name": "stream"},
                                            "object": {"key": "dlq/day%3D2/b.json"}}}]}))
        log = self.crawl("dlq")
        self.assertIn("Read 1 objects (only new folders)", " ".join(log))
        self.assertEqual(self.values("stream", "dlq"), [["1"], ["2"]])
        self.server.idle()
        dead = self.sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10)["Messages"]
        self.assertEqual([m["Body"] for m in dead], ["not an event"])
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        self.assertEqual((attrs["ApproximateNumberOfMessages"],
                          attrs["ApproximateNumberOfMessagesNotVisible"]), ("0", "0"))

    def test_new_folders_only(self):
        self.s3.put_object(Bucket="stream", Key="nf/day=01/a.csv", Body=b"x,y\n1,2\n3,4\n")
        self.glue.create_crawler(
            Name="nf", Role=ROLE, DatabaseName="nf",
            RecrawlPolicy={"RecrawlBehavior": "CRAWL_NEW_FOLDERS_ONLY"},
            SchemaChangePolicy={"UpdateBehavior": "LOG", "DeleteBehavior": "LOG"},
            Targets={"S3Targets": [{"Path": "s3://stream/nf/"}]})
        self.assertIn("Read 1 objects", " ".join(self.crawl("nf")))
        self.s3.put_object(Bucket="stream", Key="nf/day=01/b.csv", Body=b"x,y\n5,6\n7,8\n")
        self.s3.put_object(Bucket="stream", Key="nf/day=02/a.csv", Body=b"x,y\n9,9\n8,8\n")
        log = " ".join(self.crawl("nf"))
        self.assertIn("Read 1 objects (only new folders)", log)
        self.assertEqual(self.values("nf", "nf"), [["01"], ["02"]])
        self.assertIn("Read 0 objects", " ".join(self.crawl("nf")))


class CrawlerScheduleTest(unittest.TestCase):
    """Schedules fire on the server's clock: a virtual one, moved by the test."""

    @classmethod
    def setUpClass(cls):
        cls.server = SluiceServer("--clock", "virtual").start()
        cls.glue = cls.server.client("glue")
        s3 = cls.server.client("s3")
        s3.create_bucket(Bucket="lake")
        s3.put_object(Bucket="lake", Key="daily/t/a.json", Body=b'{"a": 1}\n')

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def crawls(self, name):
        return len(self.glue.list_crawls(CrawlerName=name)["Crawls"])

    def advance(self, seconds):
        self.server.admin("/_sluice/clock/advance", {"seconds": seconds})

    def test_daily_schedule_fires_and_can_be_stopped(self):
        day = 86400
        self.glue.create_crawler(Name="daily", Role=ROLE, DatabaseName="daily",
                                 Schedule="cron(0 7 * * ? *)",
                                 Targets={"S3Targets": [{"Path": "s3://lake/daily/t/"}]})
        self.assertEqual(self.glue.get_crawler(Name="daily")["Crawler"]["Schedule"]["State"],
                         "SCHEDULED")
        self.advance(2 * day)
        wait_ready(self.server, "daily")
        self.assertEqual(self.crawls("daily"), 2)
        self.assertEqual(self.glue.get_table(DatabaseName="daily", Name="t")["Table"]["Name"], "t")
        with self.assertRaises(ClientError) as cm:
            self.glue.start_crawler_schedule(CrawlerName="daily")
        self.assertEqual(cm.exception.response["Error"]["Code"], "SchedulerRunningException")
        self.glue.stop_crawler_schedule(CrawlerName="daily")
        self.assertEqual(self.glue.get_crawler(Name="daily")["Crawler"]["Schedule"]["State"],
                         "NOT_SCHEDULED")
        self.advance(2 * day)
        self.assertEqual(self.crawls("daily"), 2)
        with self.assertRaises(ClientError) as cm:
            self.glue.stop_crawler_schedule(CrawlerName="daily")
        self.assertEqual(cm.exception.response["Error"]["Code"], "SchedulerNotRunningException")
        # Every six hours from now on.
        self.glue.update_crawler_schedule(CrawlerName="daily", Schedule="cron(0 */6 * * ? *)")
        self.glue.start_crawler_schedule(CrawlerName="daily")
        self.advance(day)
        wait_ready(self.server, "daily")
        self.assertEqual(self.crawls("daily"), 6)
        with self.assertRaises(ClientError) as cm:
            self.glue.update_crawler_schedule(CrawlerName="daily", Schedule="rate(1 day)")
        self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidInputException")
        self.glue.create_crawler(Name="unscheduled", Role=ROLE, DatabaseName="daily",
                                 Targets={"S3Targets": [{"Path": "s3://lake/daily/t/"}]})
        with self.assertRaises(ClientError) as cm:
            self.glue.start_crawler_schedule(CrawlerName="unscheduled")
        self.assertEqual(cm.exception.response["Error"]["Code"], "NoScheduleException")

    def test_step_functions_starts_and_polls_a_crawler(self):
        self.server.client("s3").put_object(Bucket="lake", Key="sfn/data/a.json", Body=b'{"k": "v"}\n')
        self.glue.create_crawler(Name="sfn", Role=ROLE, DatabaseName="sfn",
                                 Targets={"S3Targets": [{"Path": "s3://lake/sfn/data/"}]})
        definition = {
            "StartAt": "Start",
            "States": {
                "Start": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:glue:startCrawler",
                          "Parameters": {"Name": "sfn"}, "Next": "Wait"},
                "Wait": {"Type": "Wait", "Seconds": 1, "Next": "Get"},
                "Get": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:glue:getCrawler",
                        "Parameters": {"Name": "sfn"}, "ResultSelector": {
                            "State.$": "$.Crawler.State",
                            "Status.$": "$.Crawler.LastCrawl.Status"}, "Next": "Ready?"},
                "Ready?": {"Type": "Choice", "Choices": [
                    {"Variable": "$.State", "StringEquals": "READY", "Next": "Done"}],
                    "Default": "Wait"},
                "Done": {"Type": "Pass", "End": True}}}
        sfn = self.server.client("stepfunctions")
        machine = sfn.create_state_machine(
            name="crawl", definition=json.dumps(definition),
            roleArn="arn:aws:iam::000000000000:role/sfn")["stateMachineArn"]
        execution = sfn.start_execution(stateMachineArn=machine)["executionArn"]
        # The Wait state runs on the server's (virtual) clock: each advance fires
        # it and settles what it sets off.
        for _ in range(5):
            self.advance(1)
            d = sfn.describe_execution(executionArn=execution)
            if d["status"] != "RUNNING":
                break
        self.assertEqual(d["status"], "SUCCEEDED", d)
        self.assertEqual(json.loads(d["output"]), {"State": "READY", "Status": "SUCCEEDED"})
        self.assertEqual(self.glue.get_table(DatabaseName="sfn", Name="data")["Table"]["Name"],
                         "data")


class CrawlerDurabilityTest(unittest.TestCase):
    def test_crawl_cut_by_kill_9_is_failed_and_wrote_nothing(self):
        server = SluiceServer().start()
        try:
            glue, s3 = server.client("glue"), server.client("s3")
            s3.create_bucket(Bucket="lake")
            for i in range(1500):
                s3.put_object(Bucket="lake", Key=f"cut/d{i % 30}/f{i}.json",
                              Body=json.dumps({"n": i, "d": i % 30}).encode())
            glue.create_crawler(Name="cut", Role=ROLE, DatabaseName="cut",
                                Targets={"S3Targets": [{"Path": "s3://lake/cut/"}]})
            glue.start_crawler(Name="cut")
            server.stop(signal.SIGKILL)
            server.start()
            glue = server.client("glue")
            c = glue.get_crawler(Name="cut")["Crawler"]
            self.assertEqual(c["State"], "READY")
            self.assertEqual(c["LastCrawl"]["Status"], "FAILED")
            self.assertIn("restart", c["LastCrawl"]["ErrorMessage"])
            with self.assertRaises(ClientError):
                glue.get_table(DatabaseName="cut", Name="cut")
            # And it crawls again.
            glue.start_crawler(Name="cut")
            c = wait_ready(server, "cut")
            self.assertEqual(c["LastCrawl"]["Status"], "SUCCEEDED", c["LastCrawl"])
            t = glue.get_table(DatabaseName="cut", Name="cut")["Table"]
            self.assertEqual(t["Parameters"]["objectCount"], "1500")
            self.assertEqual(len(glue.get_partitions(DatabaseName="cut", TableName="cut",
                                                     MaxResults=100)["Partitions"]), 30)
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main()
