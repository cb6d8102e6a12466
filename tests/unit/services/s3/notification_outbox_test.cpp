// Durable bucket events: an event row commits in the very write item (the
// same transaction) as the object write that caused it, a failing event
// write takes the object write down with it, buckets without a notification
// configuration resolve to nothing, and rows left by a crash are delivered
// at start-up and finished once every destination answered.
#include "services/s3/notification_outbox.hpp"

#include <gtest/gtest.h>

#include <mutex>

#include "../../cli/cli_test_support.hpp"

namespace sluice::services::s3 {
namespace {

using store::sqlite::Database;

// Stands in for the SQS and EventBridge services: records what S3 sends.
struct Destinations {
  std::mutex mu;
  std::vector<std::string> sqsBodies;
  std::vector<Json> eventBridgeEntries;

  void registerIn(OperationRegistry& registry) {
    registry.addService("sqs", "AmazonSQS");
    registry.add("sqs", "GetQueueUrl", [](const Json& in, const CallContext&, Reply reply) {
      reply(Json(
          JsonObject{{"QueueUrl", "http://q/" + std::string(in.at("QueueName").as_string())}}));
    });
    registry.add("sqs", "SendMessage", [this](const Json& in, const CallContext&, Reply reply) {
      std::lock_guard lock(mu);
      sqsBodies.emplace_back(in.at("MessageBody").as_string());
      reply(Json(JsonObject{}));
    });
    registry.addService("events", "AWSEvents");
    registry.add("events", "PutEvents", [this](const Json& in, const CallContext&, Reply reply) {
      std::lock_guard lock(mu);
      for (const Json& e : in.at("Entries").as_array()) eventBridgeEntries.push_back(e);
      reply(Json(JsonObject{}));
    });
  }
};

class NotificationOutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    open();
    BucketRecord b;
    b.name = "quiet";
    b.owner = "000000000000";
    ASSERT_TRUE(meta_->createBucket(b));
    b.name = "loud";
    ASSERT_TRUE(meta_->createBucket(b));
    Json config = JsonObject{
        {"QueueConfigurations",
         JsonArray{Json(JsonObject{
             {"Id", "csv"},
             {"QueueArn", "arn:aws:sqs:us-east-1:000000000000:arrivals"},
             {"Events", JsonArray{Json("s3:ObjectCreated:*")}},
             {"Filter",
              JsonObject{{"Key", JsonObject{{"FilterRules",
                                             JsonArray{Json(JsonObject{
                                                 {"Name", "suffix"}, {"Value", ".csv"}})}}}}}}})}},
        {"EventBridgeConfiguration", JsonObject{}}};
    ASSERT_TRUE(meta_->setBucketConfig("loud", "Notification", config));
    destinations_.registerIn(registry_);
  }

  void open() {
    meta_.reset();
    db_.reset();
    const store::sqlite::Component components[] = {{"s3", S3Store::migrations()}};
    auto opened = store::sqlite::SqliteStore::open(dir_.path("sluice.db"), components);
    ASSERT_TRUE(opened) << opened.error().message;
    db_ = std::move(*opened);
    meta_ = std::make_unique<S3Store>(*db_);
  }

  BucketRecord bucket(const std::string& name) { return **meta_->bucket(name); }

  static BucketEvent event(const std::string& bucket, const std::string& key) {
    BucketEvent e;
    e.name = "ObjectCreated:Put";
    e.scope.account = "000000000000";
    e.scope.region = "us-east-1";
    e.bucket = bucket;
    e.key = key;
    e.size = 3;
    e.etag = "abc";
    e.versionId = "null";
    return e;
  }

  static ObjectRecord object(const std::string& bucket, const std::string& key) {
    ObjectRecord o;
    o.bucket = bucket;
    o.key = key;
    o.fileId = "f-" + key;
    o.etag = "\"abc\"";
    return o;
  }

  size_t pendingRows() {
    auto lease = db_->readers().acquire();
    auto st = lease->db().prepare("SELECT COUNT(*) FROM s3_pending");
    EXPECT_TRUE(st && *st->step());
    return static_cast<size_t>(st->columnInt(0));
  }

  // finish() deletes in follow-up work items; flush until they ran.
  void settle() {
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(db_->writer().flush().ok());
  }

  cli::testing::TempDir dir_;
  std::unique_ptr<store::sqlite::SqliteStore> db_;
  std::unique_ptr<S3Store> meta_;
  OperationRegistry registry_;
  Destinations destinations_;
  IdGenerator ids_{7};
};

TEST_F(NotificationOutboxTest, OnlyAConfiguredBucketResolvesAndOnlyToMatchingTargets) {
  NotificationOutbox outbox(registry_, *db_, ids_);
  EXPECT_FALSE(NotificationOutbox::configured(bucket("quiet")));
  EXPECT_FALSE(outbox.resolve(bucket("quiet"), event("quiet", "a.csv")));

  ASSERT_TRUE(NotificationOutbox::configured(bucket("loud")));
  auto csv = outbox.resolve(bucket("loud"), event("loud", "a.csv"));
  ASSERT_TRUE(csv);
  ASSERT_EQ(csv->messages.size(), 1u);
  EXPECT_EQ(csv->messages[0].arn, "arn:aws:sqs:us-east-1:000000000000:arrivals");
  Json body = *parseJson(csv->messages[0].body);
  EXPECT_EQ(body.at("Records").at(0).at("s3").at("configurationId"), "csv");
  EXPECT_EQ(csv->eventBridge.at("DetailType"), "Object Created");

  // The suffix filter leaves only EventBridge for a .json key.
  auto json = outbox.resolve(bucket("loud"), event("loud", "a.json"));
  ASSERT_TRUE(json);
  EXPECT_TRUE(json->messages.empty());
  EXPECT_FALSE(json->eventBridge.is_null());
}

