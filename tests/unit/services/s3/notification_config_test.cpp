#include "services/s3/notification_config.hpp"

#include <gtest/gtest.h>

#include "services/s3/notification_delivery.hpp"
#include "services/s3/restore_delays.hpp"

namespace sluice::services::s3 {
namespace {

Result<NotificationSettings> parse(const char* text, Json& normalized) {
  return parseNotifications(
      *parseJson(text), [] { return std::string("gen"); }, normalized);
}

TEST(NotificationConfig, ParsesAndMatches) {
  Json norm;
  auto s = parse(R"({"QueueConfigurations": [{"QueueArn": "arn:aws:sqs:us-east-1:1:q",
      "Events": ["s3:ObjectCreated:*"],
      "Filter": {"Key": {"FilterRules": [{"Name": "Prefix", "Value": "in/"},
                                          {"Name": "suffix", "Value": ".csv"}]}}}],
      "EventBridgeConfiguration": {}})",
                 norm);
  ASSERT_TRUE(s) << s.error().message;
  ASSERT_EQ(s->targets.size(), 1u);
  EXPECT_TRUE(s->eventBridge);
  const auto& t = s->targets[0];
  EXPECT_EQ(t.id, "gen");
  EXPECT_TRUE(notificationMatches(t, "ObjectCreated:Put", "in/a.csv"));
  EXPECT_TRUE(notificationMatches(t, "ObjectCreated:CompleteMultipartUpload", "in/a.csv"));
  EXPECT_FALSE(notificationMatches(t, "ObjectRemoved:Delete", "in/a.csv"));
  EXPECT_FALSE(notificationMatches(t, "ObjectCreated:Put", "out/a.csv"));
  EXPECT_FALSE(notificationMatches(t, "ObjectCreated:Put", "in/a.json"));
  EXPECT_EQ(norm.at("QueueConfigurations").at(0).at("Id"), "gen");
}

TEST(NotificationConfig, Refusals) {
  const char* cases[] = {
      R"({"QueueConfigurations": [{"QueueArn": "arn:aws:sqs:us-east-1:1:q", "Events": ["s3:Nope"]}]})",
      R"({"QueueConfigurations": [{"QueueArn": "a", "Events": ["s3:ObjectCreated:*"],
          "Filter": {"Key": {"FilterRules": [{"Name": "infix", "Value": "x"}]}}}]})",
      // Overlapping: same event type, prefixes "" and "a" overlap, no suffixes.
      R"({"QueueConfigurations": [{"QueueArn": "a", "Events": ["s3:ObjectCreated:*"]}],
          "TopicConfigurations": [{"TopicArn": "b", "Events": ["s3:ObjectCreated:Put"],
          "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "a"}]}}}]})",
  };
  for (const char* c : cases) {
    Json norm;
    auto s = parse(c, norm);
    if (s) {
      ADD_FAILURE() << "accepted " << c;
    } else {
      EXPECT_EQ(s.error().code, "InvalidArgument") << c;
    }
  }
  // Different suffixes on the same prefix do not overlap.
  Json norm;
  EXPECT_TRUE(parse(R"({"QueueConfigurations": [
      {"QueueArn": "a", "Events": ["s3:ObjectCreated:*"],
       "Filter": {"Key": {"FilterRules": [{"Name": "suffix", "Value": ".jpg"}]}}},
      {"QueueArn": "a", "Events": ["s3:ObjectCreated:*"],
       "Filter": {"Key": {"FilterRules": [{"Name": "suffix", "Value": ".png"}]}}}]})",
                    norm));
}

TEST(S3EventMessage, FormEncodesKeysAndOmitsSizeOnRemoval) {
  BucketEvent e;
  e.name = "ObjectRemoved:Delete";
  e.bucket = "b";
  e.key = "a dir/x+y.txt";
  e.sequencer = "01";
  Json m = s3EventMessage(e, "cfg", "owner");
  const Json& obj = m.at("Records").at(0).at("s3").at("object");
  EXPECT_EQ(obj.at("key"), "a+dir/x%2By.txt");
  EXPECT_FALSE(obj.as_object().contains("size"));
  EXPECT_EQ(m.at("Records").at(0).at("eventVersion"), "2.1");
  EXPECT_EQ(eventBridgeEntry(e).at("DetailType"), "Object Deleted");
  e.name = "ObjectAcl:Put";
  EXPECT_TRUE(eventBridgeEntry(e).is_null());
}

TEST(RestoreDelays, DefaultsAndOverrides) {
  RestoreDelays d;
  EXPECT_EQ(d.delay("GLACIER", "Expedited"), Duration(std::chrono::minutes(5)));
  EXPECT_EQ(d.delay("DEEP_ARCHIVE", "Bulk"), Duration(std::chrono::hours(48)));
  EXPECT_FALSE(d.delay("DEEP_ARCHIVE", "Expedited"));
  auto p = RestoreDelays::parse("GLACIER.Bulk=7,DEEP_ARCHIVE.Standard=0");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->delay("GLACIER", "Bulk"), Duration(std::chrono::seconds(7)));
  EXPECT_EQ(p->delay("DEEP_ARCHIVE", "Standard"), Duration(0));
  EXPECT_FALSE(RestoreDelays::parse("GLACIER.Bulk=x"));
  EXPECT_FALSE(RestoreDelays::parse("DEEP_ARCHIVE.Expedited=1"));
}

}  // namespace
}  // namespace sluice::services::s3
