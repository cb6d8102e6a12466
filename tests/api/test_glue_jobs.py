"""Glue jobs through boto3 and the AWS CLI: definitions (CreateJob / GetJob /
GetJobs / ListJobs / BatchGetJobs / UpdateJob / DeleteJob) with the checks a
visual job's DAG (CodeGenConfigurationNodes) gets when it is saved, and runs
(StartJobRun / GetJobRun / GetJobRuns / BatchStopJobRun) of visual jobs
executed by DuckDB: the medallion gold job over generated silver Parquet."""
import json
import signal
import unittest

from botocore.exceptions import ClientError

from aws_cli import aws
from lake_fixtures import parquet_bytes
from sluice_server import SluiceServer

ROLE = "arn:aws:iam::000000000000:role/glue"


def gold_job_nodes():
    """The medallion gold job's DAG as Glue Studio saves it: two silver Parquet
    sources, a join on posts.ID = statistics_pages.id, a mapping, a filter on
    post_type and a snappy Parquet target that updates the catalog."""
    return {
        "node-posts": {"S3ParquetSource": {
            "Name": "posts", "Paths": ["s3://silver/posts/"], "CompressionType": "snappy",
            "Exclusions": [], "AdditionalOptions": {"EnableSamplePath": False}}},
        "node-stats": {"S3ParquetSource": {
            "Name": "statistics_pages", "Paths": ["s3://silver/statistics_pages/"]}},
        "node-join": {"Join": {
            "Name": "Join", "Inputs": ["node-posts", "node-stats"], "JoinType": "equijoin",
            "Columns": [{"From": "node-posts", "Keys": [["ID"]]},
                        {"From": "node-stats", "Keys": [["id"]]}]}},
        "node-map": {"ApplyMapping": {
            "Name": "Change Schema", "Inputs": ["node-join"],
            "Mapping": [{"ToKey": "post_id", "FromPath": ["ID"], "FromType": "long",
                         "ToType": "long", "Dropped": False},
                        {"ToKey": "post_type", "FromPath": ["post_type"], "FromType": "string",
                         "ToType": "string", "Dropped": False},
                        {"ToKey": "id", "FromPath": ["id"], "FromType": "long",
                         "ToType": "long", "Dropped": True}]}},
        "node-filter": {"Filter": {
            "Name": "Filter", "Inputs": ["node-map"], "LogicalOperator": "AND",
            "Filters": [{"Operation": "REGEX", "Negated": False, "Values": [
                {"Type": "CONSTANT", "Value": ["post"]},
                {"Type": "COLUMNEXTRACTED", "Value": ["post_type"]}]}]}},
        "node-target": {"S3GlueParquetTarget": {
            "Name": "gold", "Inputs": ["node-filter"], "Path": "s3://gold/posts/",
            "Compression": "snappy", "PartitionKeys": [],
            "SchemaChangePolicy": {"EnableUpdateCatalog": True,
                                   "UpdateBehavior": "UPDATE_IN_DATABASE",
                                   "Database": "gold", "Table": "posts"}}},
    }


class GlueJobsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = SluiceServer().start()
        cls.glue = cls.server.client("glue")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def assertError(self, code, fn, **kwargs):
        with self.assertRaises(ClientError) as cm:
            fn(**kwargs)
        self.assertEqual(cm.exception.response["Error"]["Code"], code, cm.exception.response)
        return cm.exception.response["Error"]["Message"]

    def create(self, name, **extra):
        kwargs = {"Name": name, "Role": ROLE,
                  "Command": {"Name": "glueetl", "ScriptLocation": f"s3://scripts/{name}.py",
                              "PythonVersion": "3"},
                  "GlueVersion": "4.0", **extra}
        return self.glue.create_job(**kwargs)

    def test_visual_job_lifecycle(self):
        g = self.glue
        self.assertEqual(self.create("gold", CodeGenConfigurationNodes=gold_job_nodes(),
                                     DefaultArguments={"--job-language": "python"},
                                     WorkerType="G.1X", NumberOfWorkers=2,
                                     Tags={"layer": "gold"})["Name"], "gold")
        job = g.get_job(JobName="gold")["Job"]
        self.assertEqual((job["Name"], job["JobMode"], job["Role"], job["GlueVersion"]),
                         ("gold", "VISUAL", ROLE, "4.0"))
        self.assertEqual(job["ExecutionProperty"], {"MaxConcurrentRuns": 1})
        self.assertEqual((job["Timeout"], job["MaxRetries"], job["WorkerType"],
                          job["NumberOfWorkers"]), (2880, 0, "G.1X", 2))
        self.assertEqual(job["CodeGenConfigurationNodes"]["node-join"]["Join"]["JoinType"],
                         "equijoin")
        self.assertEqual(job["CreatedOn"], job["LastModifiedOn"])
        self.assertEqual(g.get_tags(ResourceArn=(
            "arn:aws:glue:us-east-1:000000000000:job/gold"))["Tags"], {"layer": "gold"})
        self.assertEqual(g.list_jobs(Tags={"layer": "gold"})["JobNames"], ["gold"])
        self.assertEqual(g.list_jobs(Tags={"layer": "silver"})["JobNames"], [])
        # UpdateJob replaces the definition: what it leaves out is reset.
        g.update_job(JobName="gold", JobUpdate={
            "Role": ROLE, "Command": {"Name": "glueetl", "ScriptLocation": "s3://scripts/g2.py"},
            "Timeout": 60, "CodeGenConfigurationNodes": gold_job_nodes()})
        job = g.get_job(JobName="gold")["Job"]
        self.assertEqual((job["Timeout"], job.get("WorkerType"), job["DefaultArguments"]),
                         (60, None, {}))
        self.assertEqual(job["Command"]["ScriptLocation"], "s3://scripts/g2.py")
        self.assertEqual(g.delete_job(JobName="gold")["JobName"], "gold")
        self.assertError("EntityNotFoundException", g.get_job, JobName="gold")
        self.assertEqual(g.delete_job(JobName="gold")["JobName"], "gold")  # idempotent

    def test_listing_and_batch_get(self):
        g = self.glue
        for i in range(5):
            self.create(f"list-{i}", Command={"Name": "pythonshell",
                                              "ScriptLocation": "s3://scripts/x.py"})
        names = [n for p in g.get_paginator("list_jobs").paginate(
            PaginationConfig={"PageSize": 2}) for n in p["JobNames"]]
        self.assertEqual([n for n in names if n.startswith("list-")],
                         [f"list-{i}" for i in range(5)])
        jobs = [j["Name"] for p in g.get_paginator("get_jobs").paginate(
            PaginationConfig={"PageSize": 3}) for j in p["Jobs"]]
        self.assertEqual([n for n in jobs if n.startswith("list-")],
                         [f"list-{i}" for i in range(5)])
        got = g.batch_get_jobs(JobNames=["list-1", "nope"])
        self.assertEqual(([j["Name"] for j in got["Jobs"]], got["JobsNotFound"]),
                         (["list-1"], ["nope"]))
        self.assertEqual(g.get_job(JobName="list-0")["Job"]["JobMode"], "SCRIPT")
        for i in range(5):
            g.delete_job(JobName=f"list-{i}")

    def test_bad_definitions_are_refused_when_saved(self):
        g = self.glue
        self.create("dup")
        self.assertError("AlreadyExistsException", self.create, name="dup")
        g.delete_job(JobName="dup")
        self.assertError("InvalidInputException", self.create, name="badcmd",
                         Command={"Name": "spark"})
        self.assertError("InvalidInputException", self.create, name="badrun",
                         ExecutionProperty={"MaxConcurrentRuns": 0})

        def refused(mutate):
            nodes = gold_job_nodes()
            mutate(nodes)
            return self.assertError("InvalidInputException", self.create, name="bad",
                                    CodeGenConfigurationNodes=nodes)

        self.assertIn("reads node node-nope, which is not in the job", refused(
            lambda n: n["node-filter"]["Filter"].update(Inputs=["node-nope"])))
        self.assertIn("cycle", refused(
            lambda n: n["node-join"]["Join"].update(Inputs=["node-posts", "node-filter"])))
        # The service model bounds each node's inputs (AWS answers so too).
        nodes = gold_job_nodes()
        nodes["node-map"]["ApplyMapping"]["Inputs"] = ["node-join", "node-posts"]
        self.assertIn("length less than or equal to 1", self.assertError(
            "ValidationException", self.create, name="bad", CodeGenConfigurationNodes=nodes))
        self.assertIn("which Sluice does not run", refused(
            lambda n: n.update({"node-x": {"CustomCode": {
                "Name": "x", "Inputs": ["node-map"], "Code": "pass", "ClassName": "X"}}})))
        self.assertIn("no target node", refused(lambda n: n.pop("node-target")))
        self.assertIn("a target", refused(lambda n: n.update({"node-after": {"Filter": {
            "Name": "after", "Inputs": ["node-target"], "LogicalOperator": "AND",
            "Filters": []}}})))
        self.assertError("EntityNotFoundException", g.get_job, JobName="bad")
        # The same checks on UpdateJob, which leaves the job as it was.
        self.create("kept", CodeGenConfigurationNodes=gold_job_nodes())
        nodes = gold_job_nodes()
        nodes["node-filter"]["Filter"]["Inputs"] = ["node-gone"]
        self.assertError("InvalidInputException", g.update_job, JobName="kept", JobUpdate={
            "Role": ROLE, "Command": {"Name": "glueetl"}, "CodeGenConfigurationNodes": nodes})
        self.assertEqual(g.get_job(JobName="kept")["Job"]["CodeGenConfigurationNodes"],
                         gold_job_nodes())
        self.assertError("EntityNotFoundException", g.update_job, JobName="nope", JobUpdate={
            "Role": ROLE, "Command": {"Name": "glueetl"}})
        g.delete_job(JobName="kept")

    def test_cli_and_kill_9(self):
        server = SluiceServer().start()
        try:
            _, out, _ = aws(server, "glue", "create-job", "--name", "cli-job", "--role", ROLE,
                            "--command", "Name=pythonshell,ScriptLocation=s3://s/x.py")
            self.assertEqual(out["Name"], "cli-job")
            server.stop(signal.SIGKILL)
            server.start()
            _, out, _ = aws(server, "glue", "get-job", "--job-name", "cli-job")
            self.assertEqual(out["Job"]["Command"]["Name"], "pythonshell")
        finally:
            server.cleanup()


