// Intelligent-Tiering configurations and tier choice. Expected values follow
// the S3 documentation: ARCHIVE_ACCESS after 90-730 days, DEEP_ARCHIVE_ACCESS
// after 180-730 days without access, the deeper tier when both are due,
// nothing under 128 KB; days round up to midnight UTC as lifecycle days do.
#include "services/s3/tiering_rules.hpp"

#include <gtest/gtest.h>

#include "services/s3/access_tracker.hpp"

namespace sluice::services::s3 {
namespace {

TimePoint at(const char* iso) {
  return *parseIso8601(iso);
}

Result<TieringConfig> parse(const char* text) {
  return parseTieringConfig(*parseJson(text));
}

TieringConfig cfg(std::optional<int64_t> archive, std::optional<int64_t> deep,
                  std::string prefix = "", bool enabled = true) {
  TieringConfig c;
  c.id = "c";
  c.enabled = enabled;
  c.filter.prefix = std::move(prefix);
  c.archiveDays = archive;
  c.deepArchiveDays = deep;
  return c;
}

const Json kNoTags = JsonObject{};
constexpr uint64_t kBig = kTieringMinimumSize;

TEST(TieringParse, ReadsEveryFilterForm) {
  auto c = parse(R"({"Id": "a-b_c.1", "Status": "Enabled",
    "Filter": {"And": {"Prefix": "logs/", "Tags": [{"Key": "k", "Value": "v"}]}},
    "Tierings": [{"AccessTier": "ARCHIVE_ACCESS", "Days": 90},
                 {"AccessTier": "DEEP_ARCHIVE_ACCESS", "Days": 730}]})");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->id, "a-b_c.1");
  EXPECT_TRUE(c->enabled);
  EXPECT_EQ(c->filter.prefix, "logs/");
  EXPECT_EQ(c->filter.tags.at("k"), "v");
  EXPECT_EQ(c->archiveDays, 90);
  EXPECT_EQ(c->deepArchiveDays, 730);

  c = parse(R"({"Id": "t", "Status": "Disabled", "Filter": {"Tag": {"Key": "a", "Value": ""}},
    "Tierings": [{"AccessTier": "DEEP_ARCHIVE_ACCESS", "Days": 180}]})");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_FALSE(c->enabled);
  EXPECT_EQ(c->filter.tags.at("a"), "");
  EXPECT_FALSE(c->archiveDays);
  EXPECT_EQ(c->deepArchiveDays, 180);

  c = parse(R"({"Id": "n", "Status": "Enabled",
    "Tierings": [{"AccessTier": "ARCHIVE_ACCESS", "Days": 730}]})");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->filter.prefix, "");
}

