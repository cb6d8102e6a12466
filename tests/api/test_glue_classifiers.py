"""Glue custom classifiers through boto3: CreateClassifier / Get / GetClassifiers /
Update / Delete and their errors, and crawls that apply them before the built-in
classifiers — a JSON classifier with "$[*]" reading the elements of top-level
arrays as records, a CSV classifier with its own delimiter and column names —
checked through the catalogue and Athena."""
import gzip
import json
import unittest

from botocore.exceptions import ClientError

from sluice_server import SluiceServer
from test_glue_crawlers import ROLE, wait_ready


class ClassifierTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = SluiceServer().start()
        cls.glue = cls.server.client("glue")
        cls.s3 = cls.server.client("s3")
        for b in ("lake", "results"):
            cls.s3.create_bucket(Bucket=b)

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def assertError(self, code, fn, **kwargs):
        with self.assertRaises(ClientError) as cm:
            fn(**kwargs)
        self.assertEqual(cm.exception.response["Error"]["Code"], code, cm.exception.response)
        return cm.exception.response["Error"]["Message"]

    def columns(self, db, table):
        t = self.glue.get_table(DatabaseName=db, Name=table)["Table"]
        return [c["Name"] for c in t["StorageDescriptor"]["Columns"]]

    def count(self, db, table):
        athena = self.server.client("athena")
        qid = athena.start_query_execution(
            QueryString=f"SELECT count(*) FROM {table}", QueryExecutionContext={"Database": db},
            ResultConfiguration={"OutputLocation": "s3://results/q/"})["QueryExecutionId"]
        self.server.idle()
        status = athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]["Status"]
        self.assertEqual(status["State"], "SUCCEEDED", status)
        rows = athena.get_query_results(QueryExecutionId=qid)["ResultSet"]["Rows"]
        return int(rows[1]["Data"][0]["VarCharValue"])

    def test_crud_and_errors(self):
        self.glue.create_classifier(JsonClassifier={"Name": "records", "JsonPath": "$[*]"})
        self.glue.create_classifier(CsvClassifier={"Name": "hash-csv", "Delimiter": "#",
                                                   "ContainsHeader": "ABSENT"})
        self.glue.create_classifier(GrokClassifier={"Name": "logs", "Classification": "weblog",
                                                    "GrokPattern": "%{COMBINEDAPACHELOG}"})
        c = self.glue.get_classifier(Name="hash-csv")["Classifier"]["CsvClassifier"]
        self.assertEqual((c["Name"], c["Delimiter"], c["ContainsHeader"], c["QuoteSymbol"],
                          c["Version"]), ("hash-csv", "#", "ABSENT", '"', 1))
        names = [next(iter(x.values()))["Name"] for x in
                 self.glue.get_classifiers()["Classifiers"]]
        self.assertEqual(names, ["hash-csv", "logs", "records"])
        self.glue.update_classifier(CsvClassifier={"Name": "hash-csv", "Delimiter": ";"})
        c = self.glue.get_classifier(Name="hash-csv")["Classifier"]["CsvClassifier"]
        self.assertEqual((c["Delimiter"], c["Version"]), (";", 2))
        self.assertError("AlreadyExistsException", self.glue.create_classifier,
                         JsonClassifier={"Name": "records", "JsonPath": "$[*]"})
        self.assertError("InvalidInputException", self.glue.update_classifier,
                         JsonClassifier={"Name": "hash-csv", "JsonPath": "$[*]"})
        self.assertError("ValidationException", self.glue.create_classifier,
                         CsvClassifier={"Name": "bad", "ContainsHeader": "MAYBE"})
        self.assertError("ValidationException", self.glue.create_classifier,
                         CsvClassifier={"Name": "bad", "Delimiter": "##"})
        self.assertError("InvalidInputException", self.glue.create_classifier,
                         CsvClassifier={"Name": "two"},
                         JsonClassifier={"Name": "two", "JsonPath": "$[*]"})
        self.assertError("EntityNotFoundException", self.glue.get_classifier, Name="nope")
        self.assertError("EntityNotFoundException", self.glue.create_crawler, Name="c", Role=ROLE,
                         DatabaseName="d", Classifiers=["nope"],
                         Targets={"S3Targets": [{"Path": "s3://lake/x/"}]})
        self.glue.delete_classifier(Name="logs")
        self.assertError("EntityNotFoundException", self.glue.delete_classifier, Name="logs")

    def test_json_classifier_reads_array_elements_as_records(self):
        people = [{"id": i, "name": f"p{i}", "team": "a" if i % 2 else "b"} for i in range(7)]
        self.s3.put_object(Bucket="lake", Key="api/people/people.json",
                           Body=json.dumps(people).encode())
        targets = {"S3Targets": [{"Path": "s3://lake/api/people/"}]}
        # Built in: a top-level array is one record with one column.
        self.glue.create_crawler(Name="plain", Role=ROLE, DatabaseName="plain", Targets=targets)
        self.glue.start_crawler(Name="plain")
        wait_ready(self.server, "plain")
        self.assertEqual(self.columns("plain", "people"), ["array"])
        self.glue.create_classifier(JsonClassifier={"Name": "elements", "JsonPath": "$[*]"})
        self.glue.create_crawler(Name="elements", Role=ROLE, DatabaseName="elements",
                                 Targets=targets, Classifiers=["elements"])
        self.assertEqual(self.glue.get_crawler(Name="elements")["Crawler"]["Classifiers"],
                         ["elements"])
        self.glue.start_crawler(Name="elements")
        wait_ready(self.server, "elements")
        self.assertEqual(self.columns("elements", "people"), ["id", "name", "team"])
        self.assertEqual(self.count("elements", "people"), 7)

    def test_json_classifier_paths_into_documents(self):
        # API responses saved as files: the records are nested in each document.
        pages = [{"page": n, "data": {"items": [{"id": n * 10 + i, "sku": f"s{n}{i}",
                                                 "price": 1.5 * i} for i in range(n + 2)]}}
                 for n in range(3)]
        for n, page in enumerate(pages):
            self.s3.put_object(Bucket="lake", Key=f"api/orders/dt=2024-0{n + 1}-01/page.json",
                               Body=json.dumps(page, indent=2).encode())
        batches = [[{"batch": b, "rows": [{"k": b * 100 + r} for r in range(b + 1)]}]
                   for b in range(2)]
        for b, batch in enumerate(batches):
            self.s3.put_object(Bucket="lake", Key=f"api/batches/b{b}.json",
                               Body=json.dumps(batch).encode())
        self.s3.put_object(Bucket="lake", Key="api/meta/m.json", Body=json.dumps(
            {"meta": {"source": "crm", "version": 3}, "ignored": [1, 2]}).encode())
        self.glue.create_classifier(JsonClassifier={"Name": "nested-items",
                                                    "JsonPath": "$.data.items[*]"})
        self.glue.create_classifier(JsonClassifier={"Name": "nested-rows",
                                                    "JsonPath": "$[*].rows[*]"})
        self.glue.create_classifier(JsonClassifier={"Name": "nested-meta",
                                                    "JsonPath": "$['meta']"})
        for name, folder in (("items", "orders"), ("rows", "batches"), ("meta", "meta")):
            self.glue.create_crawler(Name=f"path-{name}", Role=ROLE, DatabaseName="paths",
                                     Classifiers=[f"nested-{name}"],
                                     Targets={"S3Targets": [{"Path": f"s3://lake/api/{folder}/"}]})
            self.glue.start_crawler(Name=f"path-{name}")
            wait_ready(self.server, f"path-{name}")
        orders = self.glue.get_table(DatabaseName="paths", Name="orders")["Table"]
        self.assertEqual([(c["Name"], c["Type"]) for c in orders["StorageDescriptor"]["Columns"]],
                         [("id", "int"), ("sku", "string"), ("price", "double")])
        self.assertEqual(orders["Parameters"]["jsonPath"], "$.data.items[*]")
        self.assertEqual(orders["Parameters"]["classification"], "json")
        self.assertEqual([k["Name"] for k in orders["PartitionKeys"]], ["dt"])
        self.assertEqual(orders["Parameters"]["recordCount"], "9")  # 2 + 3 + 4 items
        self.assertEqual(self.count("paths", "orders"), 9)
        self.assertEqual(self.columns("paths", "batches"), ["k"])
        self.assertEqual(self.count("paths", "batches"), 3)
        self.assertEqual(self.columns("paths", "meta"), ["source", "version"])
        self.assertEqual(self.count("paths", "meta"), 1)
        # A path that does not fit the document's top level does not match:
        # the built-in classifier makes the table.
        self.glue.create_classifier(JsonClassifier={"Name": "nested-wrong",
                                                    "JsonPath": "$[*].data"})
        self.glue.create_crawler(Name="path-wrong", Role=ROLE, DatabaseName="wrong",
                                 Classifiers=["nested-wrong"],
                                 Targets={"S3Targets": [{"Path": "s3://lake/api/meta/"}]})
        self.glue.start_crawler(Name="path-wrong")
        wait_ready(self.server, "path-wrong")
        meta = self.glue.get_table(DatabaseName="wrong", Name="meta")["Table"]
        self.assertEqual([c["Name"] for c in meta["StorageDescriptor"]["Columns"]],
                         ["meta", "ignored"])
        self.assertNotIn("jsonPath", meta["Parameters"])

    def test_csv_classifier_with_its_delimiter_and_names(self):
        lines = "".join(f"{i}#item {i}#{i * 2.5}\n" for i in range(12))
        self.s3.put_object(Bucket="lake", Key="hash/items/items.txt", Body=lines.encode())
        self.glue.create_classifier(CsvClassifier={
            "Name": "items", "Delimiter": "#", "ContainsHeader": "ABSENT",
            "Header": ["item_id", "label", "price"]})
        self.glue.create_crawler(Name="items", Role=ROLE, DatabaseName="shop",
                                 Targets={"S3Targets": [{"Path": "s3://lake/hash/items/"}]},
                                 Classifiers=["items"])
        self.glue.start_crawler(Name="items")
        wait_ready(self.server, "items")
        self.assertEqual(self.columns("shop", "items"), ["item_id", "label", "price"])
        t = self.glue.get_table(DatabaseName="shop", Name="items")["Table"]
        self.assertEqual(t["Parameters"]["classification"], "csv")
        self.assertEqual(self.count("shop", "items"), 12)

    def test_csv_classifier_reads_gzip_files(self):
        # Pipe-delimited: no built-in classifier takes it, so only the custom
        # one, shown the inflated bytes, can.
        for part in range(2):
            lines = "".join(f"{part}|{i}|name {i}\n" for i in range(7))
            self.s3.put_object(Bucket="lake", Key=f"pipes/rows/part-{part}.txt.gz",
                               Body=gzip.compress(lines.encode()))
        self.glue.create_classifier(CsvClassifier={
            "Name": "pipes", "Delimiter": "|", "ContainsHeader": "ABSENT",
            "Header": ["part", "n", "label"]})
        self.glue.create_crawler(Name="pipes", Role=ROLE, DatabaseName="pipes",
                                 Targets={"S3Targets": [{"Path": "s3://lake/pipes/rows/"}]},
                                 Classifiers=["pipes"])
        self.glue.start_crawler(Name="pipes")
        wait_ready(self.server, "pipes")
        crawler = self.glue.get_crawler(Name="pipes")["Crawler"]
        self.assertEqual(crawler["LastCrawl"]["Status"], "SUCCEEDED", crawler)
        t = self.glue.get_table(DatabaseName="pipes", Name="rows")["Table"]
        self.assertEqual(self.columns("pipes", "rows"), ["part", "n", "label"])
        self.assertEqual(t["Parameters"]["compressionType"], "gzip")
        self.assertEqual(self.count("pipes", "rows"), 14)


if __name__ == "__main__":
    unittest.main()
