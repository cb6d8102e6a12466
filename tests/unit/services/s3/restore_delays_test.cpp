// Restore delays: AWS's documented upper bounds per storage class or
// Intelligent-Tiering access tier and retrieval tier, and the
// --s3-restore-delays overrides.
#include "services/s3/restore_delays.hpp"

#include <gtest/gtest.h>

namespace sluice::services::s3 {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

TEST(RestoreDelays, DefaultsAreAwsUpperBounds) {
  RestoreDelays d;
  EXPECT_EQ(d.delay("GLACIER", "Expedited"), Duration(minutes(5)));
  EXPECT_EQ(d.delay("DEEP_ARCHIVE", "Bulk"), Duration(hours(48)));
  EXPECT_EQ(d.delay("ARCHIVE_ACCESS", "Expedited"), Duration(minutes(5)));
  EXPECT_EQ(d.delay("ARCHIVE_ACCESS", "Standard"), Duration(hours(5)));
  EXPECT_EQ(d.delay("ARCHIVE_ACCESS", "Bulk"), Duration(hours(12)));
  EXPECT_EQ(d.delay("DEEP_ARCHIVE_ACCESS", "Standard"), Duration(hours(12)));
  EXPECT_EQ(d.delay("DEEP_ARCHIVE_ACCESS", "Bulk"), Duration(hours(48)));
  EXPECT_FALSE(d.delay("DEEP_ARCHIVE_ACCESS", "Expedited"));
  EXPECT_FALSE(d.delay("DEEP_ARCHIVE", "Expedited"));
}

TEST(RestoreDelays, OverridesAccessTiers) {
  auto d = RestoreDelays::parse("ARCHIVE_ACCESS.Standard=60,DEEP_ARCHIVE_ACCESS.Bulk=0");
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->delay("ARCHIVE_ACCESS", "Standard"), Duration(seconds(60)));
  EXPECT_EQ(d->delay("DEEP_ARCHIVE_ACCESS", "Bulk"), Duration(seconds(0)));
  EXPECT_EQ(d->delay("GLACIER", "Standard"), Duration(hours(5)));
  EXPECT_FALSE(RestoreDelays::parse("DEEP_ARCHIVE_ACCESS.Expedited=5"));
  EXPECT_FALSE(RestoreDelays::parse("ARCHIVE_ACCESS.Standard=-1"));
}

}  // namespace
}  // namespace sluice::services::s3
