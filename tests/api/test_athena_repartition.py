"""The event-time repartitioning pipeline, as its state machine does it with
Athena: events landed by arrival hour are catalogued by a crawler, then three
INSERT INTO queries run concurrently, each deriving columns (CASE WHEN, an
average over a window) and writing one day's year/month/day/hour partitions
of the target table; the client polls them with BatchGetQueryExecution, then
crawls the result and reads it back."""
import json
import unittest

from sluice_server import SluiceServer

OUT = "s3://results/athena/"
ROLE = "arn:aws:iam::000000000000:role/glue"


class RepartitionPipelineTest(unittest.TestCase):
    def setUp(self):
        self.server = SluiceServer().start()
        self.s3, self.glue, self.athena = (self.server.client(s)
                                           for s in ("s3", "glue", "athena"))

    def tearDown(self):
        self.server.cleanup()

    def crawl(self, name):
        self.glue.start_crawler(Name=name)
        self.server.idle()  # the crawl has run and its end is stored
        c = self.glue.get_crawler(Name=name)["Crawler"]
        self.assertEqual((c["State"], c["LastCrawl"]["Status"]), ("READY", "SUCCEEDED"))

    def query(self, sql):
        return self.athena.start_query_execution(
            QueryString=sql, QueryExecutionContext={"Database": "stream"},
            ResultConfiguration={"OutputLocation": OUT})["QueryExecutionId"]

    def test_three_concurrent_inserts_then_a_crawl(self):
        for b in ("landing", "curated", "results"):
            self.s3.create_bucket(Bucket=b)
        # Events arrive late: arrival hour 2024-03-0X/10 holds events of the day before.
        n = 0
        for day in ("02", "03", "04"):
            for hour in ("09", "10"):
                lines = []
                for i in range(4):
                    n += 1
                    event_day = int(day) - (1 if hour == "09" else 0)
                    lines.append(json.dumps({
                        "id": n, "kind": "click" if n % 2 else "view", "value": n * 10,
                        "event_time": f"2024-03-{event_day:02d} {int(hour) + i:02d}:15:00"}))
                self.s3.put_object(Bucket="landing",
                                   Key=f"arrivals/dt=2024-03-{day}/hr={hour}/events.json",
                                   Body=("\n".join(lines) + "\n").encode())
        self.glue.create_crawler(Name="landing", Role=ROLE, DatabaseName="stream",
                                 Targets={"S3Targets": [{"Path": "s3://landing/arrivals/"}]})
        self.crawl("landing")
        # The target table, partitioned by event time (made empty by CTAS WITH NO DATA).
        target = self.query(
            "CREATE TABLE events_by_time WITH (format = 'PARQUET', "
            "external_location = 's3://curated/events/', "
            "partitioned_by = ARRAY['year', 'month', 'day', 'hour']) AS "
            "SELECT id, kind, value, 'x' AS size_class, CAST(0 AS DOUBLE) AS kind_avg, "
            "'' AS year, '' AS month, '' AS day, '' AS hour FROM arrivals WITH NO DATA")
        self.server.idle()
        self.assertEqual(self.athena.get_query_execution(QueryExecutionId=target)[
            "QueryExecution"]["Status"]["State"], "SUCCEEDED")
        insert = (
            "INSERT INTO events_by_time "
            "SELECT id, kind, value, "
            "CASE WHEN value >= 100 THEN 'large' ELSE 'small' END, "
            "avg(value) OVER (PARTITION BY kind), "
            "CAST(year(ts) AS VARCHAR), lpad(CAST(month(ts) AS VARCHAR), 2, '0'), "
            "lpad(CAST(day(ts) AS VARCHAR), 2, '0'), lpad(CAST(hour(ts) AS VARCHAR), 2, '0') "
            "FROM (SELECT *, CAST(event_time AS TIMESTAMP) AS ts FROM arrivals) "
            "WHERE ts >= TIMESTAMP '2024-03-{d} 00:00:00' AND "
            "ts < TIMESTAMP '2024-03-{d} 00:00:00' + INTERVAL '1' DAY")
        ids = [self.query(insert.format(d=d)) for d in ("01", "02", "03")]
        self.server.idle()  # the three queries have run
        states = [q["Status"]["State"] for q in self.athena.batch_get_query_execution(
            QueryExecutionIds=ids)["QueryExecutions"]]
        self.assertEqual(states, ["SUCCEEDED"] * 3, [q["Status"] for q in self.athena.batch_get_query_execution(QueryExecutionIds=ids)["QueryExecutions"]])
        written = [self.athena.get_query_results(QueryExecutionId=q)["UpdateCount"] for q in ids]
        self.assertEqual(written, [4, 8, 8])  # 2024-03-04's hour 10 events are on the 4th
        parts = [p["Values"] for p in self.glue.get_partitions(
            DatabaseName="stream", TableName="events_by_time")["Partitions"]]
        # Event hours: 03-01 09..12, 03-02 09..13, 03-03 09..13.
        self.assertEqual(len(parts), 14)
        self.assertIn(["2024", "03", "01", "09"], parts)
        self.assertNotIn(["2024", "03", "04", "10"], parts)
        # A crawler over the curated data sees the same partitions.
        self.glue.create_crawler(Name="curated", Role=ROLE, DatabaseName="curated",
                                 Targets={"S3Targets": [{"Path": "s3://curated/events/"}]})
        self.crawl("curated")
        crawled = self.glue.get_table(DatabaseName="curated", Name="events")["Table"]
        self.assertEqual([k["Name"] for k in crawled["PartitionKeys"]],
                         ["year", "month", "day", "hour"])
        self.assertEqual(crawled["Parameters"]["recordCount"], "20")
        q = self.query("SELECT size_class, count(*) AS n FROM curated.events "
                       "WHERE day = '02' GROUP BY size_class ORDER BY size_class")
        self.server.idle()
        rows = [[d.get("VarCharValue") for d in r["Data"]] for r in
                self.athena.get_query_results(QueryExecutionId=q)["ResultSet"]["Rows"]]
        # 2024-03-02: ids 5..8 (arrived on the 2nd) and 9..12 (arrived on the 3rd),
        # values 50..120: 100, 110, 120 are large.
        self.assertEqual(rows, [["size_class", "n"], ["large", "3"], ["small", "5"]])


if __name__ == "__main__":
    unittest.main()
