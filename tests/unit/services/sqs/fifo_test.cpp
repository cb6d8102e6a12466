#include <gtest/gtest.h>

#include "services/sqs/attributes.hpp"
#include "services/sqs/fifo.hpp"

namespace sluice::services::sqs {
namespace {

TimePoint at(int seconds) {
  return TimePoint(std::chrono::seconds(1'700'000'000 + seconds));
}

TEST(Fifo, DuplicatesWithinFiveMinutesReturnTheFirstMessage) {
  DeduplicationWindow w;
  w.remember("id-1", {"m1", sequenceNumber(1), at(0) + kDeduplicationInterval});
  auto hit = w.find("id-1", at(299));
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->messageId, "m1");
  EXPECT_FALSE(w.find("id-1", at(300)));  // the window is closed at 5 minutes
  EXPECT_FALSE(w.find("id-2", at(1)));
  w.prune(at(301));
  EXPECT_EQ(w.size(), 0u);
}

TEST(Fifo, DeduplicationScope) {
  EXPECT_EQ(deduplicationKey("queue", "g1", "d"), deduplicationKey("queue", "g2", "d"));
  EXPECT_NE(deduplicationKey("messageGroup", "g1", "d"),
            deduplicationKey("messageGroup", "g2", "d"));
}

TEST(Fifo, ContentBasedIdIsTheSha256OfTheBody) {
  // SHA-256("abc"), FIPS 180-2 appendix B.1.
  EXPECT_EQ(contentDeduplicationId("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Fifo, SequenceNumbersIncreaseAsNumbersAndAsText) {
  EXPECT_EQ(sequenceNumber(1).size(), 20u);
  EXPECT_LT(sequenceNumber(9), sequenceNumber(10));
  // Same length, all digits: text order is numeric order.
  EXPECT_EQ(sequenceNumber(123456).size(), sequenceNumber(1).size());
  EXPECT_EQ(sequenceNumber(99).find_first_not_of("0123456789"), std::string::npos);
  EXPECT_LT(sequenceNumber(99), sequenceNumber(100));
}

TEST(QueueAttributes, RangesAndFifoOnlyNames) {
  Json ok = parseJson(R"({"VisibilityTimeout": "0", "DelaySeconds": "900"})").value();
  auto a = checkAttributes(&ok, false, true);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->at("DelaySeconds"), "900");
  Json tooLong = parseJson(R"({"MessageRetentionPeriod": "59"})").value();
  EXPECT_EQ(checkAttributes(&tooLong, false, true).error().code, "InvalidAttributeValue");
  Json fifoOnly = parseJson(R"({"ContentBasedDeduplication": "true"})").value();
  EXPECT_EQ(checkAttributes(&fifoOnly, false, true).error().code, "InvalidAttributeName");
  EXPECT_TRUE(checkAttributes(&fifoOnly, true, true));
  Json change = parseJson(R"({"FifoQueue": "true"})").value();
  EXPECT_EQ(checkAttributes(&change, true, false).error().code, "InvalidAttributeValue");
  Json redrive =
      parseJson(
          R"({"RedrivePolicy": "{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:1:d\",\"maxReceiveCount\":\"3\"}"})")
          .value();
  auto r = checkAttributes(&redrive, false, true);
  ASSERT_TRUE(r);
  QueueConfig c = configOf(*r);
  EXPECT_EQ(c.maxReceiveCount, 3);
  EXPECT_EQ(c.deadLetterTargetArn, "arn:aws:sqs:us-east-1:1:d");
}

TEST(QueueAttributes, Names) {
  EXPECT_TRUE(checkQueueName("a-b_C9", false));
  EXPECT_FALSE(checkQueueName("a.b", false));
  EXPECT_FALSE(checkQueueName(std::string(81, 'a'), false));
  EXPECT_TRUE(checkQueueName("q.fifo", true));
  EXPECT_FALSE(checkQueueName("q", true));
}

}  // namespace
}  // namespace sluice::services::sqs