class GlueJobRunsTest(unittest.TestCase):
    """Runs of visual jobs over generated silver data."""

    @classmethod
    def setUpClass(cls):
        cls.server = SluiceServer().start()
        cls.glue = cls.server.client("glue")
        cls.s3 = cls.server.client("s3")
        for b in ("silver", "gold"):
            cls.s3.create_bucket(Bucket=b)
        # 30 posts (every third a page), statistics for the even ids.
        cls.s3.put_object(Bucket="silver", Key="posts/part-0.parquet", Body=parquet_bytes(
            "SELECT i::BIGINT AS \"ID\", CASE WHEN i % 3 = 0 THEN 'page' ELSE 'post' END "
            "AS post_type, 'title ' || i AS title FROM range(1, 31) t(i)"))
        cls.s3.put_object(Bucket="silver", Key="statistics_pages/part-0.parquet", Body=parquet_bytes(
            "SELECT i::BIGINT AS id, (i * 10)::INTEGER AS views FROM range(2, 31, 2) t(i)"))
        cls.glue.create_database(DatabaseInput={"Name": "gold"})

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def create(self, name, nodes, **extra):
        self.glue.create_job(Name=name, Role=ROLE, Command={"Name": "glueetl"},
                             CodeGenConfigurationNodes=nodes, **extra)

    def assertRaisesCode(self, code, fn, *args):
        with self.assertRaises(ClientError) as cm:
            fn(*args)
        self.assertEqual(cm.exception.response["Error"]["Code"], code, cm.exception.response)
        return cm.exception.response["Error"]["Message"]

    def run_job(self, name, **extra):
        run_id = self.glue.start_job_run(JobName=name, **extra)["JobRunId"]
        self.server.idle()  # the run has executed and its end is stored
        return self.glue.get_job_run(JobName=name, RunId=run_id)["JobRun"]

    def test_the_gold_job(self):
        nodes = gold_job_nodes()
        nodes["node-map"]["ApplyMapping"]["Mapping"].append(
            {"ToKey": "views", "FromPath": ["views"], "FromType": "int", "ToType": "long",
             "Dropped": False})
        self.create("gold-run", nodes, DefaultArguments={"--env": "dev"})
        run = self.run_job("gold-run", Arguments={"--day": "1"})
        self.assertEqual(run["JobRunState"], "SUCCEEDED", run)
        self.assertTrue(run["Id"].startswith("jr_") and len(run["Id"]) == 67)
        self.assertEqual(run["Arguments"], {"--env": "dev", "--day": "1"})
        self.assertEqual((run["JobName"], run["Attempt"], run["LogGroupName"]),
                         ("gold-run", 0, "/aws-glue/jobs"))
        self.assertIn("CompletedOn", run)
        # Written as snappy Parquet and catalogued; read back through Athena.
        keys = [o["Key"] for o in self.s3.list_objects_v2(Bucket="gold", Prefix="posts/")
                ["Contents"]]
        self.assertEqual(len(keys), 1)
        self.assertTrue(keys[0].startswith("posts/run-") and keys[0].endswith(".parquet"), keys)
        table = self.glue.get_table(DatabaseName="gold", Name="posts")["Table"]
        self.assertEqual([(c["Name"], c["Type"]) for c in
                          table["StorageDescriptor"]["Columns"]],
                         [("post_id", "bigint"), ("post_type", "string"), ("views", "bigint")])
        self.assertEqual(table["StorageDescriptor"]["Location"], "s3://gold/posts/")
        athena = self.server.client("athena")
        self.s3.create_bucket(Bucket="results")
        qid = athena.start_query_execution(
            QueryString="SELECT count(*), min(post_id), max(post_id), sum(views) FROM posts",
            QueryExecutionContext={"Database": "gold"},
            ResultConfiguration={"OutputLocation": "s3://results/"})["QueryExecutionId"]
        self.server.idle()
        rows = athena.get_query_results(QueryExecutionId=qid)["ResultSet"]["Rows"]
        # Even ids 2..30 that are posts (not multiples of 3): 10 of them.
        expected = [i for i in range(2, 31, 2) if i % 3]
        self.assertEqual([d["VarCharValue"] for d in rows[1]["Data"]],
                         [str(len(expected)), str(min(expected)), str(max(expected)),
                          str(sum(i * 10 for i in expected))])
        runs = self.glue.get_job_runs(JobName="gold-run")["JobRuns"]
        self.assertEqual([r["Id"] for r in runs], [run["Id"]])
        # The run's log in /aws-glue/jobs/output, its stream the run id.
        logs = self.server.client("logs")
        events = logs.get_log_events(logGroupName="/aws-glue/jobs/output",
                                     logStreamName=run["Id"])["events"]
        self.assertIn("SUCCEEDED", events[-1]["message"])

    def test_transforms(self):
        nodes = {
            "src": {"S3ParquetSource": {"Name": "posts", "Paths": ["s3://silver/posts/"]}},
            "sel": {"SelectFields": {"Name": "sel", "Inputs": ["src"],
                                     "Paths": [["ID"], ["post_type"]]}},
            "ren": {"RenameField": {"Name": "ren", "Inputs": ["sel"], "SourcePath": ["ID"],
                                    "TargetPath": ["post_id"]}},
            "flt": {"Filter": {"Name": "flt", "Inputs": ["ren"], "LogicalOperator": "OR",
                               "Filters": [
                                   {"Operation": "LT", "Values": [
                                       {"Type": "COLUMNEXTRACTED", "Value": ["post_id"]},
                                       {"Type": "CONSTANT", "Value": ["3"]}]},
                                   {"Operation": "EQ", "Negated": True, "Values": [
                                       {"Type": "COLUMNEXTRACTED", "Value": ["post_type"]},
                                       {"Type": "CONSTANT", "Value": ["post"]}]}]}},
            "agg": {"Aggregate": {"Name": "agg", "Inputs": ["flt"], "Groups": [["post_type"]],
                                  "Aggs": [{"Column": ["post_id"], "AggFunc": "count"},
                                           {"Column": ["post_id"], "AggFunc": "max"}]}},
            "sql": {"SparkSQL": {"Name": "sql", "Inputs": ["agg"], "SqlAliases": [
                {"From": "agg", "Alias": "totals"}],
                "SqlQuery": "SELECT post_type, `count(post_id)` AS n FROM totals"}},
            "out": {"S3DirectTarget": {"Name": "out", "Inputs": ["sql"], "Format": "json",
                                       "Path": "s3://gold/totals/", "Compression": "none",
                                       "PartitionKeys": [["post_type"]]}},
        }
        self.create("transforms", nodes)
        run = self.run_job("transforms")
        self.assertEqual(run["JobRunState"], "SUCCEEDED", run)
        listed = sorted(o["Key"] for o in self.s3.list_objects_v2(
            Bucket="gold", Prefix="totals/")["Contents"])
        self.assertEqual([k.split("/")[1] for k in listed],
                         ["post_type=page", "post_type=post"])
        got = {}
        for k in listed:
            body = self.s3.get_object(Bucket="gold", Key=k)["Body"].read().decode()
            got[k.split("/")[1]] = [json.loads(l) for l in body.splitlines()]
        # post_id < 3 (1, 2: posts) or not a post (the 10 pages).
        self.assertEqual(got, {"post_type=post": [{"n": 2}], "post_type=page": [{"n": 10}]})

    def test_step_functions_runs_the_job_and_waits(self):
        """The gold step of the pipeline: glue:startJobRun.sync, then the next state."""
        nodes = gold_job_nodes()
        nodes["node-target"]["S3GlueParquetTarget"]["Path"] = "s3://gold/sfn/"
        nodes["node-target"]["S3GlueParquetTarget"]["SchemaChangePolicy"] = {
            "EnableUpdateCatalog": False}
        self.create("sfn-gold", nodes)
        broken = gold_job_nodes()
        broken["node-stats"]["S3ParquetSource"]["Paths"] = ["s3://silver/none/"]
        self.create("sfn-broken", broken)
        events, sqs = self.server.client("events"), self.server.client("sqs")
        url = sqs.create_queue(QueueName="job-events")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        events.put_rule(Name="jobs", EventPattern=json.dumps(
            {"source": ["aws.glue"], "detail-type": ["Glue Job State Change"]}))
        events.put_targets(Rule="jobs", Targets=[{"Id": "q", "Arn": arn}])
        sfn = self.server.client("stepfunctions")
        machine = sfn.create_state_machine(
            name="gold", roleArn="arn:aws:iam::000000000000:role/sfn", definition=json.dumps({
                "StartAt": "Gold",
                "States": {
                    "Gold": {"Type": "Task", "Resource": "arn:aws:states:::glue:startJobRun.sync",
                             "Parameters": {"JobName.$": "$.job"},
                             "ResultSelector": {"state.$": "$.JobRunState", "id.$": "$.Id",
                                                "started.$": "$.StartedOn"},
                             "End": True}}}))["stateMachineArn"]

        def execute(job):
            arn = sfn.start_execution(stateMachineArn=machine,
                                      input=json.dumps({"job": job}))["executionArn"]
            self.server.idle()  # the execution and its job run have run
            return sfn.describe_execution(executionArn=arn)

        d = execute("sfn-gold")
        self.assertEqual(d["status"], "SUCCEEDED", d)
        out = json.loads(d["output"])
        self.assertEqual(out["state"], "SUCCEEDED")
        self.assertIsInstance(out["started"], int)  # epoch milliseconds
        self.assertIn("Contents", self.s3.list_objects_v2(Bucket="gold", Prefix="sfn/"))
        d = execute("sfn-broken")
        self.assertEqual((d["status"], d["error"]), ("FAILED", "States.TaskFailed"))
        cause = json.loads(d["cause"])
        self.assertEqual((cause["JobRunState"], cause["JobName"]), ("FAILED", "sfn-broken"))
        d = execute("missing-job")
        self.assertEqual((d["status"], d["error"]), ("FAILED", "Glue.EntityNotFoundException"))
        got = [json.loads(m["Body"]) for m in sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])]
        states = sorted((e["detail"]["jobName"], e["detail"]["state"], e["detail"]["severity"])
                        for e in got)
        self.assertEqual(states, [("sfn-broken", "FAILED", "ERROR"),
                                  ("sfn-gold", "SUCCEEDED", "INFO")])

    def test_data_quality_node_gates_the_job(self):
        """EvaluateDataQuality: outcomes as a frame, or the run stopped before writing."""
        def dq(stop, output, ruleset):
            node = {"Name": "dq", "Inputs": ["src"], "Ruleset": ruleset, "Output": output}
            if stop:
                node["StopJobOnFailureOptions"] = {"StopJobOnFailureTiming": "Immediate"}
            return {
                "src": {"S3ParquetSource": {"Name": "posts", "Paths": ["s3://silver/posts/"]}},
                "dq": {"EvaluateDataQuality": node},
                "out": {"S3DirectTarget": {"Name": "out", "Inputs": ["dq"], "Format": "json",
                                           "Compression": "none",
                                           "Path": f"s3://gold/dq-{output}-{stop}/"}},
            }
        rules = 'Rules = [ RowCount = 30, IsUnique "ID", ColumnValues "post_type" = "post" ]'
        self.create("dq-outcomes", dq(False, "EvaluationResults", rules))
        run = self.run_job("dq-outcomes")
        self.assertEqual(run["JobRunState"], "SUCCEEDED", run)
        [obj] = self.s3.list_objects_v2(Bucket="gold", Prefix="dq-EvaluationResults-False/")[
            "Contents"]
        rows = [json.loads(l) for l in self.s3.get_object(
            Bucket="gold", Key=obj["Key"])["Body"].read().decode().splitlines()]
        self.assertEqual([(r["Rule"], r["Outcome"]) for r in rows], [
            ("RowCount = 30", "Passed"), ('IsUnique "ID"', "Passed"),
            ('ColumnValues "post_type" = "post"', "Failed")])
        self.assertEqual(rows[2]["FailureReason"],
                         "Value: 0.6666666666666666 does not meet the constraint requirement!")
        # The node's results are published as the run's Data Quality result.
        def published(run_id):
            return [r for r in (self.glue.get_data_quality_result(ResultId=i["ResultId"])
                                for i in self.glue.list_data_quality_results()["Results"])
                    if r.get("JobRunId") == run_id]
        [result] = published(run["Id"])
        self.assertEqual((result["JobName"], result["EvaluationContext"]), ("dq-outcomes", "dq"))
        self.assertAlmostEqual(result["Score"], 2 / 3)
        self.assertEqual([r["Result"] for r in result["RuleResults"]], ["PASS", "PASS", "FAIL"])
        self.assertEqual(result["AggregatedMetrics"], {
            "TotalRowsProcessed": 30.0, "TotalRowsPassed": 20.0, "TotalRowsFailed": 10.0,
            "TotalRulesProcessed": 3.0, "TotalRulesPassed": 2.0, "TotalRulesFailed": 1.0})
        self.create("dq-gate", dq(True, "PrimaryInput", rules))
        run = self.run_job("dq-gate")
        self.assertEqual(run["JobRunState"], "FAILED")
        self.assertIn("Data quality rules failed: Rule_3", run["ErrorMessage"])
        self.assertEqual(len(published(run["Id"])), 1)  # published though the run failed
        quiet = dq(False, "PrimaryInput", rules)
        quiet["dq"]["EvaluateDataQuality"]["PublishingOptions"] = {
            "EvaluationContext": "silent", "ResultsPublishingEnabled": False}
        self.create("dq-quiet", quiet)
        run = self.run_job("dq-quiet")
        self.assertEqual(run["JobRunState"], "SUCCEEDED", run)
        self.assertEqual(published(run["Id"]), [])
        self.assertNotIn("Contents", self.s3.list_objects_v2(
            Bucket="gold", Prefix="dq-PrimaryInput-True/"))
        with self.assertRaises(ClientError) as cm:
            self.create("dq-bad", dq(True, "PrimaryInput", "Rules = [ RowCount >> 1 ]"))
        self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidInputException")

    def test_row_level_outcomes_through_select_from_collection(self):
        """A Data Quality node's collection: ruleOutcomes (Index 0) and rowLevelOutcomes
        (Index 1), each row with the rules it passes, fails and skips."""
        rules = 'Rules = [ IsUnique "ID", ColumnValues "post_type" = "post", RowCount = 30 ]'
        nodes = {
            "src": {"S3ParquetSource": {"Name": "posts", "Paths": ["s3://silver/posts/"]}},
            "dq": {"EvaluateDataQualityMultiFrame": {
                "Name": "dq", "Inputs": ["src"], "Ruleset": rules,
                "AdditionalOptions": {"observations.scope": "ALL"}}},
            "rules": {"SelectFromCollection": {"Name": "ruleOutcomes", "Inputs": ["dq"],
                                               "Index": 0}},
            "rows": {"SelectFromCollection": {"Name": "rowLevelOutcomes", "Inputs": ["dq"],
                                              "Index": 1}},
            "failed": {"Filter": {
                "Name": "failed rows", "Inputs": ["rows"], "LogicalOperator": "AND",
                "Filters": [{"Operation": "EQ", "Negated": False, "Values": [
                    {"Type": "COLUMNEXTRACTED", "Value": ["DataQualityEvaluationResult"]},
                    {"Type": "CONSTANT", "Value": ["Failed"]}]}]}},
            "quarantine": {"S3DirectTarget": {"Name": "q", "Inputs": ["failed"], "Format": "json",
                                              "Compression": "none",
                                              "Path": "s3://gold/dq-quarantine/"}},
            "report": {"S3DirectTarget": {"Name": "r", "Inputs": ["rules"], "Format": "json",
                                          "Compression": "none", "Path": "s3://gold/dq-report/"}},
        }
        self.create("dq-rows", nodes)
        run = self.run_job("dq-rows")
        self.assertEqual(run["JobRunState"], "SUCCEEDED", run)

        def written(prefix):
            [obj] = self.s3.list_objects_v2(Bucket="gold", Prefix=prefix)["Contents"]
            return [json.loads(l) for l in self.s3.get_object(
                Bucket="gold", Key=obj["Key"])["Body"].read().decode().splitlines()]
        # The ten pages (every third id) fail the post_type rule; RowCount is
        # about the whole dataset and judges no row.
        quarantined = sorted(written("dq-quarantine/"), key=lambda r: r["ID"])
        self.assertEqual([r["ID"] for r in quarantined], list(range(3, 31, 3)))
        self.assertEqual(quarantined[0], {
            "ID": 3, "post_type": "page", "title": "title 3",
            "DataQualityRulesPass": ['IsUnique "ID"'],
            "DataQualityRulesFail": ['ColumnValues "post_type" = "post"'],
            "DataQualityRulesSkip": ["RowCount = 30"],
            "DataQualityEvaluationResult": "Failed"})
        self.assertEqual([(r["Rule"], r["Outcome"]) for r in written("dq-report/")], [
            ('IsUnique "ID"', "Passed"), ('ColumnValues "post_type" = "post"', "Failed"),
            ("RowCount = 30", "Passed")])
        # A collection has no third frame; a plain node's has one.
        nodes["rows"]["SelectFromCollection"]["Index"] = 2
        message = self.assertRaisesCode("InvalidInputException", self.create, "dq-rows-bad", nodes)
        self.assertIn("Index must be 0 (ruleOutcomes) or 1 (rowLevelOutcomes)", message)
        nodes["rows"]["SelectFromCollection"].update(Index=1, Inputs=["src"])
        self.assertRaisesCode("InvalidInputException", self.create, "dq-rows-bad", nodes)

    def test_multi_frame_data_quality_against_a_reference(self):
        """EvaluateDataQualityMultiFrame: rules comparing the posts with the statistics."""
        rules = ('Rules = [ RowCountMatch "stats" = 2.0, ReferentialIntegrity "ID" "stats.id" = 0.5, '
                 'AggregateMatch "sum(ID)" "sum(stats.id)" > 2 ]')
        nodes = {
            "posts": {"S3ParquetSource": {"Name": "posts", "Paths": ["s3://silver/posts/"]}},
            "stats": {"S3ParquetSource": {"Name": "stats",
                                          "Paths": ["s3://silver/statistics_pages/"]}},
            "dq": {"EvaluateDataQualityMultiFrame": {
                "Name": "dq", "Inputs": ["posts", "stats"], "Ruleset": rules,
                "AdditionalDataSources": {"stats": "stats"}}},
            "out": {"S3DirectTarget": {"Name": "out", "Inputs": ["dq"], "Format": "json",
                                       "Compression": "none", "Path": "s3://gold/dq-multi/"}},
        }
        self.create("dq-multi", nodes)
        run = self.run_job("dq-multi")
        self.assertEqual(run["JobRunState"], "SUCCEEDED", run)
        [obj] = self.s3.list_objects_v2(Bucket="gold", Prefix="dq-multi/")["Contents"]
        rows = [json.loads(l) for l in self.s3.get_object(
            Bucket="gold", Key=obj["Key"])["Body"].read().decode().splitlines()]
        # 30 posts over 15 statistics; the 15 even ids are known; 465 / 240.
        self.assertEqual([r["Outcome"] for r in rows], ["Passed", "Passed", "Failed"], rows)
        self.assertEqual(rows[2]["FailureReason"],
                         "Value: 1.9375 does not meet the constraint requirement!")
        # A data source that is not one of the node's inputs is refused.
        nodes["dq"]["EvaluateDataQualityMultiFrame"]["Inputs"] = ["posts"]
        with self.assertRaises(ClientError) as cm:
            self.create("dq-multi-bad", nodes)
        self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidInputException")

    def test_bookmarks_read_only_what_is_new(self):
        nodes = {
            "src": {"S3JsonSource": {"Name": "in", "Paths": ["s3://silver/incoming/"]}},
            "out": {"S3DirectTarget": {"Name": "out", "Inputs": ["src"], "Format": "json",
                                       "Compression": "none", "Path": "s3://gold/bm/"}},
        }
        self.create("bm", nodes,
                    DefaultArguments={"--job-bookmark-option": "job-bookmark-enable"})
        put = lambda key, n: self.s3.put_object(
            Bucket="silver", Key=f"incoming/{key}",
            Body="".join(json.dumps({"n": i}) + "\n" for i in range(n)).encode())

        def written():
            objs = self.s3.list_objects_v2(Bucket="gold", Prefix="bm/").get("Contents", [])
            return sum(len(self.s3.get_object(Bucket="gold", Key=o["Key"])["Body"].read()
                           .splitlines()) for o in objs), len(objs)

        with self.assertRaises(ClientError) as cm:
            self.glue.get_job_bookmark(JobName="bm")
        self.assertEqual(cm.exception.response["Error"]["Code"], "EntityNotFoundException")
        put("a.json", 3)
        self.assertEqual(self.run_job("bm")["JobRunState"], "SUCCEEDED")
        self.assertEqual(written(), (3, 1))
        put("b.json", 2)
        self.assertEqual(self.run_job("bm")["JobRunState"], "SUCCEEDED")
        self.assertEqual(written(), (5, 2))  # only b's 2 rows the second time
        self.assertEqual(self.run_job("bm")["JobRunState"], "SUCCEEDED")
        self.assertEqual(written(), (5, 2))  # nothing new: nothing written
        entry = self.glue.get_job_bookmark(JobName="bm")["JobBookmarkEntry"]
        self.assertEqual((entry["JobName"], entry["Run"]), ("bm", 3))
        self.assertIn("s3://silver/incoming/", entry["JobBookmark"])
        # Disabled for one run: everything is read.
        run = self.run_job("bm", Arguments={"--job-bookmark-option": "job-bookmark-disable"})
        self.assertEqual(run["JobRunState"], "SUCCEEDED")
        self.assertEqual(written(), (10, 3))
        # Reset: the next bookmarked run reads everything again.
        self.glue.reset_job_bookmark(JobName="bm")
        self.assertEqual(self.run_job("bm")["JobRunState"], "SUCCEEDED")
        self.assertEqual(written(), (15, 4))

    def test_bookmarks_of_a_catalog_source(self):
        """S3CatalogSource: the catalog table's objects, also a partition's, read once."""
        self.glue.create_database(DatabaseInput={"Name": "raw"})
        self.glue.create_table(DatabaseName="raw", TableInput={
            "Name": "clicks", "TableType": "EXTERNAL_TABLE",
            "Parameters": {"classification": "json"},
            "PartitionKeys": [{"Name": "day", "Type": "string"}],
            "StorageDescriptor": {
                "Columns": [{"Name": "n", "Type": "int"}],
                "Location": "s3://silver/clicks/",
                "SerdeInfo": {"SerializationLibrary": "org.openx.data.jsonserde.JsonSerDe"}}})

        def put(day, key, values):
            self.s3.put_object(Bucket="silver", Key=f"clicks/day={day}/{key}",
                               Body="".join(json.dumps({"n": v}) + "\n" for v in values).encode())
            self.glue.batch_create_partition(DatabaseName="raw", TableName="clicks",
                                             PartitionInputList=[{"Values": [day], "StorageDescriptor": {
                                                 "Location": f"s3://silver/clicks/day={day}/"}}])

        self.create("bm-catalog", {
            "src": {"S3CatalogSource": {"Name": "clicks", "Database": "raw", "Table": "clicks"}},
            "out": {"S3DirectTarget": {"Name": "out", "Inputs": ["src"], "Format": "json",
                                       "Compression": "none", "Path": "s3://gold/bm-catalog/"}},
        }, DefaultArguments={"--job-bookmark-option": "job-bookmark-enable"})

        def written():
            objs = self.s3.list_objects_v2(Bucket="gold", Prefix="bm-catalog/").get("Contents", [])
            return sorted((json.loads(l)["n"], json.loads(l)["day"]) for o in objs
                          for l in self.s3.get_object(Bucket="gold", Key=o["Key"])["Body"]
                          .read().decode().splitlines())
        put("01", "a.json", [1, 2])
        self.assertEqual(self.run_job("bm-catalog")["JobRunState"], "SUCCEEDED")
        self.assertEqual(written(), [(1, "01"), (2, "01")])
        put("02", "b.json", [3])  # a new partition's object: only it is read
        self.assertEqual(self.run_job("bm-catalog")["JobRunState"], "SUCCEEDED")
        self.assertEqual(written(), [(1, "01"), (2, "01"), (3, "02")])
        run = self.run_job("bm-catalog")  # nothing new: nothing written
        self.assertEqual(run["JobRunState"], "SUCCEEDED", run)
        self.assertEqual(len(written()), 3)
        self.assertIn("s3://silver/clicks/day=02/b.json",
                      self.glue.get_job_bookmark(JobName="bm-catalog")["JobBookmarkEntry"][
                          "JobBookmark"])

    def test_python_shell_jobs(self):
        """A Python shell job: the script from S3 run by python3 with Glue's
        arguments and boto3 pointed at the server."""
        script = (
            "import sys\n"
            "import boto3\n"
            "from awsglue.utils import getResolvedOptions\n"
            "args = getResolvedOptions(sys.argv, ['source', 'target'])\n"
            "s3 = boto3.client('s3')\n"
            "body = s3.get_object(Bucket='silver', Key=args['source'])['Body'].read()\n"
            "s3.put_object(Bucket='gold', Key=args['target'], Body=body.upper())\n"
            "print('copied', args['source'], 'for', args['JOB_NAME'], len(body), 'bytes')\n")
        self.s3.put_object(Bucket="silver", Key="scripts/copy.py", Body=script.encode())
        self.s3.put_object(Bucket="silver", Key="shell/in.txt", Body=b"hello glue")
        self.glue.create_job(Name="shell", Role=ROLE, Command={
            "Name": "pythonshell", "ScriptLocation": "s3://silver/scripts/copy.py",
            "PythonVersion": "3.9"}, DefaultArguments={"--source": "shell/in.txt"})
        run = self.run_job("shell", Arguments={"--target": "shell/out.txt"})
        self.assertEqual(run["JobRunState"], "SUCCEEDED", run)
        self.assertEqual(self.s3.get_object(Bucket="gold", Key="shell/out.txt")["Body"].read(),
                         b"HELLO GLUE")
        events = self.server.client("logs").get_log_events(
            logGroupName="/aws-glue/jobs/output", logStreamName=run["Id"])["events"]
        self.assertIn("copied shell/in.txt for shell 10 bytes", [e["message"] for e in events])
        # A missing argument, a failing script, a missing script: FAILED with why.
        run = self.run_job("shell")
        self.assertEqual(run["JobRunState"], "FAILED")
        self.assertIn("--target", run["ErrorMessage"])
        self.s3.put_object(Bucket="silver", Key="scripts/boom.py",
                           Body=b"raise ValueError('bad row 7')\n")
        self.glue.create_job(Name="boom", Role=ROLE, Command={
            "Name": "pythonshell", "ScriptLocation": "s3://silver/scripts/boom.py"})
        run = self.run_job("boom")
        self.assertEqual(run["JobRunState"], "FAILED")
        self.assertIn("ValueError: bad row 7", run["ErrorMessage"])
        self.glue.create_job(Name="noscript", Role=ROLE, Command={
            "Name": "pythonshell", "ScriptLocation": "s3://silver/scripts/none.py"})
        run = self.run_job("noscript")
        self.assertEqual(run["JobRunState"], "FAILED")
        self.assertIn("Cannot read the script s3://silver/scripts/none.py", run["ErrorMessage"])

    def test_failures_stop_and_refusals(self):
        nodes = gold_job_nodes()
        nodes["node-posts"]["S3ParquetSource"]["Paths"] = ["s3://silver/missing/"]
        nodes["node-target"]["S3GlueParquetTarget"]["Path"] = "s3://gold/never/"
        nodes["node-target"]["S3GlueParquetTarget"]["SchemaChangePolicy"] = {
            "EnableUpdateCatalog": False}
        self.create("broken", nodes)
        run = self.run_job("broken")
        self.assertEqual(run["JobRunState"], "FAILED")
        self.assertIn("no files at s3://silver/missing/", run["ErrorMessage"])
        self.assertNotIn("Contents", self.s3.list_objects_v2(Bucket="gold", Prefix="never/"))
        errors = self.server.client("logs").get_log_events(
            logGroupName="/aws-glue/jobs/error", logStreamName=run["Id"])["events"]
        self.assertIn("no files", errors[0]["message"])
        # Script jobs need Spark: refused, never a pretended success.
        self.glue.create_job(Name="script", Role=ROLE, Command={
            "Name": "glueetl", "ScriptLocation": "s3://scripts/job.py"})
        with self.assertRaises(ClientError) as cm:
            self.glue.start_job_run(JobName="script")
        self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidInputException")
        self.assertIn("Spark", cm.exception.response["Error"]["Message"])
        with self.assertRaises(ClientError) as cm:
            self.glue.start_job_run(JobName="nope")
        self.assertEqual(cm.exception.response["Error"]["Code"], "EntityNotFoundException")
        with self.assertRaises(ClientError) as cm:
            self.glue.get_job_run(JobName="broken", RunId="jr_nope")
        self.assertEqual(cm.exception.response["Error"]["Code"], "EntityNotFoundException")
        stopped = self.glue.batch_stop_job_run(JobName="broken", JobRunIds=[run["Id"], "jr_x"])
        self.assertEqual(stopped["SuccessfulSubmissions"], [])
        self.assertEqual([e["JobRunId"] for e in stopped["Errors"]], [run["Id"], "jr_x"])

    def test_max_retries_attempts_a_failed_run_again(self):
        nodes = gold_job_nodes()
        nodes["node-posts"]["S3ParquetSource"]["Paths"] = ["s3://silver/absent/"]
        nodes["node-target"]["S3GlueParquetTarget"]["SchemaChangePolicy"] = {
            "EnableUpdateCatalog": False}
        self.create("flaky", nodes, MaxRetries=2)
        events, sqs = self.server.client("events"), self.server.client("sqs")
        url = sqs.create_queue(QueueName="job-attempts")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        events.put_rule(Name="job-attempts", EventPattern=json.dumps(
            {"source": ["aws.glue"], "detail": {"jobName": ["flaky"]}}))
        events.put_targets(Rule="job-attempts", Targets=[{"Id": "q", "Arn": arn}])
        first = self.run_job("flaky", Arguments={"--day": "7"})
        self.assertEqual((first["JobRunState"], first["Attempt"]), ("FAILED", 0))
        runs = self.glue.get_job_runs(JobName="flaky")["JobRuns"]  # newest first
        self.assertEqual([r["Id"] for r in runs],
                         [first["Id"] + "_attempt_2", first["Id"] + "_attempt_1", first["Id"]])
        self.assertEqual([r["Attempt"] for r in runs], [2, 1, 0])
        self.assertEqual([r.get("PreviousRunId") for r in runs],
                         [first["Id"] + "_attempt_1", first["Id"], None])
        self.assertTrue(all(r["JobRunState"] == "FAILED" for r in runs))
        self.assertTrue(all(r["Arguments"]["--day"] == "7" for r in runs))
        told = []
        while True:
            got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
            if not got:
                break
            told += [json.loads(m["Body"])["detail"]["jobRunId"] for m in got]
        self.assertEqual(sorted(told), sorted(r["Id"] for r in runs))
        # Without MaxRetries a failure is final.
        self.create("once", nodes)
        self.run_job("once")
        self.assertEqual(len(self.glue.get_job_runs(JobName="once")["JobRuns"]), 1)


