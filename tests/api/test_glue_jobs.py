"""Glue job definitions through boto3 and the AWS CLI: CreateJob / GetJob /
GetJobs / ListJobs / BatchGetJobs / UpdateJob / DeleteJob, and the checks a
visual job's DAG (CodeGenConfigurationNodes) gets when it is saved. Job runs
are not built yet (docs/glue.md)."""
import copy
import signal
import unittest

from botocore.exceptions import ClientError

from aws_cli import aws
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


if __name__ == "__main__":
    unittest.main()
