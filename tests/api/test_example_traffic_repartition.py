"""examples/traffic-repartition as an end-to-end test: the SAM template deployed,
ten days of events landed by arrival hour and repartitioned by event hour with
concurrent INSERT INTO queries of at most 100 partitions each. The partitions
and rows are checked against the generator's events."""
import collections
import datetime
import json
import unittest

from example_helpers import ExampleTestCase, fixture_path

fixture_path("traffic-repartition")
import traffic_events  # noqa: E402  (the fixture's generator: what lands)


class TrafficRepartitionTest(ExampleTestCase):
    example = "traffic-repartition"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.events = [r for _, r in traffic_events.events()]

    def test_one_partition_per_event_hour(self):
        glue = self.server.client("glue")
        pages = glue.get_paginator("get_partitions").paginate(
            DatabaseName="traffic", TableName="events_by_time")
        got = sorted(tuple(p["Values"]) for page in pages for p in page["Partitions"])
        hours = sorted({tuple(datetime.datetime.strptime(e["event_time"], "%Y-%m-%d %H:%M:%S")
                              .strftime("%Y %m %d %H").split()) for e in self.events})
        self.assertEqual(got, hours)
        self.assertIn("total: 239", self.run_sh.stdout)

    def test_queries_wrote_at_most_100_partitions_each(self):
        sfn = self.server.client("stepfunctions")
        machine = [m for m in sfn.list_state_machines()["stateMachines"]
                   if m["name"] == "traffic-repartition"][0]
        execution = sfn.list_executions(stateMachineArn=machine["stateMachineArn"])[
            "executions"][0]
        output = json.loads(sfn.describe_execution(
            executionArn=execution["executionArn"])["output"])
        self.assertEqual(output["chunks"], [
            {"from": "2024-03-01", "to": "2024-03-05"}, {"from": "2024-03-05", "to": "2024-03-09"},
            {"from": "2024-03-09", "to": "2024-03-11"}])
        athena = self.server.client("athena")
        queries = athena.batch_get_query_execution(QueryExecutionIds=output["queries"])
        for q in queries["QueryExecutions"]:
            self.assertEqual(q["Status"]["State"], "SUCCEEDED", q["Status"])
            self.assertTrue(q["Query"].startswith("INSERT INTO events_by_time"))
            self.assertEqual(q["WorkGroup"], "traffic")

    def test_rows_and_derived_columns(self):
        athena = self.server.client("athena")
        qid = athena.start_query_execution(
            WorkGroup="traffic", QueryExecutionContext={"Database": "traffic"},
            QueryString="SELECT day, hour, count(*), sum(speed_kmh), "
                        "count_if(speed_band = 'speeding') FROM events_by_time "
                        "WHERE month = '03' GROUP BY day, hour")["QueryExecutionId"]
        self.server.idle()
        status = athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]["Status"]
        self.assertEqual(status["State"], "SUCCEEDED", status)
        rows = athena.get_paginator("get_query_results").paginate(QueryExecutionId=qid)
        got = {}
        for page in rows:
            for r in page["ResultSet"]["Rows"]:
                v = [c.get("VarCharValue") for c in r["Data"]]
                if v[0] != "day":
                    got[(v[0], v[1])] = (int(v[2]), int(v[3]), int(v[4]))
        expected = collections.defaultdict(lambda: [0, 0, 0])
        for e in self.events:
            key = (e["event_time"][8:10], e["event_time"][11:13])
            expected[key][0] += 1
            expected[key][1] += e["speed_kmh"]
            expected[key][2] += e["speed_kmh"] > 130
        self.assertEqual(got, {k: tuple(v) for k, v in expected.items()})


if __name__ == "__main__":
    unittest.main()