TEST(TieringParse, RefusesWhatS3Refuses) {
  struct Case {
    const char* json;
    const char* code;
  };
  const Case cases[] = {
      {R"({"Id": "a", "Status": "Enabled", "Tierings": [{"AccessTier": "ARCHIVE_ACCESS", "Days": 89}]})",
       "InvalidArgument"},
      {R"({"Id": "a", "Status": "Enabled", "Tierings": [{"AccessTier": "ARCHIVE_ACCESS", "Days": 731}]})",
       "InvalidArgument"},
      {R"({"Id": "a", "Status": "Enabled", "Tierings": [{"AccessTier": "DEEP_ARCHIVE_ACCESS", "Days": 179}]})",
       "InvalidArgument"},
      {R"({"Id": "a", "Status": "Enabled", "Tierings": [{"AccessTier": "DEEP_ARCHIVE_ACCESS", "Days": 731}]})",
       "InvalidArgument"},
      {R"({"Id": "a", "Status": "Enabled", "Tierings": [{"AccessTier": "ARCHIVE_ACCESS", "Days": 90},
          {"AccessTier": "ARCHIVE_ACCESS", "Days": 91}]})",
       "InvalidArgument"},
      {R"({"Id": "bad id", "Status": "Enabled", "Tierings": [{"AccessTier": "ARCHIVE_ACCESS", "Days": 90}]})",
       "InvalidArgument"},
      {R"({"Id": "", "Status": "Enabled", "Tierings": [{"AccessTier": "ARCHIVE_ACCESS", "Days": 90}]})",
       "InvalidArgument"},
      {R"({"Status": "Enabled", "Tierings": [{"AccessTier": "ARCHIVE_ACCESS", "Days": 90}]})",
       "MalformedXML"},
      {R"({"Id": "a", "Status": "enabled", "Tierings": [{"AccessTier": "ARCHIVE_ACCESS", "Days": 90}]})",
       "MalformedXML"},
      {R"({"Id": "a", "Status": "Enabled", "Tierings": []})", "MalformedXML"},
      {R"({"Id": "a", "Status": "Enabled"})", "MalformedXML"},
      {R"({"Id": "a", "Status": "Enabled", "Tierings": [{"AccessTier": "INFREQUENT_ACCESS", "Days": 90}]})",
       "MalformedXML"},
      {R"({"Id": "a", "Status": "Enabled", "Tierings": [{"AccessTier": "ARCHIVE_ACCESS"}]})",
       "MalformedXML"},
      {R"({"Id": "a", "Status": "Enabled", "Filter": {"Prefix": "p", "Tag": {"Key": "k", "Value": "v"}},
          "Tierings": [{"AccessTier": "ARCHIVE_ACCESS", "Days": 90}]})",
       "MalformedXML"},
      {R"({"Id": "a", "Status": "Enabled", "Filter": {"ObjectSizeGreaterThan": 5},
          "Tierings": [{"AccessTier": "ARCHIVE_ACCESS", "Days": 90}]})",
       "MalformedXML"},
  };
  for (const auto& c : cases) {
    auto r = parse(c.json);
    ASSERT_FALSE(r) << c.json;
    EXPECT_EQ(r.error().code, c.code) << c.json;
    EXPECT_EQ(r.error().httpStatus, 400) << c.json;
  }
  std::string longId =
      R"({"Id": ")" + std::string(65, 'x') +
      R"(", "Status": "Enabled", "Tierings": [{"AccessTier": "ARCHIVE_ACCESS", "Days": 90}]})";
  EXPECT_FALSE(parseTieringConfig(*parseJson(longId)));
}

TEST(DueAccessTier, CountsWholeDaysFromTheLastAccess) {
  std::vector<TieringConfig> configs{cfg(90, std::nullopt)};
  TimePoint read = at("2024-01-01T10:00:00Z");
  // 90 days later rounds up to the next midnight.
  EXPECT_EQ(dueAccessTier(configs, "k", kBig, kNoTags, read, at("2024-03-31T23:59:59Z")), "");
  EXPECT_EQ(dueAccessTier(configs, "k", kBig, kNoTags, read, at("2024-04-01T00:00:00Z")),
            "ARCHIVE_ACCESS");
}

TEST(DueAccessTier, DeeperTierWinsWhenBothAreDue) {
  TimePoint read = at("2024-01-01T00:00:00Z");
  std::vector<TieringConfig> both{cfg(90, 180)};
  EXPECT_EQ(dueAccessTier(both, "k", kBig, kNoTags, read, read + std::chrono::hours(24 * 100)),
            "ARCHIVE_ACCESS");
  EXPECT_EQ(dueAccessTier(both, "k", kBig, kNoTags, read, read + std::chrono::hours(24 * 180)),
            "DEEP_ARCHIVE_ACCESS");
  // Across configurations too.
  std::vector<TieringConfig> split{cfg(std::nullopt, 200), cfg(90, std::nullopt)};
  EXPECT_EQ(dueAccessTier(split, "k", kBig, kNoTags, read, read + std::chrono::hours(24 * 250)),
            "DEEP_ARCHIVE_ACCESS");
}