TEST_F(NotificationOutboxTest, EventRowCommitsInTheObjectWritesOwnItem) {
  NotificationOutbox outbox(registry_, *db_, ids_);
  std::vector<OutgoingEvent> out;
  BucketRecord loud = bucket("loud");
  auto before = db_->writer().stats().items;
  auto put = meta_->putObject(object("loud", "a.csv"), "v1",
                              [&](Database& db, const ObjectRecord& written) -> Result<void> {
                                EXPECT_EQ(written.versionId, "null");  // unversioned bucket
                                auto e = outbox.resolve(loud, event("loud", written.key));
                                if (e) out.push_back(std::move(*e));
                                return outbox.store(db, out);
                              });
  ASSERT_TRUE(put) << put.error().message;
  EXPECT_EQ(db_->writer().stats().items - before, 1u);  // one item: one transaction
  EXPECT_EQ(pendingRows(), 1u);
  ASSERT_EQ(out.size(), 1u);

  outbox.deliver(std::move(out));
  settle();
  EXPECT_EQ(pendingRows(), 0u);
  std::lock_guard lock(destinations_.mu);
  EXPECT_EQ(destinations_.sqsBodies.size(), 1u);
  EXPECT_EQ(destinations_.eventBridgeEntries.size(), 1u);
}

TEST_F(NotificationOutboxTest, AFailingEventWriteRollsTheObjectWriteBack) {
  auto put = meta_->putObject(object("loud", "a.csv"), "v1",
                              [](Database&, const ObjectRecord&) -> Result<void> {
                                return AwsError{"InternalError", "disk full", 500};
                              });
  ASSERT_FALSE(put);
  EXPECT_FALSE(meta_->latest("loud", "a.csv")->has_value());
  auto del = meta_->deleteObject("loud", "a.csv", std::nullopt, "v2", TimePoint{},
                                 [](Database&, const DeleteResult&) -> Result<void> {
                                   return AwsError{"InternalError", "disk full", 500};
                                 });
  EXPECT_FALSE(del);
  EXPECT_EQ(pendingRows(), 0u);
}

TEST_F(NotificationOutboxTest, HooksSeeWhatTheWriteDid) {
  ASSERT_TRUE(meta_->setVersioning("loud", "Enabled"));
  std::string seenVersion;
  ASSERT_TRUE(meta_->putObject(object("loud", "k"), "v1",
                               [&](Database&, const ObjectRecord& written) -> Result<void> {
                                 seenVersion = written.versionId;
                                 return {};
                               }));
  EXPECT_EQ(seenVersion, "v1");
  DeleteResult seen;
  ASSERT_TRUE(meta_->deleteObject("loud", "k", std::nullopt, "v2", TimePoint{},
                                  [&](Database&, const DeleteResult& r) -> Result<void> {
                                    seen = r;
                                    return {};
                                  }));
  EXPECT_TRUE(seen.deleteMarker);
  EXPECT_EQ(seen.versionId, "v2");
  // No hook: the plain write, as before.
  ASSERT_TRUE(meta_->putObject(object("quiet", "k"), "v3"));
  EXPECT_EQ(pendingRows(), 0u);
}

TEST_F(NotificationOutboxTest, RowsLeftByACrashAreDeliveredAtStartUpAndFinished) {
  {
    NotificationOutbox outbox(registry_, *db_, ids_);
    std::vector<OutgoingEvent> out;
    for (const char* key : {"a.csv", "b.csv"})
      out.push_back(*outbox.resolve(bucket("loud"), event("loud", key)));
    ASSERT_TRUE(db_->writer().write([&](Database& db) { return outbox.store(db, out); }));
    // "Crash": never delivered.
  }
  open();
  EXPECT_EQ(pendingRows(), 2u);
  NotificationOutbox outbox(registry_, *db_, ids_);
  ASSERT_TRUE(outbox.resume());
  settle();
  EXPECT_EQ(pendingRows(), 0u);
  std::lock_guard lock(destinations_.mu);
  ASSERT_EQ(destinations_.sqsBodies.size(), 2u);
  std::set<std::string> keys;
  for (const auto& b : destinations_.sqsBodies) {
    keys.emplace(parseJson(b)->at("Records").at(0).at("s3").at("object").at("key").as_string());
  }
  EXPECT_EQ(keys, (std::set<std::string>{"a.csv", "b.csv"}));
  EXPECT_EQ(destinations_.eventBridgeEntries.size(), 2u);
}

TEST_F(NotificationOutboxTest, ADestinationThatFailsStillFinishesTheRow) {
  // AWS drops an event whose destination refuses it; it is not redelivered forever.
  OperationRegistry refusing;
  refusing.addService("sqs", "AmazonSQS");
  refusing.add("sqs", "GetQueueUrl", [](const Json&, const CallContext&, Reply reply) {
    reply(AwsError{"AWS.SimpleQueueService.NonExistentQueue", "gone", 400});
  });
  NotificationOutbox outbox(refusing, *db_, ids_);
  std::vector<OutgoingEvent> out{*outbox.resolve(bucket("loud"), event("loud", "a.csv"))};
  ASSERT_TRUE(db_->writer().write([&](Database& db) { return outbox.store(db, out); }));
  EXPECT_EQ(pendingRows(), 1u);
  outbox.deliver(std::move(out));  // PutEvents: no events service, answers an error too
  settle();
  EXPECT_EQ(pendingRows(), 0u);
}

}  // namespace
}  // namespace sluice::services::s3
