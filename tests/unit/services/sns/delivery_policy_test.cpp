// The retry phases of SNS delivery policies (AWS's "message delivery
// retries" page): which wait comes before each retry.
#include "services/sns/delivery_policy.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace sluice::services::sns {
namespace {

std::vector<long> delays(const RetryPolicy& p) {
  std::vector<long> out;
  for (int n = 1; n <= p.numRetries; ++n) out.push_back(p.delayBefore(n).count());
  return out;
}

TEST(DeliveryPolicy, TheDefaultHttpPolicyIsThreeRetriesTwentySecondsApart) {
  EXPECT_EQ(delays(RetryPolicy{}), (std::vector<long>{20, 20, 20}));
}

TEST(DeliveryPolicy, PhasesComeInOrder) {
  RetryPolicy p;
  p.minDelayTarget = 2;
  p.maxDelayTarget = 10;
  p.numRetries = 8;
  p.numNoDelayRetries = 2;
  p.numMinDelayRetries = 1;
  p.numMaxDelayRetries = 2;
  // 2 immediate, 1 at min, 3 backing off linearly from min to max, 2 at max.
  EXPECT_EQ(delays(p), (std::vector<long>{0, 0, 2, 2, 6, 10, 10, 10}));
}

TEST(DeliveryPolicy, BackoffCurvesRunFromMinToMax) {
  for (const char* f : {"linear", "arithmetic", "geometric", "exponential"}) {
    RetryPolicy p;
    p.minDelayTarget = 1;
    p.maxDelayTarget = 100;
    p.numRetries = 5;
    p.backoffFunction = f;
    auto d = delays(p);
    EXPECT_EQ(d.front(), 1) << f;
    EXPECT_EQ(d.back(), 100) << f;
    for (size_t i = 1; i < d.size(); ++i) EXPECT_LE(d[i - 1], d[i]) << f;
  }
}

TEST(DeliveryPolicy, AwsSmtpPolicyRetriesOverSixHours) {
  RetryPolicy p = customerManagedRetryPolicy();
  auto d = delays(p);
  ASSERT_EQ(d.size(), 50u);
  EXPECT_EQ(d[0], 10);
  EXPECT_EQ(d[1], 10);
  EXPECT_EQ(d[11], 600);  // the last of the ten back-off retries
  EXPECT_EQ(d.back(), 600);
  long total = 0;
  for (long s : d) total += s;
  EXPECT_GT(total, 6 * 3600);
}

TEST(DeliveryPolicy, ValidationFollowsAwsLimits) {
  EXPECT_TRUE(checkSubscriptionDeliveryPolicy(
      R"({"healthyRetryPolicy": {"minDelayTarget": 1, "maxDelayTarget": 3600, "numRetries": 1}})"));
  for (
      const char* bad : {
          R"({"healthyRetryPolicy": {"minDelayTarget": 5, "maxDelayTarget": 4}})",
          R"({"healthyRetryPolicy": {"numRetries": 101, "minDelayTarget": 1, "maxDelayTarget": 1}})",
          R"({"healthyRetryPolicy": {"numRetries": 2, "numNoDelayRetries": 3}})",
          R"({"healthyRetryPolicy": {"backoffFunction": "cubic"}})",
          R"({"requestPolicy": {"headerContentType": "image/png"}})",
          "not json",
      }) {
    auto r = checkSubscriptionDeliveryPolicy(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, "InvalidParameter");
  }
}

TEST(DeliveryPolicy, ASubscriptionOverridesItsTopicUnlessTheTopicForbidsIt) {
  std::string topic =
      R"({"http": {"defaultHealthyRetryPolicy": {"minDelayTarget": 5, "maxDelayTarget": 5,
          "numRetries": 1}, "defaultRequestPolicy": {"headerContentType": "application/xml"}}})";
  std::string own = R"({"healthyRetryPolicy": {"minDelayTarget": 7, "maxDelayTarget": 7,
                        "numRetries": 2}})";
  auto p = effectiveHttpPolicy(topic, own);
  EXPECT_EQ(p.retry.numRetries, 2);
  EXPECT_EQ(p.contentType, "application/xml");
  std::string locked =
      R"({"http": {"defaultHealthyRetryPolicy": {"numRetries": 1}, "disableSubscriptionOverrides": true}})";
  EXPECT_EQ(effectiveHttpPolicy(locked, own).retry.numRetries, 1);
  EXPECT_EQ(effectiveHttpPolicy("", "").retry.numRetries, 3);
}

}  // namespace
}  // namespace sluice::services::sns
