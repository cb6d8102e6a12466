// A lifecycle pass runs on the engine loop in steps (one page, one
// transaction each): work posted while a pass is under way runs between its
// steps instead of after the whole pass.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "engine/event_loop.hpp"
#include "engine/integration.hpp"
#include "services/s3/s3_service.hpp"

namespace sluice::services::s3 {
namespace {

using std::chrono::hours;

TEST(S3LifecyclePass, OtherWorkRunsBetweenStepsOfABigPass) {
  ManualClock clock{fromSeconds(1'700'000'000)};
  engine::EventLoop loop(clock);
  engine::IntegrationRegistry integrations;
  IdGenerator ids(7);
  S3Service s3(ServiceEnvironment{{loop, integrations, ids}, clock, nullptr, {}, {}, {}});
  CallContext ctx;
  ASSERT_TRUE(s3.createBucket(JsonObject{{"Bucket", "lc-pass"}}, ctx));
  constexpr int kObjects = 1200;
  constexpr int kThreads = 8;
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = t; i < kObjects; i += kThreads) {
        auto r = s3.putObject(
            JsonObject{
                {"Bucket", "lc-pass"}, {"Key", "k" + std::to_string(10000 + i)}, {"Body", "x"}},
            ctx);
        if (!r) ADD_FAILURE() << r.error().message;
      }
    });
  }
  for (auto& w : writers) w.join();
  auto rules = parseJson(R"({"Bucket": "lc-pass", "LifecycleConfiguration": {"Rules": [
      {"ID": "e", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": 1}}]}})");
  ASSERT_TRUE(s3.putBucketLifecycleConfiguration(*rules, ctx));
  auto count = [&] {  // every current object, over pages of at most 1000
    int64_t n = 0;
    JsonObject in{{"Bucket", "lc-pass"}};
    for (;;) {
      auto r = s3.listObjectsV2(in, ctx);
      if (!r) return int64_t{-1};
      n += r->at("KeyCount").to_number<int64_t>();
      const Json* next = r->as_object().if_contains("NextContinuationToken");
      if (!next || !next->is_string()) return n;
      in["ContinuationToken"] = *next;
    }
  };
  ASSERT_EQ(count(), kObjects);

  clock.advance(hours(72));
  s3.runLifecycle(clock.now());
  int64_t seenMidPass = -1;
  loop.post([&] { seenMidPass = count(); });
  (void)loop.runUntil([] { return false; });

  // The probe ran after the first step committed and before the last one.
  EXPECT_GT(seenMidPass, 0);
  EXPECT_LT(seenMidPass, kObjects);
  EXPECT_EQ(count(), 0);
}

}  // namespace
}  // namespace sluice::services::s3
