"""Glue Data Quality through boto3: rulesets (their DQDL checked when saved),
evaluation runs over a catalogued Parquet table evaluated by DuckDB, the
results (Score, RuleResults with Glue's names, messages and metrics), the
"Data Quality Evaluation Results Available" event that gates a pipeline, and
the bad inputs."""
import json
import signal
import unittest

from botocore.exceptions import ClientError

from aws_cli import aws
from lake_fixtures import parquet_bytes
from sluice_server import SluiceServer

ROLE = "arn:aws:iam::000000000000:role/glue"
GOOD = 'Rules = [ RowCount = 20, IsComplete "id", IsUnique "id", ColumnValues "kind" in ["post", "page"] ]'
GATE = 'Rules = [ RowCount > 10, Completeness "title" > 0.95, Mean "views" between 0 and 100 ]'


class GlueDataQualityTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = SluiceServer().start()
        cls.glue = cls.server.client("glue")
        s3 = cls.server.client("s3")
        s3.create_bucket(Bucket="silver")
        # 20 posts; every fifth has no title; views 0..190 by tens.
        s3.put_object(Bucket="silver", Key="posts/part-0.parquet", Body=parquet_bytes(
            "SELECT i::BIGINT AS id, CASE WHEN i % 2 = 0 THEN 'post' ELSE 'page' END AS kind, "
            "CASE WHEN i % 5 = 0 THEN NULL ELSE 'title ' || i END AS title, "
            "(i * 10)::INTEGER AS views FROM range(20) t(i)"))
        cls.glue.create_database(DatabaseInput={"Name": "silver"})
        cls.glue.create_table(DatabaseName="silver", TableInput={
            "Name": "posts", "TableType": "EXTERNAL_TABLE",
            "Parameters": {"classification": "parquet"},
            "StorageDescriptor": {
                "Columns": [{"Name": "id", "Type": "bigint"}, {"Name": "kind", "Type": "string"},
                            {"Name": "title", "Type": "string"}, {"Name": "views", "Type": "int"}],
                "Location": "s3://silver/posts/",
                "SerdeInfo": {"SerializationLibrary":
                              "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"}}})

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def assertError(self, code, fn, **kwargs):
        with self.assertRaises(ClientError) as cm:
            fn(**kwargs)
        self.assertEqual(cm.exception.response["Error"]["Code"], code, cm.exception.response)
        return cm.exception.response["Error"]["Message"]

    def evaluate(self, *rulesets):
        run_id = self.glue.start_data_quality_ruleset_evaluation_run(
            DataSource={"GlueTable": {"DatabaseName": "silver", "TableName": "posts"}},
            Role=ROLE, RulesetNames=list(rulesets))["RunId"]
        self.server.idle()  # evaluated, stored and told
        return self.glue.get_data_quality_ruleset_evaluation_run(RunId=run_id)

    def test_rulesets_evaluation_and_results(self):
        g = self.glue
        g.create_data_quality_ruleset(Name="good", Ruleset=GOOD, Description="shape",
                                      TargetTable={"DatabaseName": "silver", "TableName": "posts"})
        g.create_data_quality_ruleset(Name="gate", Ruleset=GATE)
        got = g.get_data_quality_ruleset(Name="good")
        self.assertEqual((got["Name"], got["Ruleset"], got["Description"]), ("good", GOOD, "shape"))
        self.assertEqual(got["TargetTable"], {"DatabaseName": "silver", "TableName": "posts"})
        listed = {r["Name"]: r for r in g.list_data_quality_rulesets()["Rulesets"]}
        self.assertEqual(listed["good"]["RuleCount"], 4)
        self.assertEqual([r["Name"] for r in g.list_data_quality_rulesets(Filter={"TargetTable": {
            "DatabaseName": "silver", "TableName": "posts"}})["Rulesets"]], ["good"])

        events, sqs = self.server.client("events"), self.server.client("sqs")
        url = sqs.create_queue(QueueName="dq")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        events.put_rule(Name="dq", EventPattern=json.dumps(
            {"source": ["aws.glue-dataquality"],
             "detail-type": ["Data Quality Evaluation Results Available"]}))
        events.put_targets(Rule="dq", Targets=[{"Id": "q", "Arn": arn}])

        run = self.evaluate("good", "gate")
        self.assertEqual(run["Status"], "SUCCEEDED", run)
        self.assertTrue(run["RunId"].startswith("dqrun-"))
        self.assertEqual(run["RulesetNames"], ["good", "gate"])
        self.assertEqual(len(run["ResultIds"]), 2)
        good, gate = (g.get_data_quality_result(ResultId=i) for i in run["ResultIds"])
        self.assertEqual((good["RulesetName"], good["Score"]), ("good", 1.0))
        self.assertEqual(good["RulesetEvaluationRunId"], run["RunId"])
        self.assertEqual([r["Result"] for r in good["RuleResults"]], ["PASS"] * 4)
        self.assertEqual(good["RuleResults"][0]["Name"], "Rule_1")
        self.assertEqual(good["RuleResults"][0]["Description"], "RowCount = 20")
        self.assertEqual(good["RuleResults"][0]["EvaluatedMetrics"], {"Dataset.*.RowCount": 20.0})
        # The gate: 4 titles of 20 missing (0.8), mean views 95.
        self.assertEqual([r["Result"] for r in gate["RuleResults"]], ["PASS", "FAIL", "PASS"])
        self.assertAlmostEqual(gate["Score"], 2 / 3)
        failed = gate["RuleResults"][1]
        self.assertEqual(failed["EvaluationMessage"],
                         "Value: 0.8 does not meet the constraint requirement!")
        # Row by row: the four rows without a title fail the gate's completeness.
        self.assertEqual(gate["AggregatedMetrics"], {
            "TotalRowsProcessed": 20.0, "TotalRowsPassed": 16.0, "TotalRowsFailed": 4.0,
            "TotalRulesProcessed": 3.0, "TotalRulesPassed": 2.0, "TotalRulesFailed": 1.0})
        self.assertEqual(good["AggregatedMetrics"]["TotalRowsFailed"], 0.0)
        self.assertEqual(failed["EvaluatedMetrics"], {"Column.title.Completeness": 0.8})
        self.assertEqual(gate["RuleResults"][2]["EvaluatedMetrics"], {"Column.views.Mean": 95.0})
        both = g.batch_get_data_quality_result(ResultIds=run["ResultIds"] + ["dqresult-none"])
        self.assertEqual(len(both["Results"]), 2)
        self.assertEqual(both["ResultsNotFound"], ["dqresult-none"])
        listed = [r["ResultId"] for r in g.list_data_quality_results()["Results"]]
        self.assertTrue(set(run["ResultIds"]) <= set(listed), listed)
        runs = [r["RunId"] for r in g.list_data_quality_ruleset_evaluation_runs()["Runs"]]
        self.assertEqual(runs[0], run["RunId"])  # newest first

        self.server.idle()
        got = [json.loads(m["Body"]) for m in sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])]
        by_ruleset = {e["detail"]["rulesetNames"][0]: e["detail"] for e in got}
        self.assertEqual(by_ruleset["gate"]["score"], "0.67")
        self.assertEqual((by_ruleset["gate"]["rulesSucceeded"], by_ruleset["gate"]["rulesFailed"]),
                         (2, 1))
        self.assertEqual(by_ruleset["good"]["context"]["tableName"], "posts")
        self.assertEqual(by_ruleset["good"]["context"]["runId"], run["RunId"])

        g.update_data_quality_ruleset(Name="gate", Ruleset='Rules = [ RowCount > 100 ]')
        run = self.evaluate("gate")
        result = g.get_data_quality_result(ResultId=run["ResultIds"][0])
        self.assertEqual((result["Score"], result["RuleResults"][0]["Result"]), (0.0, "FAIL"))
        g.delete_data_quality_ruleset(Name="gate")
        self.assertError("EntityNotFoundException", g.get_data_quality_ruleset, Name="gate")

    def test_analyzers_report_metrics(self):
        self.glue.create_data_quality_ruleset(
            Name="profiled", Ruleset='Rules = [ RowCount > 0 ] '
                                     'Analyzers = [ Completeness "title", AllStatistics "views" ]')
        run = self.evaluate("profiled")
        result = self.glue.get_data_quality_result(ResultId=run["ResultIds"][0])
        self.assertEqual(result["Score"], 1.0)  # analyzers neither pass nor fail
        first, stats = result["AnalyzerResults"]
        self.assertEqual(first, {"Name": "Analyzer_1", "Description": 'Completeness "title"',
                                 "EvaluatedMetrics": {"Column.title.Completeness": 0.8}})
        self.assertEqual(stats["Name"], "Analyzer_2")
        metrics = stats["EvaluatedMetrics"]
        # views: 0, 10, ..., 190, all present and distinct.
        self.assertEqual({k: metrics[k] for k in (
            "Column.views.Completeness", "Column.views.Uniqueness",
            "Column.views.DistinctValuesCount", "Column.views.Mean", "Column.views.Sum",
            "Column.views.Minimum", "Column.views.Maximum")},
            {"Column.views.Completeness": 1.0, "Column.views.Uniqueness": 1.0,
             "Column.views.DistinctValuesCount": 20.0, "Column.views.Mean": 95.0,
             "Column.views.Sum": 1900.0, "Column.views.Minimum": 0.0,
             "Column.views.Maximum": 190.0})
        self.glue.delete_data_quality_ruleset(Name="profiled")

    def test_rules_against_reference_tables(self):
        # A bronze copy with 16 of the 20 posts (ids 0..15), id 3's views changed.
        s3, g = self.server.client("s3"), self.glue
        s3.put_object(Bucket="silver", Key="bronze/part-0.parquet", Body=parquet_bytes(
            "SELECT i::BIGINT AS id, CASE WHEN i % 2 = 0 THEN 'post' ELSE 'page' END AS kind, "
            "CASE WHEN i % 5 = 0 THEN NULL ELSE 'title ' || i END AS title, "
            "(CASE WHEN i = 3 THEN 1 ELSE i * 10 END)::INTEGER AS views FROM range(16) t(i)"))
        g.create_database(DatabaseInput={"Name": "bronze"})
        g.create_table(DatabaseName="bronze", TableInput={
            "Name": "posts", "TableType": "EXTERNAL_TABLE",
            "Parameters": {"classification": "parquet"},
            "StorageDescriptor": {
                "Columns": [{"Name": "id", "Type": "bigint"}, {"Name": "kind", "Type": "string"},
                            {"Name": "title", "Type": "string"}, {"Name": "views", "Type": "int"}],
                "Location": "s3://silver/bronze/",
                "SerdeInfo": {"SerializationLibrary":
                              "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"}}})
        g.create_data_quality_ruleset(Name="vs_bronze", Ruleset=(
            'Rules = [ RowCountMatch "bronze" = 1.25, ReferentialIntegrity "id" "bronze.id" >= 0.8, '
            'DatasetMatch "bronze" "id" = 0.75, SchemaMatch "bronze" = 1.0, '
            'AggregateMatch "sum(views)" "sum(bronze.posts.views)" > 1.5 ]'))
        source = {"GlueTable": {"DatabaseName": "silver", "TableName": "posts"}}
        bronze = {"bronze": {"GlueTable": {"DatabaseName": "bronze", "TableName": "posts"}}}
        run_id = g.start_data_quality_ruleset_evaluation_run(
            DataSource=source, Role=ROLE, RulesetNames=["vs_bronze"],
            AdditionalDataSources=bronze)["RunId"]
        self.server.idle()
        run = g.get_data_quality_ruleset_evaluation_run(RunId=run_id)
        self.assertEqual(run["Status"], "SUCCEEDED", run)
        self.assertEqual(run["AdditionalDataSources"], bronze)
        result = g.get_data_quality_result(ResultId=run["ResultIds"][0])
        rules = result["RuleResults"]
        self.assertEqual([r["Result"] for r in rules], ["PASS"] * 5, rules)
        # 20 rows over 16; ids 0..15 of 20 present; 15 of 20 rows equal (id 3
        # differs); sums 1900 over 1200 - 30 + 1 = 1171.
        self.assertEqual(rules[0]["EvaluatedMetrics"], {"Dataset.*.RowCountMatch": 1.25})
        self.assertEqual(rules[1]["EvaluatedMetrics"], {"Column.id.ReferentialIntegrity": 0.8})
        self.assertEqual(rules[2]["EvaluatedMetrics"], {"Dataset.*.DatasetMatch": 0.75})
        self.assertEqual(rules[3]["EvaluatedMetrics"], {"Dataset.*.SchemaMatch": 1.0})
        self.assertAlmostEqual(rules[4]["EvaluatedMetrics"]["Column.views.AggregateMatch"],
                               1900 / 1171)
        # Without the reference, the rules that need it are errors.
        run_id = g.start_data_quality_ruleset_evaluation_run(
            DataSource=source, Role=ROLE, RulesetNames=["vs_bronze"])["RunId"]
        self.server.idle()
        run = g.get_data_quality_ruleset_evaluation_run(RunId=run_id)
        result = g.get_data_quality_result(ResultId=run["ResultIds"][0])
        self.assertEqual({r["Result"] for r in result["RuleResults"]}, {"ERROR"})
        # A reference table that does not exist is refused at the start.
        self.assertError("EntityNotFoundException", g.start_data_quality_ruleset_evaluation_run,
                         DataSource=source, Role=ROLE, RulesetNames=["vs_bronze"],
                         AdditionalDataSources={"bronze": {"GlueTable": {
                             "DatabaseName": "bronze", "TableName": "nope"}}})

    def test_cancel_stops_a_running_evaluation(self):
        g = self.glue
        # A rule that reads 20 rows x 2 billion: runs until stopped.
        g.create_data_quality_ruleset(Name="endless", Ruleset=(
            'Rules = [ RowCount > 0, CustomSql "SELECT count(*) FROM primary, '
            'range(2000000000)" > 0 ]'))
        run_id = g.start_data_quality_ruleset_evaluation_run(
            DataSource={"GlueTable": {"DatabaseName": "silver", "TableName": "posts"}},
            Role=ROLE, RulesetNames=["endless"])["RunId"]
        g.cancel_data_quality_ruleset_evaluation_run(RunId=run_id)
        self.assertIn(g.get_data_quality_ruleset_evaluation_run(RunId=run_id)["Status"],
                      ("STOPPING", "STOPPED"))
        self.server.idle()  # the query gave up: the run is settled
        run = g.get_data_quality_ruleset_evaluation_run(RunId=run_id)
        self.assertEqual(run["Status"], "STOPPED", run)
        self.assertEqual(run.get("ResultIds", []), [])
        self.assertNotIn("ErrorString", run)
        # A stopped run publishes no result.
        ids = [r["ResultId"] for r in g.list_data_quality_results()["Results"]]
        results = g.batch_get_data_quality_result(ResultIds=ids)["Results"] if ids else []
        self.assertNotIn(run_id, [r["RulesetEvaluationRunId"] for r in results])
        self.assertIn("STOPPED", self.assertError(
            "InvalidInputException", g.cancel_data_quality_ruleset_evaluation_run, RunId=run_id))
        self.assertError("EntityNotFoundException", g.cancel_data_quality_ruleset_evaluation_run,
                         RunId="dqrun-" + "0" * 40)

    def test_a_gate_in_step_functions(self):
        """The medallion pattern: evaluate silver, then run the gold job only if
        every rule passed (aws-sdk:glue:* for Data Quality, glue:startJobRun.sync)."""
        g = self.glue
        self.server.client("s3").create_bucket(Bucket="gold")
        g.create_job(Name="gold", Role=ROLE, Command={"Name": "glueetl"},
                     CodeGenConfigurationNodes={
                         "src": {"S3CatalogSource": {"Name": "posts", "Database": "silver",
                                                     "Table": "posts"}},
                         "keep": {"Filter": {"Name": "keep", "Inputs": ["src"],
                                             "LogicalOperator": "AND", "Filters": [
                                                 {"Operation": "EQ", "Values": [
                                                     {"Type": "COLUMNEXTRACTED", "Value": ["kind"]},
                                                     {"Type": "CONSTANT", "Value": ["post"]}]}]}},
                         "out": {"S3GlueParquetTarget": {"Name": "out", "Inputs": ["keep"],
                                                         "Path": "s3://gold/posts/"}}})
        g.create_data_quality_ruleset(Name="silver-ok", Ruleset=GOOD)
        g.create_data_quality_ruleset(Name="silver-strict", Ruleset=GATE)
        sfn = self.server.client("stepfunctions")
        machine = sfn.create_state_machine(
            name="gate", roleArn="arn:aws:iam::000000000000:role/sfn", definition=json.dumps({
                "StartAt": "Evaluate",
                "States": {
                    "Evaluate": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::aws-sdk:glue:startDataQualityRulesetEvaluationRun",
                        "Parameters": {"DataSource": {"GlueTable": {"DatabaseName": "silver",
                                                                    "TableName": "posts"}},
                                       "Role": ROLE, "RulesetNames.$": "States.Array($.ruleset)"},
                        "ResultPath": "$.run", "Next": "Poll"},
                    "Poll": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::aws-sdk:glue:getDataQualityRulesetEvaluationRun",
                        "Parameters": {"RunId.$": "$.run.RunId"},
                        "ResultPath": "$.status", "Next": "Done?"},
                    "Done?": {"Type": "Choice", "Choices": [
                        {"Variable": "$.status.Status", "StringEquals": "SUCCEEDED",
                         "Next": "Result"}], "Default": "Poll"},
                    "Result": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::aws-sdk:glue:getDataQualityResult",
                        "Parameters": {"ResultId.$": "$.status.ResultIds[0]"},
                        "ResultSelector": {"Score.$": "$.Score"},
                        "ResultPath": "$.dq", "Next": "Passed?"},
                    "Passed?": {"Type": "Choice", "Choices": [
                        {"Variable": "$.dq.Score", "NumericEquals": 1, "Next": "Gold"}],
                        "Default": "Stop"},
                    "Gold": {"Type": "Task",
                             "Resource": "arn:aws:states:::glue:startJobRun.sync",
                             "Parameters": {"JobName": "gold"},
                             "ResultSelector": {"State.$": "$.JobRunState"}, "End": True},
                    "Stop": {"Type": "Fail", "Error": "DataQualityFailed",
                             "Cause": "silver did not pass its rules"}}}))["stateMachineArn"]

        def execute(ruleset):
            arn = sfn.start_execution(stateMachineArn=machine,
                                      input=json.dumps({"ruleset": ruleset}))["executionArn"]
            self.server.idle()
            return sfn.describe_execution(executionArn=arn)

        d = execute("silver-strict")
        self.assertEqual((d["status"], d["error"]), ("FAILED", "DataQualityFailed"))
        self.assertNotIn("Contents", self.server.client("s3").list_objects_v2(
            Bucket="gold", Prefix="posts/"))
        d = execute("silver-ok")
        self.assertEqual(d["status"], "SUCCEEDED", d)
        self.assertEqual(json.loads(d["output"]), {"State": "SUCCEEDED"})
        self.assertIn("Contents", self.server.client("s3").list_objects_v2(
            Bucket="gold", Prefix="posts/"))

    def test_rule_recommendations(self):
        g = self.glue
        source = {"GlueTable": {"DatabaseName": "silver", "TableName": "posts"}}
        run_id = g.start_data_quality_rule_recommendation_run(
            DataSource=source, Role=ROLE, CreatedRulesetName="recommended")["RunId"]
        self.assertTrue(run_id.startswith("dqrun-"))
        self.server.idle()  # profiled, stored and saved
        run = g.get_data_quality_rule_recommendation_run(RunId=run_id)
        self.assertEqual(run["Status"], "SUCCEEDED", run)
        self.assertEqual((run["DataSource"], run["Role"], run["CreatedRulesetName"]),
                         (source, ROLE, "recommended"))
        # The 20 posts: ids 0..19, kinds post / page, 16 titles ('title 1' ..
        # 'title 19'), views 0..190 by tens.
        self.assertEqual(run["RecommendedRuleset"], "\n".join([
            "Rules = [",
            "    RowCount between 10 and 40,",
            '    IsComplete "id",',
            '    Uniqueness "id" > 0.95,',
            '    ColumnValues "id" between -1 and 20,',
            '    IsComplete "kind",',
            '    ColumnValues "kind" in ["page", "post"],',
            '    Completeness "title" >= 0.8,',
            '    ColumnLength "title" between 6 and 9,',
            '    IsComplete "views",',
            '    Uniqueness "views" > 0.95,',
            '    ColumnValues "views" between -1 and 191',
            "]"]))
        saved = g.get_data_quality_ruleset(Name="recommended")
        self.assertEqual(saved["Ruleset"], run["RecommendedRuleset"])
        self.assertEqual(saved["TargetTable"], {"DatabaseName": "silver", "TableName": "posts"})
        # The data it was made from passes it.
        result = g.get_data_quality_result(ResultId=self.evaluate("recommended")["ResultIds"][0])
        self.assertEqual(result["Score"], 1.0, result["RuleResults"])
        runs = g.list_data_quality_rule_recommendation_runs()["Runs"]
        self.assertEqual((runs[0]["RunId"], runs[0]["Status"]), (run_id, "SUCCEEDED"))
        self.assertNotIn(run_id, [r["RunId"] for r in
                                  g.list_data_quality_ruleset_evaluation_runs()["Runs"]])
        # Bad inputs change nothing.
        self.assertError("AlreadyExistsException", g.start_data_quality_rule_recommendation_run,
                         DataSource=source, Role=ROLE, CreatedRulesetName="recommended")
        self.assertError("EntityNotFoundException", g.start_data_quality_rule_recommendation_run,
                         DataSource={"GlueTable": {"DatabaseName": "silver",
                                                   "TableName": "missing"}}, Role=ROLE)
        self.assertError("EntityNotFoundException", g.get_data_quality_rule_recommendation_run,
                         RunId="dqrun-nope")
        self.assertError("InvalidInputException", g.cancel_data_quality_rule_recommendation_run,
                         RunId=run_id)
        self.assertEqual(g.list_data_quality_rule_recommendation_runs()["Runs"][0]["RunId"],
                         run_id)
        g.delete_data_quality_ruleset(Name="recommended")

    def test_bad_inputs(self):
        g = self.glue
        msg = self.assertError("InvalidInputException", g.create_data_quality_ruleset,
                               Name="bad", Ruleset="Rules = [ RowCount >> 1 ]")
        self.assertIn("line 1:", msg)
        self.assertError("InvalidInputException", g.create_data_quality_ruleset, Name="bad",
                         Ruleset="Rules = [ NoSuchRule ]")
        g.create_data_quality_ruleset(Name="once", Ruleset="Rules = [ RowCount > 0 ]")
        self.assertError("AlreadyExistsException", g.create_data_quality_ruleset, Name="once",
                         Ruleset="Rules = [ RowCount > 0 ]")
        self.assertError("InvalidInputException", g.update_data_quality_ruleset, Name="once",
                         Ruleset="Rules = [")
        self.assertError("EntityNotFoundException", g.start_data_quality_ruleset_evaluation_run,
                         DataSource={"GlueTable": {"DatabaseName": "silver",
                                                   "TableName": "missing"}},
                         Role=ROLE, RulesetNames=["once"])
        self.assertError("EntityNotFoundException", g.start_data_quality_ruleset_evaluation_run,
                         DataSource={"GlueTable": {"DatabaseName": "silver", "TableName": "posts"}},
                         Role=ROLE, RulesetNames=["nope"])
        self.assertError("EntityNotFoundException", g.get_data_quality_result,
                         ResultId="dqresult-nope")
        self.assertError("EntityNotFoundException", g.get_data_quality_ruleset_evaluation_run,
                         RunId="dqrun-nope")
        # A rule over a column the table lacks is an ERROR result, not a failed run.
        g.create_data_quality_ruleset(Name="typo", Ruleset='Rules = [ IsComplete "nope" ]')
        run = self.evaluate("typo")
        result = g.get_data_quality_result(ResultId=run["ResultIds"][0])
        self.assertEqual(result["RuleResults"][0]["Result"], "ERROR")
        self.assertIn("nope", result["RuleResults"][0]["EvaluationMessage"])

    def test_cli(self):
        aws(self.server, "glue", "create-data-quality-ruleset", "--name", "cli",
            "--ruleset", 'Rules = [ RowCount = 20, IsComplete "title" ]')
        _, out, _ = aws(self.server, "glue", "start-data-quality-ruleset-evaluation-run",
                        "--data-source", "GlueTable={DatabaseName=silver,TableName=posts}",
                        "--role", ROLE, "--ruleset-names", "cli")
        self.server.idle()
        _, run, _ = aws(self.server, "glue", "get-data-quality-ruleset-evaluation-run",
                        "--run-id", out["RunId"])
        self.assertEqual(run["Status"], "SUCCEEDED")
        _, result, _ = aws(self.server, "glue", "get-data-quality-result",
                           "--result-id", run["ResultIds"][0])
        self.assertEqual([r["Result"] for r in result["RuleResults"]], ["PASS", "FAIL"])
        self.assertEqual(result["Score"], 0.5)
        _, out, _ = aws(self.server, "glue", "start-data-quality-rule-recommendation-run",
                        "--data-source", "GlueTable={DatabaseName=silver,TableName=posts}",
                        "--role", ROLE)
        self.server.idle()
        _, run, _ = aws(self.server, "glue", "get-data-quality-rule-recommendation-run",
                        "--run-id", out["RunId"])
        self.assertEqual(run["Status"], "SUCCEEDED")
        self.assertTrue(run["RecommendedRuleset"].startswith("Rules = [\n    RowCount between"))
        code, _, err = aws(self.server, "glue", "create-data-quality-ruleset", "--name", "cli2",
                           "--ruleset", "Rules = [ RowCount >> 1 ]", check=False)
        self.assertNotEqual(code, 0)
        self.assertIn("InvalidInputException", err)

    def test_rulesets_survive_kill_9(self):
        server = SluiceServer().start()
        try:
            g = server.client("glue")
            g.create_data_quality_ruleset(Name="kept", Ruleset="Rules = [ RowCount > 0 ]")
            server.client("s3").create_bucket(Bucket="nowhere")
            g.create_database(DatabaseInput={"Name": "d"})
            g.create_table(DatabaseName="d", TableInput={
                "Name": "empty", "StorageDescriptor": {"Columns": [{"Name": "a", "Type": "int"}],
                                                       "Location": "s3://nowhere/empty/"}})
            run_id = g.start_data_quality_rule_recommendation_run(
                DataSource={"GlueTable": {"DatabaseName": "d", "TableName": "empty"}},
                Role=ROLE)["RunId"]
            server.idle()
            server.stop(signal.SIGKILL)
            server.start()
            g = server.client("glue")
            self.assertEqual(g.get_data_quality_ruleset(Name="kept")["Ruleset"],
                             "Rules = [ RowCount > 0 ]")
            run = g.get_data_quality_rule_recommendation_run(RunId=run_id)
            self.assertEqual(run["Status"], "SUCCEEDED", run)
            self.assertEqual(run["RecommendedRuleset"], "Rules = [\n    RowCount = 0\n]")
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main()