class GlueJobStopTest(unittest.TestCase):
    """A run that would take minutes, stopped by BatchStopJobRun. (Its Timeout
    is not tested end to end: the virtual clock moves only when no work runs,
    and the shortest Timeout is a real minute.)"""

    @classmethod
    def setUpClass(cls):
        cls.server = SluiceServer().start()
        cls.glue = cls.server.client("glue")
        s3 = cls.server.client("s3")
        s3.create_bucket(Bucket="silver")
        s3.put_object(Bucket="silver", Key="n/part-0.parquet", Body=parquet_bytes(
            "SELECT i::BIGINT AS n FROM range(3000) t(i)"))
        slow = {
            "src": {"S3ParquetSource": {"Name": "n", "Paths": ["s3://silver/n/"]}},
            "sql": {"SparkSQL": {"Name": "sql", "Inputs": ["src"],
                                 "SqlAliases": [{"From": "src", "Alias": "a"}],
                                 "SqlQuery": "SELECT count(*) AS c FROM a x, a y, a z "
                                             "WHERE x.n + y.n + z.n = -1"}},
            "out": {"S3DirectTarget": {"Name": "out", "Inputs": ["sql"], "Format": "json",
                                       "Path": "s3://silver/out/"}},
        }
        cls.glue.create_job(Name="slow", Role=ROLE, Command={"Name": "glueetl"},
                            CodeGenConfigurationNodes=slow, Timeout=1,
                            ExecutionProperty={"MaxConcurrentRuns": 1})

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def test_stop(self):
        g = self.glue
        first = g.start_job_run(JobName="slow")["JobRunId"]
        with self.assertRaises(ClientError) as cm:
            g.start_job_run(JobName="slow")
        self.assertEqual(cm.exception.response["Error"]["Code"],
                         "ConcurrentRunsExceededException")
        stopped = g.batch_stop_job_run(JobName="slow", JobRunIds=[first])
        self.assertEqual(stopped["SuccessfulSubmissions"],
                         [{"JobName": "slow", "JobRunId": first}])
        self.server.idle()
        run = g.get_job_run(JobName="slow", RunId=first)["JobRun"]
        self.assertEqual(run["JobRunState"], "STOPPED")
        # After a stop, the job takes runs again.
        with self.assertRaises(ClientError) as cm:
            g.batch_stop_job_run(JobName="nope", JobRunIds=[first])
        self.assertEqual(cm.exception.response["Error"]["Code"], "EntityNotFoundException")


if __name__ == "__main__":
    unittest.main()
