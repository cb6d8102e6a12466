"""The README's main job as an end-to-end test: examples/wordpress-medallion/run.sh
deploys the lake to a started `sluice server` and runs it; the data and the
catalogue it leaves are checked here against the fixture site's content, and a
broken API sends the pipeline down its failure path."""
import json
import time
import unittest

from example_helpers import ExampleTestCase, fixture_path

fixture_path("wordpress-medallion")
import wordpress_api  # noqa: E402  (the fixture's generator: what the site serves)


class WordPressMedallionTest(ExampleTestCase):
    example = "wordpress-medallion"

    def athena(self, sql, database):
        athena = self.server.client("athena")
        qid = athena.start_query_execution(
            QueryString=sql, QueryExecutionContext={"Database": database},
            ResultConfiguration={"OutputLocation": "s3://lakehouse-athena-results/test/"}
        )["QueryExecutionId"]
        self.server.idle()
        state = athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]["Status"]
        self.assertEqual(state["State"], "SUCCEEDED", state)
        rows = athena.get_query_results(QueryExecutionId=qid)["ResultSet"]["Rows"]
        return [[c.get("VarCharValue") for c in r["Data"]] for r in rows[1:]]

    def test_run_prints_steps_and_gold_rows(self):
        out = self.run_sh.stdout
        self.assertIn("status: SUCCEEDED", out)
        for step in ("ExtractRaw", "ConvertToBronze", "SilverJob", "GetQualityResult", "GoldJob",
                     "whole execution"):
            self.assertIn(step, out)
        site = wordpress_api.site()
        top = max((s for s in site["statistics_pages"]
                   if any(p["ID"] == s["id"] and p["post_type"] == "post"
                          for p in site["posts"])), key=lambda s: s["views"])
        self.assertIn(str(top["views"]), out)

    def test_gold_is_posts_joined_with_statistics(self):
        site = wordpress_api.site()
        stats = {s["id"]: s for s in site["statistics_pages"]}
        expected = {p["ID"]: (p["post_title"], stats[p["ID"]]["views"])
                    for p in site["posts"] if p["post_type"] == "post" and p["ID"] in stats}
        rows = self.athena("SELECT post_id, title, views, post_type FROM post_statistics",
                           "wordpress_gold")
        got = {int(r[0]): (r[1], int(r[2])) for r in rows}
        self.assertEqual(got, expected)
        self.assertEqual({r[3] for r in rows}, {"post"})

    def test_catalogue_of_every_layer(self):
        glue = self.server.client("glue")

        def tables(db):
            return {t["Name"]: [c["Name"] for c in t["StorageDescriptor"]["Columns"]]
                    for t in glue.get_tables(DatabaseName=db)["TableList"]}
        self.assertEqual(sorted(tables("wordpress_bronze")), sorted(wordpress_api.ENDPOINTS))
        silver = tables("wordpress_silver")
        self.assertEqual(sorted(silver), ["posts", "statistics_pages", "users"])
        # Glue keeps column names in lower case.
        self.assertEqual(silver["posts"], ["id", "post_type", "status", "title", "author_id",
                                           "published_at", "comments", "category_id"])
        gold = tables("wordpress_gold")
        self.assertEqual(gold["post_statistics"], ["post_id", "post_type", "title", "published_at",
                                                   "views", "visitors", "avg_seconds",
                                                   "author_id"])
        # The raw layer holds the API's answers as they came.
        body = self.server.client("s3").get_object(
            Bucket="lakehouse-raw", Key="wordpress_api/users/users.json")["Body"].read()
        self.assertEqual(json.loads(body), wordpress_api.site()["users"])

    def test_quality_gate_schedule_and_logs(self):
        glue = self.server.client("glue")
        results = glue.list_data_quality_results()["Results"]
        self.assertTrue(results)
        result = glue.get_data_quality_result(ResultId=results[0]["ResultId"])
        self.assertEqual(result["Score"], 1.0)
        self.assertEqual(result["RulesetName"], "wordpress-silver-posts")
        schedule = self.server.client("scheduler").get_schedule(Name="wordpress-medallion-daily")
        self.assertEqual(schedule["ScheduleExpression"], "cron(0 7 * * ? *)")
        self.assertTrue(schedule["Target"]["Arn"].endswith(":stateMachine:wordpress-medallion"))
        logs = self.server.client("logs")
        events = logs.filter_log_events(
            logGroupName="/aws/vendedlogs/states/wordpress-medallion")["events"]
        self.assertTrue(any("ExecutionSucceeded" in e["message"] for e in events))
        ssm = self.server.client("ssm")
        self.assertEqual(ssm.get_parameter(Name="/s3/lakehouse/name/raw")["Parameter"]["Value"],
                         "lakehouse-raw")

    def test_zz_broken_api_takes_the_failure_path(self):
        """Runs last: points the stack at a dead API, as an update would."""
        cfn = self.server.client("cloudformation")
        cfn.update_stack(StackName="wordpress-medallion", UsePreviousTemplate=True,
                         Capabilities=["CAPABILITY_IAM"],
                         Parameters=[{"ParameterKey": "ApiUrl",
                                      "ParameterValue": "http://127.0.0.1:9/wp-json/wp/v2"}])
        stack = cfn.describe_stacks(StackName="wordpress-medallion")["Stacks"][0]
        self.assertEqual(stack["StackStatus"], "UPDATE_COMPLETE")
        self.assertEqual(self.server.client("ssm").get_parameter(
            Name="/wordpress/api/url")["Parameter"]["Value"], "http://127.0.0.1:9/wp-json/wp/v2")
        machine = [o["OutputValue"] for o in stack["Outputs"]
                   if o["OutputKey"] == "StateMachineArn"][0]
        sfn = self.server.client("stepfunctions")
        arn = sfn.start_execution(stateMachineArn=machine)["executionArn"]
        # /_sluice/idle does not wait for a function a state machine invoked (it
        # may itself wait on a virtual clock), so the execution's end is polled:
        # the server's wall clock, no timing asserted.
        for _ in range(300):
            d = sfn.describe_execution(executionArn=arn)
            if d["status"] != "RUNNING":
                break
            time.sleep(0.1)
        self.assertEqual(d["status"], "FAILED")
        # The function's error type, carried through the Catch to the Fail state.
        self.assertEqual(d["error"], "URLError")
        self.assertIn("Connection refused", d["cause"])
        history = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
        entered = [e["stateEnteredEventDetails"]["name"] for e in history
                   if e["type"].endswith("StateEntered")]
        self.assertEqual(entered, ["ExtractRaw", "NotifyFailure", "Failed"])


if __name__ == "__main__":
    unittest.main()
