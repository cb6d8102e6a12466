"""The Glue Data Catalog through boto3 and the AWS CLI: databases, tables and
partitions, their errors, pagination, and durability across kill -9."""
import signal
import unittest

from botocore.exceptions import ClientError

from aws_cli import aws
from sluice_server import SluiceServer

STORAGE = {
    "Columns": [{"Name": "id", "Type": "bigint"}, {"Name": "body", "Type": "string"}],
    "Location": "s3://lake/events/",
    "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
    "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
    "SerdeInfo": {"SerializationLibrary":
                  "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"},
}


def table_input(name, keys=("year", "month")):
    return {"Name": name, "StorageDescriptor": STORAGE, "TableType": "EXTERNAL_TABLE",
            "Parameters": {"classification": "parquet"},
            "PartitionKeys": [{"Name": k, "Type": "string"} for k in keys]}


def partition(year, month):
    sd = dict(STORAGE, Location=f"s3://lake/events/year={year}/month={month}/")
    return {"Values": [year, month], "StorageDescriptor": sd}


class CatalogTest(unittest.TestCase):
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

    def test_databases(self):
        self.glue.create_database(DatabaseInput={"Name": "Sales_DB", "Description": "d",
                                                 "Parameters": {"k": "v"}})
        db = self.glue.get_database(Name="sales_db")["Database"]
        self.assertEqual((db["Name"], db["Description"], db["CatalogId"]),
                         ("sales_db", "d", "000000000000"))
        self.assertIn("CreateTime", db)
        self.assertEqual(self.assertError("AlreadyExistsException", self.glue.create_database,
                                          DatabaseInput={"Name": "sales_db"}),
                         "Database already exists.")
        self.assertEqual(self.assertError("EntityNotFoundException", self.glue.get_database,
                                          Name="nope"), "Database nope not found.")
        self.glue.update_database(Name="sales_db", DatabaseInput={"Name": "sales_db",
                                                                  "Description": "new"})
        self.assertEqual(self.glue.get_database(Name="sales_db")["Database"]["Description"],
                         "new")
        for i in range(5):
            self.glue.create_database(DatabaseInput={"Name": f"page_db_{i}"})
        names = [d["Name"] for p in self.glue.get_paginator("get_databases").paginate(
            PaginationConfig={"PageSize": 2}) for d in p["DatabaseList"]]
        self.assertEqual([n for n in names if n.startswith("page_db_")],
                         [f"page_db_{i}" for i in range(5)])
        self.assertEqual(len(names), len(set(names)))
        # Model constraints are checked first, as AWS does.
        self.assertError("ValidationException", self.glue.create_database,
                         DatabaseInput={"Name": "x" * 256})

    def test_tables_and_cascades(self):
        self.glue.create_database(DatabaseInput={"Name": "tdb"})
        self.glue.create_table(DatabaseName="tdb", TableInput=table_input("Events"))
        t = self.glue.get_table(DatabaseName="tdb", Name="events")["Table"]
        self.assertEqual((t["Name"], t["DatabaseName"], t["TableType"]),
                         ("events", "tdb", "EXTERNAL_TABLE"))
        self.assertEqual(t["StorageDescriptor"]["Columns"][0], {"Name": "id", "Type": "bigint"})
        self.assertEqual([k["Name"] for k in t["PartitionKeys"]], ["year", "month"])
        self.assertEqual(self.assertError("AlreadyExistsException", self.glue.create_table,
                                          DatabaseName="tdb", TableInput=table_input("events")),
                         "Table already exists.")
        self.assertError("EntityNotFoundException", self.glue.create_table,
                         DatabaseName="missing", TableInput=table_input("x"))
        self.assertError("EntityNotFoundException", self.glue.get_table, DatabaseName="tdb",
                         Name="missing")
        updated = table_input("events")
        updated["Parameters"] = {"classification": "parquet", "recordCount": "10"}
        self.glue.update_table(DatabaseName="tdb", TableInput=updated)
        t2 = self.glue.get_table(DatabaseName="tdb", Name="events")["Table"]
        self.assertEqual(t2["Parameters"]["recordCount"], "10")
        self.assertEqual(t2["VersionId"], "1")
        versions = self.glue.get_table_versions(DatabaseName="tdb", TableName="events")
        self.assertEqual([v["VersionId"] for v in versions["TableVersions"]], ["1", "0"])
        self.assertNotIn("recordCount", versions["TableVersions"][1]["Table"]["Parameters"])
        self.assertEqual(self.glue.get_table_version(DatabaseName="tdb", TableName="events",
                                                     VersionId="0")["TableVersion"]["VersionId"],
                         "0")
        updated["Parameters"]["recordCount"] = "20"
        self.glue.update_table(DatabaseName="tdb", TableInput=updated, SkipArchive=True)
        versions = self.glue.get_table_versions(DatabaseName="tdb", TableName="events")
        self.assertEqual([v["VersionId"] for v in versions["TableVersions"]], ["2", "0"])
        r = self.glue.batch_delete_table_version(DatabaseName="tdb", TableName="events",
                                                 VersionIds=["0", "7"])
        self.assertEqual([e["VersionId"] for e in r["Errors"]], ["7"])
        self.assertError("EntityNotFoundException", self.glue.get_table_version,
                         DatabaseName="tdb", TableName="events", VersionId="0")
        for name in ["raw_a", "raw_b", "gold"]:
            self.glue.create_table(DatabaseName="tdb", TableInput=table_input(name, ()))
        listed = [x["Name"] for x in self.glue.get_tables(DatabaseName="tdb",
                                                          Expression="raw_.*")["TableList"]]
        self.assertEqual(listed, ["raw_a", "raw_b"])
        paged = [x["Name"] for p in self.glue.get_paginator("get_tables").paginate(
            DatabaseName="tdb", PaginationConfig={"PageSize": 1}) for x in p["TableList"]]
        self.assertEqual(paged, ["events", "gold", "raw_a", "raw_b"])
        r = self.glue.batch_delete_table(DatabaseName="tdb", TablesToDelete=["gold", "ghost"])
        self.assertEqual([e["TableName"] for e in r["Errors"]], ["ghost"])
        self.glue.batch_create_partition(DatabaseName="tdb", TableName="events",
                                         PartitionInputList=[partition("2024", "01")])
        self.glue.delete_database(Name="tdb")
        self.assertError("EntityNotFoundException", self.glue.get_table, DatabaseName="tdb",
                         Name="events")
        # A new database of the same name starts empty: no table, no partition came back.
        self.glue.create_database(DatabaseInput={"Name": "tdb"})
        self.glue.create_table(DatabaseName="tdb", TableInput=table_input("events"))
        self.assertEqual(self.glue.get_partitions(DatabaseName="tdb",
                                                  TableName="events")["Partitions"], [])

    def test_partitions(self):
        self.glue.create_database(DatabaseInput={"Name": "pdb"})
        self.glue.create_table(DatabaseName="pdb", TableInput=table_input("events"))
        everything = [partition(str(y), f"{m:02d}") for y in range(2010, 2030)
                      for m in range(1, 13)]  # 240
        for i in range(0, len(everything), 100):
            r = self.glue.batch_create_partition(DatabaseName="pdb", TableName="events",
                                                 PartitionInputList=everything[i:i + 100])
            self.assertEqual(r["Errors"], [])
        r = self.glue.batch_create_partition(
            DatabaseName="pdb", TableName="events",
            PartitionInputList=[partition("2010", "01"), partition("2031", "01")])
        self.assertEqual([e["PartitionValues"] for e in r["Errors"]], [["2010", "01"]])
        self.assertEqual(r["Errors"][0]["ErrorDetail"]["ErrorCode"], "AlreadyExistsException")
        self.assertError("AlreadyExistsException", self.glue.create_partition,
                         DatabaseName="pdb", TableName="events",
                         PartitionInput=partition("2010", "01"))
        self.assertError("InvalidInputException", self.glue.create_partition,
                         DatabaseName="pdb", TableName="events",
                         PartitionInput={"Values": ["2010"]})
        self.assertError("ValidationException", self.glue.batch_create_partition,
                         DatabaseName="pdb", TableName="events",
                         PartitionInputList=everything[:101])

        got = self.glue.get_partition(DatabaseName="pdb", TableName="events",
                                      PartitionValues=["2024", "03"])["Partition"]
        self.assertEqual(got["StorageDescriptor"]["Location"],
                         "s3://lake/events/year=2024/month=03/")
        self.assertEqual((got["DatabaseName"], got["TableName"]), ("pdb", "events"))
        pages = list(self.glue.get_paginator("get_partitions").paginate(
            DatabaseName="pdb", TableName="events", PaginationConfig={"PageSize": 100}))
        values = [tuple(p["Values"]) for page in pages for p in page["Partitions"]]
        self.assertEqual(len(pages), 3)
        self.assertEqual(len(values), 241)
        self.assertEqual(values, sorted(values))

        filtered = [p["Values"] for page in self.glue.get_paginator("get_partitions").paginate(
            DatabaseName="pdb", TableName="events",
            Expression="year BETWEEN '2024' AND '2025' AND month IN ('01', '12')",
            PaginationConfig={"PageSize": 3}) for p in page["Partitions"]]
        self.assertEqual(filtered, [["2024", "01"], ["2024", "12"], ["2025", "01"],
                                    ["2025", "12"]])
        self.assertError("InvalidInputException", self.glue.get_partitions, DatabaseName="pdb",
                         TableName="events", Expression="day = '01'")
        self.glue.update_partition(DatabaseName="pdb", TableName="events",
                                   PartitionValueList=["2024", "03"],
                                   PartitionInput=dict(partition("2024", "03"),
                                                       Parameters={"k": "v"}))
        self.assertEqual(self.glue.get_partition(DatabaseName="pdb", TableName="events",
                                                 PartitionValues=["2024", "03"])
                         ["Partition"]["Parameters"], {"k": "v"})
        batch = self.glue.batch_get_partition(
            DatabaseName="pdb", TableName="events",
            PartitionsToGet=[{"Values": ["2024", "03"]}, {"Values": ["1999", "01"]}])
        self.assertEqual([p["Values"] for p in batch["Partitions"]], [["2024", "03"]])
        self.glue.delete_partition(DatabaseName="pdb", TableName="events",
                                   PartitionValues=["2024", "03"])
        self.assertError("EntityNotFoundException", self.glue.get_partition,
                         DatabaseName="pdb", TableName="events", PartitionValues=["2024", "03"])
        r = self.glue.batch_delete_partition(
            DatabaseName="pdb", TableName="events",
            PartitionsToDelete=[{"Values": ["2024", "04"]}, {"Values": ["2024", "03"]}])
        self.assertEqual([e["PartitionValues"] for e in r["Errors"]], [["2024", "03"]])
        self.assertError("EntityNotFoundException", self.glue.get_partitions,
                         DatabaseName="pdb", TableName="nope")

    def test_step_functions_reach_the_catalog(self):
        # The workflow door: aws-sdk:glue tasks call the same operations.
        import json
        import time
        sfn = self.server.client("stepfunctions")
        definition = {
            "StartAt": "Create",
            "States": {
                "Create": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:glue:createDatabase",
                           "Parameters": {"DatabaseInput": {"Name.$": "$.db"}},
                           "ResultPath": None, "Next": "Get"},
                "Get": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:glue:getDatabase",
                        "Parameters": {"Name.$": "$.db"}, "ResultSelector": {"name.$": "$.Database.Name"},
                        "Next": "Missing"},
                "Missing": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:glue:getTable",
                            "Parameters": {"DatabaseName.$": "$.name", "Name": "nope"},
                            "Catch": [{"ErrorEquals": ["Glue.EntityNotFoundException"],
                                       "ResultPath": "$.error", "Next": "Done"}],
                            "End": True},
                "Done": {"Type": "Pass", "End": True}}}
        arn = sfn.create_state_machine(name="glue-sdk", definition=json.dumps(definition),
                                       roleArn="arn:aws:iam::000000000000:role/r")["stateMachineArn"]
        execution = sfn.start_execution(stateMachineArn=arn,
                                        input='{"db": "From_Workflow"}')["executionArn"]
        for _ in range(300):
            d = sfn.describe_execution(executionArn=execution)
            if d["status"] != "RUNNING":
                break
            time.sleep(0.02)
        self.assertEqual(d["status"], "SUCCEEDED", d)
        out = json.loads(d["output"])
        self.assertEqual(out["name"], "from_workflow")
        self.assertEqual(out["error"]["Error"], "Glue.EntityNotFoundException")
        self.assertEqual(self.glue.get_database(Name="from_workflow")["Database"]["Name"],
                         "from_workflow")

    def test_partition_indexes(self):
        self.glue.create_database(DatabaseInput={"Name": "indexed"})
        self.glue.create_table(
            DatabaseName="indexed",
            TableInput=dict(table_input("events"), PartitionKeys=[
                {"Name": "year", "Type": "string"}, {"Name": "month", "Type": "int"},
                {"Name": "weight", "Type": "double"}]),
            PartitionIndexes=[{"IndexName": "by_year", "Keys": ["year"]}])
        self.glue.create_partition_index(
            DatabaseName="indexed", TableName="events",
            PartitionIndex={"IndexName": "by_year_month", "Keys": ["year", "month"]})
        got = self.glue.get_partition_indexes(DatabaseName="indexed", TableName="events")
        self.assertEqual(got["PartitionIndexDescriptorList"], [
            {"IndexName": "by_year", "Keys": [{"Name": "year", "Type": "string"}],
             "IndexStatus": "ACTIVE"},
            {"IndexName": "by_year_month", "Keys": [{"Name": "year", "Type": "string"},
                                                    {"Name": "month", "Type": "int"}],
             "IndexStatus": "ACTIVE"}])
        # GetTable does not carry them: they are their own resource.
        self.assertNotIn("PartitionIndexes",
                         self.glue.get_table(DatabaseName="indexed", Name="events")["Table"])

        def create(name, keys, table="events"):
            return self.glue.create_partition_index(
                DatabaseName="indexed", TableName=table,
                PartitionIndex={"IndexName": name, "Keys": keys})
        self.assertError("AlreadyExistsException", create, name="by_year", keys=["month"])
        self.assertIn("not a partition key",
                      self.assertError("InvalidInputException", create, name="x", keys=["day"]))
        self.assertIn("double", self.assertError("InvalidInputException", create, name="x",
                                                 keys=["weight"]))
        self.assertError("EntityNotFoundException", create, name="x", keys=["year"],
                         table="missing")
        create("by_month", ["month"])
        self.assertError("ResourceNumberLimitExceededException", create, name="fourth",
                         keys=["year"])
        self.glue.delete_partition_index(DatabaseName="indexed", TableName="events",
                                         IndexName="by_year")
        names = [d["IndexName"] for d in self.glue.get_partition_indexes(
            DatabaseName="indexed", TableName="events")["PartitionIndexDescriptorList"]]
        self.assertEqual(names, ["by_year_month", "by_month"])
        self.assertError("EntityNotFoundException", self.glue.delete_partition_index,
                         DatabaseName="indexed", TableName="events", IndexName="by_year")
        # A bad index refuses the whole CreateTable; nothing is left behind.
        self.assertError("InvalidInputException", self.glue.create_table,
                         DatabaseName="indexed", TableInput=table_input("refused"),
                         PartitionIndexes=[{"IndexName": "i", "Keys": ["nope"]}])
        self.assertError("EntityNotFoundException", self.glue.get_table,
                         DatabaseName="indexed", Name="refused")
        # A table made again under a deleted one's name starts without indexes.
        self.glue.delete_table(DatabaseName="indexed", Name="events")
        self.glue.create_table(DatabaseName="indexed", TableInput=table_input("events"))
        self.assertEqual(self.glue.get_partition_indexes(
            DatabaseName="indexed", TableName="events")["PartitionIndexDescriptorList"], [])
        # So does one in a database made again under a deleted one's name.
        create("again", ["year"])
        self.glue.delete_database(Name="indexed")
        self.glue.create_database(DatabaseInput={"Name": "indexed"})
        self.glue.create_table(DatabaseName="indexed", TableInput=table_input("events"))
        self.assertEqual(self.glue.get_partition_indexes(
            DatabaseName="indexed", TableName="events")["PartitionIndexDescriptorList"], [])

    def test_tags(self):
        arn = "arn:aws:glue:us-east-1:000000000000:"
        self.glue.create_database(DatabaseInput={"Name": "tagged"}, Tags={"team": "data"})
        self.assertEqual(self.glue.get_tags(ResourceArn=arn + "database/tagged")["Tags"],
                         {"team": "data"})
        self.glue.create_table(DatabaseName="tagged", TableInput=table_input("t", ()))
        self.glue.tag_resource(ResourceArn=arn + "table/tagged/t",
                               TagsToAdd={"a": "1", "b": "2"})
        self.glue.untag_resource(ResourceArn=arn + "table/tagged/t", TagsToRemove=["a"])
        self.assertEqual(self.glue.get_tags(ResourceArn=arn + "table/tagged/t")["Tags"],
                         {"b": "2"})
        self.assertError("EntityNotFoundException", self.glue.get_tags,
                         ResourceArn=arn + "table/tagged/missing")
        self.assertError("EntityNotFoundException", self.glue.get_tags,
                         ResourceArn="arn:aws:glue:us-east-1:000000000000:crawler/c")
        self.assertError("InvalidInputException", self.glue.get_tags,
                         ResourceArn="arn:aws:glue:us-east-1:000000000000:connection/c")
        self.assertError("InvalidInputException", self.glue.tag_resource,
                         ResourceArn=arn + "database/tagged",
                         TagsToAdd={f"k{i}": "v" for i in range(50)})
        self.glue.delete_database(Name="tagged")
        self.glue.create_database(DatabaseInput={"Name": "tagged"})
        self.assertEqual(self.glue.get_tags(ResourceArn=arn + "database/tagged")["Tags"], {})

    def test_cli(self):
        _, _, _ = aws(self.server, "glue", "create-database", "--database-input",
                      '{"Name": "cli_db"}')
        _, out, _ = aws(self.server, "glue", "get-databases")
        self.assertIn("cli_db", [d["Name"] for d in out["DatabaseList"]])
        code, _, err = aws(self.server, "glue", "get-table", "--database-name", "cli_db",
                           "--name", "nope", check=False)
        self.assertNotEqual(code, 0)
        self.assertIn("EntityNotFoundException", err)


class SearchTablesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = SluiceServer().start()
        cls.glue = cls.server.client("glue")
        for db in ("sales", "ops"):
            cls.glue.create_database(DatabaseInput={"Name": db})
        for db, name, desc, cols in (
                ("sales", "daily-orders", "orders per day", ["order_id", "amount"]),
                ("sales", "customers", "who buys", ["customer_id", "email"]),
                ("ops", "order_audit", "audit trail", ["event", "actor"])):
            cls.glue.create_table(DatabaseName=db, TableInput={
                "Name": name, "Description": desc, "Parameters": {"classification": "json"},
                "StorageDescriptor": {"Columns": [{"Name": c, "Type": "string"} for c in cols],
                                      "Location": f"s3://lake/{db}/{name}/"}})

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def names(self, **kwargs):
        return [(t["DatabaseName"], t["Name"]) for t in self.glue.search_tables(**kwargs)["TableList"]]

    def test_filters_text_sorting_and_paging(self):
        self.assertEqual(len(self.names()), 3)
        # Tokens of the name: "daily-orders" matches "orders", not "order".
        self.assertEqual(self.names(Filters=[{"Key": "Name", "Value": "orders"}]),
                         [("sales", "daily-orders")])
        self.assertEqual(self.names(Filters=[{"Key": "DatabaseName", "Value": "sales"}],
                                    SortCriteria=[{"FieldName": "Name", "Sort": "DESC"}]),
                         [("sales", "daily-orders"), ("sales", "customers")])
        # Text anywhere: names, descriptions, columns.
        self.assertEqual(sorted(self.names(SearchText="order")),
                         [("ops", "order_audit"), ("sales", "daily-orders")])
        self.assertEqual(self.names(SearchText="email"), [("sales", "customers")])
        self.assertEqual(self.names(SearchText='"audit"'), [])
        self.assertEqual(self.names(SearchText='"audit trail"'), [("ops", "order_audit")])
        self.assertEqual(self.names(Filters=[{"Key": "CreateTime", "Value": "0",
                                              "Comparator": "LESS_THAN"}]), [])
        self.assertEqual(len(self.names(Filters=[{"Key": "CreateTime", "Value": "0",
                                                  "Comparator": "GREATER_THAN"}])), 3)
        first = self.glue.search_tables(MaxResults=2)
        self.assertEqual(len(first["TableList"]), 2)
        rest = self.glue.search_tables(MaxResults=2, NextToken=first["NextToken"])
        self.assertEqual(len(rest["TableList"]), 1)
        self.assertNotIn("NextToken", rest)
        with self.assertRaises(ClientError) as cm:
            self.glue.search_tables(Filters=[{"Key": "UpdateTime", "Value": "yesterday",
                                              "Comparator": "LESS_THAN"}])
        self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidInputException")


