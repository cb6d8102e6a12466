#include <gtest/gtest.h>

#include "gateway/protocol_rest_json.hpp"

namespace sluice::gateway {
namespace {

TEST(RestJsonUriTemplate, MatchesLiteralPaths) {
  auto m = matchUriTemplate("/schedules", "/schedules");
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->empty());
  EXPECT_FALSE(matchUriTemplate("/schedules", "/schedules/x"));
  EXPECT_FALSE(matchUriTemplate("/schedules", "/schedule"));
  EXPECT_FALSE(matchUriTemplate("/schedule-groups", "/schedules"));
}

TEST(RestJsonUriTemplate, LabelsArePercentDecodedSegments) {
  auto m = matchUriTemplate("/schedules/{Name}", "/schedules/my%20sched");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->at("Name"), "my sched");
  EXPECT_FALSE(matchUriTemplate("/schedules/{Name}", "/schedules/"));
  EXPECT_FALSE(matchUriTemplate("/schedules/{Name}", "/schedules/a/b"));
}

TEST(RestJsonUriTemplate, EncodedSlashStaysInsideTheLabel) {
  // An ARN label arrives with its '/' and ':' percent-encoded.
  auto m = matchUriTemplate("/tags/{ResourceArn}",
                            "/tags/arn%3Aaws%3Ascheduler%3Aus-east-1%3A1%3Aschedule-group%2Fg");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->at("ResourceArn"), "arn:aws:scheduler:us-east-1:1:schedule-group/g");
}

TEST(RestJsonUriTemplate, SeveralLabelsAndGreedyLabels) {
  auto m = matchUriTemplate("/2015-03-31/functions/{FunctionName}/invocations",
                            "/2015-03-31/functions/f1/invocations");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->at("FunctionName"), "f1");
  auto g = matchUriTemplate("/{Bucket}/{Key+}", "/b/a/b/c.txt");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->at("Bucket"), "b");
  EXPECT_EQ(g->at("Key"), "a/b/c.txt");
  auto tail = matchUriTemplate("/x/{Key+}/end", "/x/a/b/end");
  ASSERT_TRUE(tail);
  EXPECT_EQ(tail->at("Key"), "a/b");
  EXPECT_FALSE(matchUriTemplate("/2015-03-31/functions/{FunctionName}/invocations",
                                "/2015-03-31/functions/f1/other"));
}

}  // namespace
}  // namespace sluice::gateway
