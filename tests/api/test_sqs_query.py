"""SQS over the query protocol (form parameters in, XML out), as older SDKs
speak it: raw SigV4-signed requests, and boto3 driven by the 2012-11-05
query-protocol model when one is on the machine (older botocore copies)."""
import os
import tempfile
import shutil
import unittest
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import boto3
import botocore.session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from sluice_server import ACCOUNT, REGION, SluiceServer
from sqs_md5 import md5_of_attributes, md5_of_body

NS = {"q": "http://queue.amazonaws.com/doc/2012-11-05/"}
OLD_MODEL = "/usr/lib/google-cloud-sdk/lib/third_party/botocore/data/sqs/2012-11-05/service-2.json"


def signed(endpoint, params, method="POST", path="/", secret="test", key="test"):
    """Sends a SigV4-signed query request; returns (status, parsed XML root)."""
    body = urllib.parse.urlencode(params)
    url = endpoint + path
    if method == "GET":
        url += "?" + body
        body = None
    req = AWSRequest(method=method, url=url, data=body,
                     headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"} if body else {})
    SigV4Auth(Credentials(key, secret), "sqs", REGION).add_auth(req)
    r = urllib.request.Request(url, data=body.encode() if body else None, method=method,
                               headers=dict(req.headers))
    try:
        with urllib.request.urlopen(r, timeout=30) as resp:
            return resp.status, ET.fromstring(resp.read())
    except urllib.error.HTTPError as e:
        return e.code, ET.fromstring(e.read())


class SqsQueryProtocolTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = SluiceServer().start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def call(self, action, method="POST", path="/", **params):
        return signed(self.server.endpoint, {"Action": action, "Version": "2012-11-05", **params},
                      method=method, path=path)

    def test_create_send_receive_with_members_and_escaping(self):
        status, root = self.call("CreateQueue", QueueName="query-q",
                                 **{"Attribute.1.Name": "VisibilityTimeout", "Attribute.1.Value": "45",
                                    "Tag.1.Key": "team", "Tag.1.Value": "lake"})
        self.assertEqual(status, 200)
        self.assertEqual(root.tag, "{%s}CreateQueueResponse" % NS["q"])
        url = root.find("q:CreateQueueResult/q:QueueUrl", NS).text
        self.assertTrue(url.endswith(f"/{ACCOUNT}/query-q"))
        self.assertTrue(root.find("q:ResponseMetadata/q:RequestId", NS).text)

        status, root = self.call("GetQueueAttributes", QueueUrl=url, **{"AttributeName.1": "VisibilityTimeout",
                                                                         "AttributeName.2": "QueueArn"})
        attrs = {a.find("q:Name", NS).text: a.find("q:Value", NS).text
                 for a in root.findall("q:GetQueueAttributesResult/q:Attribute", NS)}
        self.assertEqual(attrs, {"VisibilityTimeout": "45", "QueueArn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:query-q"})

        body = "<tag attr=\"1\">a & b 'c'</tag>\r\nline"
        status, root = self.call("SendMessage", QueueUrl=url, MessageBody=body,
                                 **{"MessageAttribute.1.Name": "k",
                                    "MessageAttribute.1.Value.DataType": "String",
                                    "MessageAttribute.1.Value.StringValue": "v&<>"})
        self.assertEqual(status, 200)
        result = root.find("q:SendMessageResult", NS)
        self.assertEqual(result.find("q:MD5OfMessageBody", NS).text, md5_of_body(body))
        self.assertEqual(result.find("q:MD5OfMessageAttributes", NS).text,
                         md5_of_attributes({"k": {"DataType": "String", "StringValue": "v&<>"}}))

        status, root = self.call("ReceiveMessage", QueueUrl=url, **{"MessageAttributeName.1": "All"})
        msg = root.find("q:ReceiveMessageResult/q:Message", NS)
        self.assertEqual(msg.find("q:Body", NS).text, body)
        attr = msg.find("q:MessageAttribute", NS)
        self.assertEqual(attr.find("q:Name", NS).text, "k")
        self.assertEqual(attr.find("q:Value/q:StringValue", NS).text, "v&<>")
        self.assertEqual(attr.find("q:Value/q:DataType", NS).text, "String")

        status, root = self.call("ListQueueTags", QueueUrl=url)
        tags = {t.find("q:Key", NS).text: t.find("q:Value", NS).text
                for t in root.findall("q:ListQueueTagsResult/q:Tag", NS)}
        self.assertEqual(tags, {"team": "lake"})

    def test_get_with_query_string_and_queue_url_as_path(self):
        self.call("CreateQueue", QueueName="query-get")
        status, root = self.call("GetQueueUrl", method="GET", QueueName="query-get")
        self.assertEqual(status, 200)
        self.assertTrue(root.find("q:GetQueueUrlResult/q:QueueUrl", NS).text.endswith("/query-get"))
        # Older SDKs post to the queue URL itself, without a QueueUrl parameter.
        status, root = self.call("SendMessage", path=f"/{ACCOUNT}/query-get", MessageBody="by path")
        self.assertEqual(status, 200)
        status, root = self.call("ReceiveMessage", path=f"/{ACCOUNT}/query-get")
        self.assertEqual(root.find("q:ReceiveMessageResult/q:Message/q:Body", NS).text, "by path")

    def test_batch_entries(self):
        _, root = self.call("CreateQueue", QueueName="query-batch")
        url = root.find("q:CreateQueueResult/q:QueueUrl", NS).text
        status, root = self.call("SendMessageBatch", QueueUrl=url, **{
            "SendMessageBatchRequestEntry.1.Id": "one", "SendMessageBatchRequestEntry.1.MessageBody": "1",
            "SendMessageBatchRequestEntry.2.Id": "two", "SendMessageBatchRequestEntry.2.MessageBody": "2",
            "SendMessageBatchRequestEntry.2.DelaySeconds": "5000"})
        self.assertEqual(status, 200)
        ok = [e.find("q:Id", NS).text for e in root.findall("q:SendMessageBatchResult/q:SendMessageBatchResultEntry", NS)]
        failed = root.findall("q:SendMessageBatchResult/q:BatchResultErrorEntry", NS)
        self.assertEqual(ok, ["one"])
        self.assertEqual(failed[0].find("q:Id", NS).text, "two")
        self.assertEqual(failed[0].find("q:SenderFault", NS).text, "true")

    def test_errors_are_xml(self):
        status, root = self.call("GetQueueUrl", QueueName="no-such-queue")
        self.assertEqual(status, 400)
        self.assertEqual(root.tag, "{%s}ErrorResponse" % NS["q"])
        self.assertEqual(root.find("q:Error/q:Type", NS).text, "Sender")
        self.assertEqual(root.find("q:Error/q:Code", NS).text, "AWS.SimpleQueueService.NonExistentQueue")
        self.assertEqual(root.find("q:Error/q:Message", NS).text, "The specified queue does not exist.")
        self.assertTrue(root.find("q:RequestId", NS).text)
        status, root = self.call("NoSuchAction")
        self.assertEqual(status, 400)
        self.assertEqual(root.find("q:Error/q:Code", NS).text, "InvalidAction")
        status, root = self.call("ReceiveMessage", QueueUrl="x", MaxNumberOfMessages="ten")
        self.assertEqual(status, 400)
        self.assertEqual(root.find("q:Error/q:Code", NS).text, "InvalidParameterValue")


class SqsQuerySignatureTest(unittest.TestCase):
    def test_bad_signature_gets_a_query_error(self):
        server = SluiceServer(env={"SLUICE_ACCESS_KEY_ID": "AKIDSLUICE", "SLUICE_SECRET_ACCESS_KEY": "s3cr3t"}).start()
        try:
            params = {"Action": "ListQueues", "Version": "2012-11-05"}
            status, root = signed(server.endpoint, params, key="AKIDSLUICE", secret="wrong")
            self.assertEqual(status, 403)
            self.assertEqual(root.find("Error/Code").text, "SignatureDoesNotMatch")
            self.assertEqual(root.find("Error/Type").text, "Sender")
            status, root = signed(server.endpoint, params, key="AKIDSLUICE", secret="s3cr3t")
            self.assertEqual(status, 200)
        finally:
            server.cleanup()


@unittest.skipUnless(os.path.exists(OLD_MODEL), "no query-protocol SQS model on this machine")
class SqsOldSdkTest(unittest.TestCase):
    """boto3 with SQS's query-protocol model: a real SDK's serializer and XML parser."""

    @classmethod
    def setUpClass(cls):
        cls.server = SluiceServer().start()
        cls.models = tempfile.mkdtemp(prefix="sqs-query-model-")
        os.makedirs(os.path.join(cls.models, "sqs", "2012-11-05"))
        shutil.copy(OLD_MODEL, os.path.join(cls.models, "sqs", "2012-11-05", "service-2.json"))
        session = botocore.session.get_session()
        session.set_config_variable("data_path", cls.models)
        cls.sqs = boto3.Session(botocore_session=session).client(
            "sqs", endpoint_url=cls.server.endpoint, region_name=REGION,
            aws_access_key_id="test", aws_secret_access_key="test")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        shutil.rmtree(cls.models, ignore_errors=True)

    def test_round_trip(self):
        self.assertEqual(self.sqs.meta.service_model.protocol, "query")
        url = self.sqs.create_queue(QueueName="old-sdk.fifo", Attributes={"FifoQueue": "true",
                                                                           "ContentBasedDeduplication": "true"})["QueueUrl"]
        attributes = {"bin": {"DataType": "Binary", "BinaryValue": b"\x01\x02"},
                      "txt": {"DataType": "String", "StringValue": "x"}}
        sent = self.sqs.send_message(QueueUrl=url, MessageBody="old", MessageGroupId="g",
                                     MessageAttributes=attributes)
        self.assertEqual(sent["MD5OfMessageAttributes"], md5_of_attributes(attributes))
        self.assertTrue(sent["SequenceNumber"].isdigit())
        got = self.sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"],
                                       AttributeNames=["All"])["Messages"][0]
        self.assertEqual(got["MessageAttributes"], attributes)
        self.assertEqual(got["Attributes"]["MessageGroupId"], "g")
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=got["ReceiptHandle"])
        with self.assertRaises(self.sqs.exceptions.QueueDoesNotExist):
            self.sqs.get_queue_url(QueueName="absent")
        with self.assertRaises(self.sqs.exceptions.QueueNameExists):
            self.sqs.create_queue(QueueName="old-sdk.fifo", Attributes={"FifoQueue": "true",
                                                                        "ContentBasedDeduplication": "false"})


if __name__ == "__main__":
    unittest.main()