class CatalogDurabilityTest(unittest.TestCase):
    def test_catalog_survives_kill_9(self):
        server = SluiceServer().start()
        try:
            glue = server.client("glue")
            glue.create_database(DatabaseInput={"Name": "keep"}, Tags={"k": "v"})
            glue.create_table(DatabaseName="keep", TableInput=table_input("events"),
                              PartitionIndexes=[{"IndexName": "ym", "Keys": ["year", "month"]}])
            glue.batch_create_partition(DatabaseName="keep", TableName="events",
                                        PartitionInputList=[partition("2024", "01"),
                                                            partition("2024", "02")])
            server.stop(signal.SIGKILL)
            server.start()
            glue = server.client("glue")
            self.assertEqual(glue.get_table(DatabaseName="keep", Name="events")["Table"]["Name"],
                             "events")
            values = [p["Values"] for p in glue.get_partitions(
                DatabaseName="keep", TableName="events")["Partitions"]]
            self.assertEqual(values, [["2024", "01"], ["2024", "02"]])
            self.assertEqual([d["IndexName"] for d in glue.get_partition_indexes(
                DatabaseName="keep", TableName="events")["PartitionIndexDescriptorList"]], ["ym"])
            self.assertEqual(glue.get_tags(
                ResourceArn="arn:aws:glue:us-east-1:000000000000:database/keep")["Tags"],
                {"k": "v"})
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main()
