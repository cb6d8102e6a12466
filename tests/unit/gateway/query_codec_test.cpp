// The query protocol's decoding and XML encoding, driven by the embedded
// SQS and SNS models; expected wire names from AWS's query API references.
#include <gtest/gtest.h>

#include "gateway/query_codec.hpp"
#include "gateway/xml_writer.hpp"

namespace sluice::gateway {
namespace {

using services::model::ServiceModel;

Json decode(std::string_view service, std::string_view op, std::string_view form) {
  const auto* model = ServiceModel::get(service);
  QueryParams params;
  parseFormInto(form, params);
  auto r = decodeQueryInput(*model->operation(op)->input, params);
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  return r ? *r : Json();
}

TEST(QueryCodec, FormDecoding) {
  QueryParams p;
  parseFormInto("a=1+2&b=%3C%26%3E&c&d=x%zz", p);
  EXPECT_EQ(p["a"], "1 2");
  EXPECT_EQ(p["b"], "<&>");
  EXPECT_EQ(p["c"], "");
  EXPECT_EQ(p["d"], "x%zz");
}

TEST(QueryCodec, SqsFlattenedMapsListsAndNumbers) {
  Json in =
      decode("sqs", "CreateQueue",
             "QueueName=q&Attribute.1.Name=VisibilityTimeout&Attribute.1.Value=45&"
             "Attribute.2.Name=DelaySeconds&Attribute.2.Value=5&Tag.1.Key=team&Tag.1.Value=lake");
  EXPECT_EQ(
      toJsonText(in),
      R"({"QueueName":"q","Attributes":{"VisibilityTimeout":"45","DelaySeconds":"5"},"tags":{"team":"lake"}})");
  Json recv = decode("sqs", "ReceiveMessage",
                     "QueueUrl=u&AttributeName.1=All&MessageAttributeName.1=a&"
                     "MessageAttributeName.2=b&MaxNumberOfMessages=10");
  EXPECT_EQ(
      toJsonText(recv),
      R"({"QueueUrl":"u","AttributeNames":["All"],"MessageAttributeNames":["a","b"],"MaxNumberOfMessages":10})");
}

TEST(QueryCodec, SqsNestedStructuresInFlattenedLists) {
  Json in =
      decode("sqs", "SendMessageBatch",
             "QueueUrl=u&SendMessageBatchRequestEntry.1.Id=a&"
             "SendMessageBatchRequestEntry.1.MessageBody=x&"
             "SendMessageBatchRequestEntry.1.MessageAttribute.1.Name=k&"
             "SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType=String&"
             "SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue=v&"
             "SendMessageBatchRequestEntry.2.Id=b&SendMessageBatchRequestEntry.2.MessageBody=y");
  EXPECT_EQ(
      toJsonText(in),
      R"({"QueueUrl":"u","Entries":[{"Id":"a","MessageBody":"x","MessageAttributes":{"k":{"StringValue":"v","DataType":"String"}}},{"Id":"b","MessageBody":"y"}]})");
}

TEST(QueryCodec, SnsWrappedListsAndEntryMaps) {
  Json in = decode("sns", "CreateTopic",
                   "Name=t&Attributes.entry.1.key=FifoTopic&Attributes.entry.1.value=true&"
                   "Tags.member.1.Key=k&Tags.member.1.Value=v");
  EXPECT_EQ(toJsonText(in),
            R"({"Name":"t","Attributes":{"FifoTopic":"true"},"Tags":[{"Key":"k","Value":"v"}]})");
  Json pub = decode("sns", "Publish",
                    "TopicArn=a&Message=m&MessageAttributes.entry.1.Name=n&"
                    "MessageAttributes.entry.1.Value.DataType=Number&"
                    "MessageAttributes.entry.1.Value.StringValue=1");
  EXPECT_EQ(
      toJsonText(pub),
      R"({"TopicArn":"a","Message":"m","MessageAttributes":{"n":{"DataType":"Number","StringValue":"1"}}})");
}

TEST(QueryCodec, BadNumbersAndBooleansAreInvalidParameterValues) {
  const auto* model = ServiceModel::get("sqs");
  QueryParams p;
  parseFormInto("QueueUrl=u&MaxNumberOfMessages=ten", p);
  auto r = decodeQueryInput(*model->operation("ReceiveMessage")->input, p);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "InvalidParameterValue");
  EXPECT_EQ(r.error().message, "Value (ten) for parameter MaxNumberOfMessages is invalid.");
}

TEST(QueryCodec, EncodesFlattenedAndWrappedShapes) {
  const auto* sqs = ServiceModel::get("sqs");
  XmlWriter xml;
  xml.open("R");
  encodeQueryMembers(xml, *sqs->operation("GetQueueAttributes")->output,
                     parseJson(R"({"Attributes":{"QueueArn":"a&b"}})").value());
  EXPECT_EQ(xml.finish(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<R><Attribute><Name>QueueArn</Name>"
            "<Value>a&amp;b</Value></Attribute></R>");
  const auto* sns = ServiceModel::get("sns");
  XmlWriter topics;
  topics.open("R");
  encodeQueryMembers(topics, *sns->operation("ListTopics")->output,
                     parseJson(R"({"Topics":[{"TopicArn":"t1"},{"TopicArn":"t2"}]})").value());
  EXPECT_EQ(topics.finish(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<R><Topics><member><TopicArn>t1</TopicArn>"
            "</member><member><TopicArn>t2</TopicArn></member></Topics></R>");
}

TEST(XmlWriter, EscapesEverythingXmlNeedsInQueryResponses) {
  std::string out;
  XmlWriter::appendEscaped(out, "<a href=\"x\">'&'</a>\r\n\t", false);
  // A carriage return is a reference, or a parser would turn it into \n.
  EXPECT_EQ(out, "&lt;a href=\"x\"&gt;'&amp;'&lt;/a&gt;&#13;\n\t");
  out.clear();
  XmlWriter::appendEscaped(out, std::string("\x01", 1), false);
  EXPECT_EQ(out, "&#1;");
}

TEST(QueryCompatibility, SqsErrorCodesForTheQueryWire) {
  const auto* sqs = ServiceModel::get("sqs");
  EXPECT_EQ(sqs->shape("QueueDoesNotExist")->errorCode, "AWS.SimpleQueueService.NonExistentQueue");
  EXPECT_EQ(sqs->shape("QueueNameExists")->errorCode, "QueueAlreadyExists");
  EXPECT_EQ(sqs->shape("ReceiptHandleIsInvalid")->errorCode, "ReceiptHandleIsInvalid");
  EXPECT_EQ(sqs->metadata().xmlNamespace, "http://queue.amazonaws.com/doc/2012-11-05/");
}

}  // namespace
}  // namespace sluice::gateway