TEST(DueAccessTier, SmallObjectsFiltersAndDisabledConfigsNeverArchive) {
  TimePoint read = at("2024-01-01T00:00:00Z");
  TimePoint later = read + std::chrono::hours(24 * 400);
  std::vector<TieringConfig> configs{cfg(90, std::nullopt)};
  EXPECT_EQ(dueAccessTier(configs, "k", kBig - 1, kNoTags, read, later), "");
  EXPECT_EQ(dueAccessTier(configs, "k", kBig, kNoTags, read, later), "ARCHIVE_ACCESS");
  std::vector<TieringConfig> prefixed{cfg(90, std::nullopt, "logs/")};
  EXPECT_EQ(dueAccessTier(prefixed, "data/x", kBig, kNoTags, read, later), "");
  EXPECT_EQ(dueAccessTier(prefixed, "logs/x", kBig, kNoTags, read, later), "ARCHIVE_ACCESS");
  std::vector<TieringConfig> disabled{cfg(90, 180, "", false)};
  EXPECT_EQ(dueAccessTier(disabled, "k", kBig, kNoTags, read, later), "");
  TieringConfig tagged = cfg(90, std::nullopt);
  tagged.filter.tags = {{"tier", "cold"}};
  std::vector<TieringConfig> byTag{tagged};
  EXPECT_EQ(dueAccessTier(byTag, "k", kBig, kNoTags, read, later), "");
  EXPECT_EQ(dueAccessTier(byTag, "k", kBig, *parseJson(R"({"tier": "hot"})"), read, later), "");
  EXPECT_EQ(
      dueAccessTier(byTag, "k", kBig, *parseJson(R"({"tier": "cold", "x": "y"})"), read, later),
      "ARCHIVE_ACCESS");
}

ObjectRecord version(const std::string& id, const std::string& storageClass, TimePoint written,
                     Json attrs = JsonObject{}) {
  ObjectRecord o;
  o.bucket = "b";
  o.key = "k";
  o.versionId = id;
  o.size = kBig;
  o.storageClass = storageClass;
  o.lastModified = written;
  o.attrs = std::move(attrs);
  return o;
}

TEST(PlanTiering, MovesOnlyIntelligentTieringVersionsDeeper) {
  TimePoint written = at("2024-01-01T00:00:00Z");
  TimePoint now = written + std::chrono::hours(24 * 200);
  std::vector<TieringConfig> configs{cfg(90, 180)};
  int64_t recent = toEpochMicros(now - std::chrono::hours(24));
  std::vector<ObjectRecord> versions{
      version("fresh", "INTELLIGENT_TIERING", written),
      version("archived", "INTELLIGENT_TIERING", written,
              *parseJson(R"({"AccessTier": "ARCHIVE_ACCESS"})")),
      version("deep", "INTELLIGENT_TIERING", written,
              *parseJson(R"({"AccessTier": "DEEP_ARCHIVE_ACCESS"})")),
      version("read", "INTELLIGENT_TIERING", written, Json(JsonObject{{"LastAccess", recent}})),
      version("restoring", "INTELLIGENT_TIERING", written,
              *parseJson(R"({"AccessTier": "ARCHIVE_ACCESS", "RestoreDue": 1})")),
      version("standard", "STANDARD", written),
      version("skipped", "INTELLIGENT_TIERING", written),
  };
  ObjectRecord marker = version("marker", "INTELLIGENT_TIERING", written);
  marker.deleteMarker = true;
  versions.push_back(marker);
  std::vector<TieringMove> out;
  planTiering(configs, versions, {"skipped"}, now, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].object.versionId, "fresh");
  EXPECT_EQ(out[0].accessTier, "DEEP_ARCHIVE_ACCESS");
  EXPECT_EQ(out[1].object.versionId, "archived");
  EXPECT_EQ(out[1].accessTier, "DEEP_ARCHIVE_ACCESS");
}

TEST(AccessTracking, RecordsOnceAUtcDay) {
  EXPECT_FALSE(AccessTracker::needsRecord(at("2024-01-01T00:00:00Z"), at("2024-01-01T23:59:59Z")));
  EXPECT_TRUE(AccessTracker::needsRecord(at("2024-01-01T23:59:59Z"), at("2024-01-02T00:00:00Z")));
  EXPECT_TRUE(AccessTracker::needsRecord(at("2023-12-01T12:00:00Z"), at("2024-01-01T12:00:00Z")));
}

}  // namespace
}  // namespace sluice::services::s3
