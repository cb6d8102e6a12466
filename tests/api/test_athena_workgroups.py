"""Athena workgroups, prepared statements, named queries and tags through
boto3: the API operations and their bad inputs, what a workgroup decides for
its queries (output location, enforcement, DISABLED, the per-query cutoff on
bytes scanned), the SQL statements PREPARE / EXECUTE / DEALLOCATE PREPARE and
ExecutionParameters, query result reuse, and that all of it survives a
restart."""
import signal
import unittest

from botocore.exceptions import ClientError

from lake_fixtures import parquet_bytes
from sluice_server import SluiceServer

OUT = "s3://results/athena/"


class AthenaWorkGroupsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = SluiceServer().start()
        cls.athena = cls.server.client("athena")
        s3, glue = cls.server.client("s3"), cls.server.client("glue")
        s3.create_bucket(Bucket="lake")
        s3.create_bucket(Bucket="results")
        s3.put_object(Bucket="lake", Key="nums/part-0.parquet", Body=parquet_bytes(
            "SELECT i::INTEGER AS n, 'v' || i AS label FROM range(10) t(i)"))
        glue.create_database(DatabaseInput={"Name": "lake"})
        glue.create_table(DatabaseName="lake", TableInput={
            "Name": "nums", "TableType": "EXTERNAL_TABLE",
            "Parameters": {"classification": "parquet"},
            "StorageDescriptor": {
                "Columns": [{"Name": "n", "Type": "int"}, {"Name": "label", "Type": "string"}],
                "Location": "s3://lake/nums/",
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

    def run_sql(self, sql, **extra):
        kwargs = {"QueryString": sql, "QueryExecutionContext": {"Database": "lake"}, **extra}
        if "WorkGroup" not in extra and "ResultConfiguration" not in extra:
            kwargs["ResultConfiguration"] = {"OutputLocation": OUT}
        qid = self.athena.start_query_execution(**kwargs)["QueryExecutionId"]
        self.server.idle()
        return self.athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]

    def rows(self, qid):
        r = self.athena.get_query_results(QueryExecutionId=qid)
        return [[d.get("VarCharValue") for d in row["Data"]] for row in r["ResultSet"]["Rows"]]

    def test_workgroup_lifecycle_and_what_it_decides(self):
        a = self.athena
        a.create_work_group(Name="reports", Description="nightly", Configuration={
            "ResultConfiguration": {"OutputLocation": "s3://results/reports/"},
            "EnforceWorkGroupConfiguration": True})
        wg = a.get_work_group(WorkGroup="reports")["WorkGroup"]
        self.assertEqual((wg["Name"], wg["State"], wg["Description"]),
                         ("reports", "ENABLED", "nightly"))
        self.assertEqual(wg["Configuration"]["ResultConfiguration"]["OutputLocation"],
                         "s3://results/reports/")
        names = [w["Name"] for w in a.list_work_groups()["WorkGroups"]]
        self.assertIn("primary", names)
        self.assertIn("reports", names)
        # The enforced output location wins over the request's.
        e = self.run_sql("SELECT count(*) FROM nums", WorkGroup="reports",
                         ResultConfiguration={"OutputLocation": "s3://results/elsewhere/"})
        self.assertEqual(e["Status"]["State"], "SUCCEEDED", e["Status"])
        self.assertEqual(e["WorkGroup"], "reports")
        self.assertEqual(e["ResultConfiguration"]["OutputLocation"],
                         "s3://results/reports/" + e["QueryExecutionId"] + ".csv")
        self.assertEqual(self.rows(e["QueryExecutionId"])[1], ["10"])
        listed = a.list_query_executions(WorkGroup="reports")["QueryExecutionIds"]
        self.assertEqual(listed, [e["QueryExecutionId"]])
        # Not enforced: the workgroup's location is the default.
        a.update_work_group(WorkGroup="reports", ConfigurationUpdates={
            "EnforceWorkGroupConfiguration": False})
        e = self.run_sql("SELECT 1", WorkGroup="reports",
                         ResultConfiguration={"OutputLocation": "s3://results/elsewhere/"})
        self.assertTrue(e["ResultConfiguration"]["OutputLocation"].startswith(
            "s3://results/elsewhere/"))
        e = self.run_sql("SELECT 1", WorkGroup="reports")
        self.assertTrue(e["ResultConfiguration"]["OutputLocation"].startswith(
            "s3://results/reports/"))
        # DISABLED refuses queries.
        a.update_work_group(WorkGroup="reports", State="DISABLED")
        self.assertIn("disabled", self.assertError(
            "InvalidRequestException", a.start_query_execution, QueryString="SELECT 1",
            WorkGroup="reports"))
        a.update_work_group(WorkGroup="reports", State="ENABLED")
        # Deleting a workgroup with history needs RecursiveDeleteOption.
        self.assertIn("not empty", self.assertError(
            "InvalidRequestException", a.delete_work_group, WorkGroup="reports"))
        a.delete_work_group(WorkGroup="reports", RecursiveDeleteOption=True)
        self.assertError("InvalidRequestException", a.get_work_group, WorkGroup="reports")
        self.assertNotIn("reports", [w["Name"] for w in a.list_work_groups()["WorkGroups"]])

    def test_workgroups_page(self):
        a = self.athena
        for i in range(3):
            a.create_work_group(Name=f"page{i}")
        pages, token = [], None
        while True:
            page = a.list_work_groups(MaxResults=2, **({"NextToken": token} if token else {}))
            self.assertLessEqual(len(page["WorkGroups"]), 2)
            pages.append(page)
            token = page.get("NextToken")
            if not token:
                break
        names = [w["Name"] for p in pages for w in p["WorkGroups"]]
        self.assertEqual(len(names), len(set(names)))
        self.assertTrue({"page0", "page1", "page2", "primary"} <= set(names))
        self.assertGreaterEqual(len(pages), 2)
        for i in range(3):
            a.delete_work_group(WorkGroup=f"page{i}")

    def test_workgroup_bad_inputs(self):
        a = self.athena
        a.create_work_group(Name="dup")
        self.assertIn("already created", self.assertError(
            "InvalidRequestException", a.create_work_group, Name="dup"))
        self.assertError("InvalidRequestException", a.create_work_group, Name="primary")
        self.assertError("ValidationException", a.create_work_group, Name="bad name!")
        self.assertError("InvalidRequestException", a.create_work_group, Name="badout",
                         Configuration={"ResultConfiguration": {"OutputLocation": "/tmp/x"}})
        self.assertError("InvalidRequestException", a.get_work_group, WorkGroup="nope")
        self.assertError("InvalidRequestException", a.update_work_group, WorkGroup="nope",
                         State="DISABLED")
        self.assertError("InvalidRequestException", a.delete_work_group, WorkGroup="primary")
        self.assertError("InvalidRequestException", a.delete_work_group, WorkGroup="nope")
        self.assertError("InvalidRequestException", a.start_query_execution,
                         QueryString="SELECT 1", WorkGroup="nope")
        self.assertError("InvalidRequestException", a.start_query_execution,
                         QueryString="SELECT 1", WorkGroup="dup")  # no output location
        self.assertEqual(self.assertError(
            "InvalidRequestException", a.get_work_group, WorkGroup="badout"),
            "WorkGroup badout is not found.")
        a.delete_work_group(WorkGroup="dup")

    def test_bytes_scanned_cutoff_cancels_the_query(self):
        a = self.athena
        a.create_work_group(Name="capped", Configuration={
            "ResultConfiguration": {"OutputLocation": OUT},
            "BytesScannedCutoffPerQuery": 10000000})
        e = self.run_sql("SELECT count(*) FROM nums", WorkGroup="capped")
        self.assertEqual(e["Status"]["State"], "SUCCEEDED", e["Status"])
        # Over the cutoff (a 20 MB table): cancelled, as Athena's data usage control does.
        self.server.client("s3").put_object(
            Bucket="lake", Key="nums/big.parquet", Body=parquet_bytes(
                "SELECT i::INTEGER AS n, md5(i::VARCHAR) || md5((i + 1)::VARCHAR) AS label "
                "FROM range(300000) t(i)"))
        e = self.run_sql("SELECT count(*) FROM nums", WorkGroup="capped")
        self.assertEqual((e["Status"]["State"], e["Status"].get("StateChangeReason")),
                         ("CANCELLED", "Bytes scanned limit was exceeded"))
        self.server.client("s3").delete_object(Bucket="lake", Key="nums/big.parquet")
        a.update_work_group(WorkGroup="capped", ConfigurationUpdates={
            "RemoveBytesScannedCutoffPerQuery": True})
        self.assertNotIn("BytesScannedCutoffPerQuery",
                         a.get_work_group(WorkGroup="capped")["WorkGroup"]["Configuration"])

    def test_prepared_statements_api_and_sql(self):
        a = self.athena
        a.create_prepared_statement(StatementName="by_n", WorkGroup="primary",
                                    QueryStatement="SELECT label FROM nums WHERE n = ?",
                                    Description="one row")
        p = a.get_prepared_statement(StatementName="by_n", WorkGroup="primary")["PreparedStatement"]
        self.assertEqual((p["StatementName"], p["QueryStatement"], p["WorkGroupName"]),
                         ("by_n", "SELECT label FROM nums WHERE n = ?", "primary"))
        e = self.run_sql("EXECUTE by_n USING 3")
        self.assertEqual((e["Status"]["State"], e["StatementType"]), ("SUCCEEDED", "DML"),
                         e["Status"])
        self.assertEqual(self.rows(e["QueryExecutionId"]), [["label"], ["v3"]])
        e = self.run_sql("EXECUTE by_n", ExecutionParameters=["7"])
        self.assertEqual(self.rows(e["QueryExecutionId"]), [["label"], ["v7"]])
        # SQL PREPARE replaces, DEALLOCATE removes.
        e = self.run_sql("PREPARE by_n FROM SELECT n FROM nums WHERE label = ? OR n > ? ORDER BY n")
        self.assertEqual(e["Status"]["State"], "SUCCEEDED", e["Status"])
        e = self.run_sql("EXECUTE by_n USING 'v1', 8")
        self.assertEqual(self.rows(e["QueryExecutionId"]), [["n"], ["1"], ["9"]])
        a.update_prepared_statement(StatementName="by_n", WorkGroup="primary",
                                    QueryStatement="SELECT count(*) FROM nums WHERE n < ?")
        e = self.run_sql("EXECUTE by_n USING 4")
        self.assertEqual(self.rows(e["QueryExecutionId"])[1], ["4"])
        self.assertEqual([s["StatementName"] for s in a.list_prepared_statements(
            WorkGroup="primary")["PreparedStatements"]], ["by_n"])
        got = a.batch_get_prepared_statement(PreparedStatementNames=["by_n", "nope"],
                                             WorkGroup="primary")
        self.assertEqual([s["StatementName"] for s in got["PreparedStatements"]], ["by_n"])
        self.assertEqual(got["UnprocessedPreparedStatementNames"][0]["StatementName"], "nope")
        e = self.run_sql("EXECUTE by_n USING 1, 2")
        self.assertEqual(e["Status"]["State"], "FAILED")
        self.assertTrue(e["Status"]["StateChangeReason"].startswith(
            "INVALID_PARAMETER_USAGE: Incorrect number of parameters: expected 1 but found 2"))
        e = self.run_sql("DEALLOCATE PREPARE by_n")
        self.assertEqual(e["Status"]["State"], "SUCCEEDED", e["Status"])
        e = self.run_sql("EXECUTE by_n USING 1")
        self.assertEqual(e["Status"]["State"], "FAILED")
        self.assertEqual(e["Status"]["StateChangeReason"],
                         "PreparedStatement by_n was not found in workGroup primary")
        self.assertError("ResourceNotFoundException", a.get_prepared_statement,
                         StatementName="by_n", WorkGroup="primary")
        self.assertError("ResourceNotFoundException", a.delete_prepared_statement,
                         StatementName="by_n", WorkGroup="primary")
        self.assertError("InvalidRequestException", a.create_prepared_statement,
                         StatementName="xx", WorkGroup="nope", QueryStatement="SELECT 1")
        # The service model's pattern: a letter or '_' first, two characters at least.
        self.assertError("ValidationException", a.create_prepared_statement,
                         StatementName="1bad", WorkGroup="primary", QueryStatement="SELECT 1")
        a.create_prepared_statement(StatementName="twice", WorkGroup="primary",
                                    QueryStatement="SELECT 1")
        self.assertError("InvalidRequestException", a.create_prepared_statement,
                         StatementName="twice", WorkGroup="primary", QueryStatement="SELECT 2")
        a.delete_prepared_statement(StatementName="twice", WorkGroup="primary")

    def test_execution_parameters(self):
        e = self.run_sql("SELECT n FROM nums WHERE n BETWEEN ? AND ? AND label <> ? ORDER BY n",
                         ExecutionParameters=["2", "4", "'v3'"])
        self.assertEqual(self.rows(e["QueryExecutionId"]), [["n"], ["2"], ["4"]])
        self.assertEqual(e["ExecutionParameters"], ["2", "4", "'v3'"])
        # A '?' inside a string is not a parameter.
        e = self.run_sql("SELECT '?' AS q, n FROM nums WHERE n = ?", ExecutionParameters=["5"])
        self.assertEqual(self.rows(e["QueryExecutionId"]), [["q", "n"], ["?", "5"]])
        e = self.run_sql("SELECT n FROM nums WHERE n = ?")
        self.assertEqual(e["Status"]["State"], "FAILED")
        self.assertEqual(e["Status"]["StateChangeReason"],
                         "INVALID_PARAMETER_USAGE: Incorrect number of parameters: expected 1 "
                         "but found 0")

    def test_named_queries(self):
        a = self.athena
        qid = a.create_named_query(Name="ten", Database="lake", QueryString="SELECT 10",
                                   Description="the number", ClientRequestToken="t" * 32)
        self.assertEqual(a.create_named_query(Name="ten", Database="lake", QueryString="SELECT 10",
                                              ClientRequestToken="t" * 32)["NamedQueryId"],
                         qid["NamedQueryId"])
        nq = a.get_named_query(NamedQueryId=qid["NamedQueryId"])["NamedQuery"]
        self.assertEqual((nq["Name"], nq["Database"], nq["QueryString"], nq["WorkGroup"],
                          nq["Description"]),
                         ("ten", "lake", "SELECT 10", "primary", "the number"))
        other = a.create_named_query(Name="x", Database="lake", QueryString="SELECT 1")
        self.assertEqual(sorted(a.list_named_queries()["NamedQueryIds"]),
                         sorted([qid["NamedQueryId"], other["NamedQueryId"]]))
        a.update_named_query(NamedQueryId=other["NamedQueryId"], Name="y",
                             QueryString="SELECT 2")
        got = a.batch_get_named_query(NamedQueryIds=[other["NamedQueryId"], "missing"])
        self.assertEqual([(q["Name"], q["QueryString"]) for q in got["NamedQueries"]],
                         [("y", "SELECT 2")])
        self.assertEqual(got["UnprocessedNamedQueryIds"][0]["NamedQueryId"], "missing")
        a.delete_named_query(NamedQueryId=other["NamedQueryId"])
        self.assertError("InvalidRequestException", a.get_named_query,
                         NamedQueryId=other["NamedQueryId"])
        self.assertError("InvalidRequestException", a.create_named_query, Name="z",
                         Database="lake", QueryString="SELECT 1", WorkGroup="nope")
        a.delete_named_query(NamedQueryId=qid["NamedQueryId"])

    def tags(self, arn):
        return {t["Key"]: t["Value"]
                for t in self.athena.list_tags_for_resource(ResourceARN=arn)["Tags"]}

    def test_tags_on_workgroups(self):
        a = self.athena
        arn = "arn:aws:athena:us-east-1:000000000000:workgroup/tagged"
        a.create_work_group(Name="tagged", Tags=[{"Key": "team", "Value": "lake"}])
        self.assertEqual(self.tags(arn), {"team": "lake"})
        a.tag_resource(ResourceARN=arn, Tags=[{"Key": "team", "Value": "bi"},
                                              {"Key": "cost", "Value": "42"}])
        self.assertEqual(self.tags(arn), {"team": "bi", "cost": "42"})
        a.untag_resource(ResourceARN=arn, TagKeys=["team", "absent"])
        self.assertEqual(self.tags(arn), {"cost": "42"})
        # More than 50 in all is refused, and nothing changes.
        self.assertError("InvalidRequestException", a.tag_resource, ResourceARN=arn,
                         Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])
        self.assertEqual(self.tags(arn), {"cost": "42"})
        self.assertError("ValidationException", a.tag_resource, ResourceARN=arn,
                         Tags=[{"Key": "x" * 129, "Value": "v"}])
        # Pages of at least 75.
        many = [{"Key": f"k{i:02}", "Value": str(i)} for i in range(49)]
        a.tag_resource(ResourceARN=arn, Tags=many)
        first = a.list_tags_for_resource(ResourceARN=arn, MaxResults=75)
        self.assertEqual(len(first["Tags"]), 50)
        self.assertNotIn("NextToken", first)
        # The primary workgroup exists without being created.
        primary = "arn:aws:athena:us-east-1:000000000000:workgroup/primary"
        a.tag_resource(ResourceARN=primary, Tags=[{"Key": "env", "Value": "dev"}])
        self.assertEqual(self.tags(primary), {"env": "dev"})
        a.untag_resource(ResourceARN=primary, TagKeys=["env"])
        self.assertEqual(self.tags(primary), {})
        # A workgroup that does not exist has no tags to list or change.
        missing = "arn:aws:athena:us-east-1:000000000000:workgroup/missing"
        self.assertError("ResourceNotFoundException", a.list_tags_for_resource,
                         ResourceARN=missing)
        self.assertError("ResourceNotFoundException", a.tag_resource, ResourceARN=missing,
                         Tags=[{"Key": "k", "Value": "v"}])
        # Deleting the workgroup takes its tags.
        a.delete_work_group(WorkGroup="tagged")
        a.create_work_group(Name="tagged")
        self.assertEqual(self.tags(arn), {})
        a.delete_work_group(WorkGroup="tagged")

    def test_result_reuse(self):
        s3 = self.server.client("s3")
        s3.put_object(Bucket="lake", Key="reuse/part-0.parquet", Body=parquet_bytes(
            "SELECT i::INTEGER AS n FROM range(5) t(i)"))
        self.server.client("glue").create_table(DatabaseName="lake", TableInput={
            "Name": "reuse", "TableType": "EXTERNAL_TABLE",
            "Parameters": {"classification": "parquet"},
            "StorageDescriptor": {
                "Columns": [{"Name": "n", "Type": "int"}], "Location": "s3://lake/reuse/",
                "SerdeInfo": {"SerializationLibrary":
                              "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"}}})
        sql = "SELECT count(*) AS c FROM reuse"
        reuse = {"ResultReuseConfiguration": {"ResultReuseByAgeConfiguration": {
            "Enabled": True, "MaxAgeInMinutes": 30}}}

        def reused(q):
            return q["Statistics"]["ResultReuseInformation"]["ReusedPreviousResult"]

        first = self.run_sql(sql, **reuse)
        self.assertEqual(first["Status"]["State"], "SUCCEEDED", first)
        self.assertFalse(reused(first))
        self.assertGreater(first["Statistics"]["DataScannedInBytes"], 0)
        self.assertEqual(first["ResultReuseConfiguration"]["ResultReuseByAgeConfiguration"],
                         {"Enabled": True, "MaxAgeInMinutes": 30})
        # New data: a reusing query still answers from the earlier result, as
        # Athena does within the age; one without reuse reads the data.
        s3.put_object(Bucket="lake", Key="reuse/part-1.parquet", Body=parquet_bytes(
            "SELECT i::INTEGER AS n FROM range(3) t(i)"))
        second = self.run_sql(sql, **reuse)
        self.assertEqual(second["Status"]["State"], "SUCCEEDED", second)
        self.assertTrue(reused(second))
        self.assertEqual(second["Statistics"]["DataScannedInBytes"], 0)
        self.assertEqual(second["ResultConfiguration"]["OutputLocation"],
                         first["ResultConfiguration"]["OutputLocation"])
        self.assertEqual(self.rows(second["QueryExecutionId"]), [["c"], ["5"]])
        fresh = self.run_sql(sql)
        self.assertFalse(reused(fresh))
        self.assertEqual(self.rows(fresh["QueryExecutionId"]), [["c"], ["8"]])
        # Not reused: another query string, another output location, another
        # database, no reuse asked, or a maximum age of 0.
        others = (self.run_sql(sql + " ", **reuse),
                  self.run_sql(sql, ResultConfiguration={"OutputLocation": OUT + "other/"},
                               **reuse),
                  self.run_sql(sql, **{"ResultReuseConfiguration": {
                      "ResultReuseByAgeConfiguration": {"Enabled": True,
                                                        "MaxAgeInMinutes": 0}}}))
        for q in others:
            self.assertEqual(q["Status"]["State"], "SUCCEEDED", q)
            self.assertFalse(reused(q), q["Query"])
        # The newest result is the one reused (the last of those ran afresh);
        # once every matching file is gone, the query runs again.
        newest = self.run_sql(sql, **reuse)
        self.assertTrue(reused(newest))
        self.assertEqual(newest["ResultConfiguration"]["OutputLocation"],
                         others[2]["ResultConfiguration"]["OutputLocation"])
        for q in (first, fresh, others[2]):
            s3.delete_object(Bucket="results",
                             Key=q["ResultConfiguration"]["OutputLocation"][len("s3://results/"):])
        again = self.run_sql(sql, **reuse)
        self.assertFalse(reused(again))
        self.assertEqual(self.rows(again["QueryExecutionId"]), [["c"], ["8"]])
        # Statements other than SELECT and EXECUTE always run.
        show = self.run_sql("SHOW TABLES", **reuse)
        show2 = self.run_sql("SHOW TABLES", **reuse)
        self.assertFalse(reused(show2), show)
        self.assertError("ValidationException", self.athena.start_query_execution,
                         QueryString=sql, ResultConfiguration={"OutputLocation": OUT},
                         ResultReuseConfiguration={"ResultReuseByAgeConfiguration": {
                             "Enabled": True, "MaxAgeInMinutes": 10081}})

    def test_configuration_survives_kill_9(self):
        server = SluiceServer().start()
        try:
            a = server.client("athena")
            a.create_work_group(Name="kept", Configuration={
                "ResultConfiguration": {"OutputLocation": "s3://results/kept/"}})
            a.create_prepared_statement(StatementName="kept_stmt", WorkGroup="kept",
                                        QueryStatement="SELECT 1")
            nq = a.create_named_query(Name="kept", Database="lake", QueryString="SELECT 1",
                                      WorkGroup="kept")["NamedQueryId"]
            arn = "arn:aws:athena:us-east-1:000000000000:workgroup/kept"
            a.tag_resource(ResourceARN=arn, Tags=[{"Key": "team", "Value": "lake"}])
            server.stop(signal.SIGKILL)
            server.start()
            a = server.client("athena")
            self.assertEqual(a.get_work_group(WorkGroup="kept")["WorkGroup"]["Configuration"]
                             ["ResultConfiguration"]["OutputLocation"], "s3://results/kept/")
            self.assertEqual(a.get_prepared_statement(StatementName="kept_stmt",
                                                      WorkGroup="kept")
                             ["PreparedStatement"]["QueryStatement"], "SELECT 1")
            self.assertEqual(a.list_named_queries(WorkGroup="kept")["NamedQueryIds"], [nq])
            self.assertEqual(a.list_tags_for_resource(ResourceARN=arn)["Tags"],
                             [{"Key": "team", "Value": "lake"}])
            a.delete_work_group(WorkGroup="kept", RecursiveDeleteOption=True)
            self.assertError("InvalidRequestException", a.get_named_query, NamedQueryId=nq)
            self.assertError("ResourceNotFoundException", a.get_prepared_statement,
                             StatementName="kept_stmt", WorkGroup="primary")
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main()
