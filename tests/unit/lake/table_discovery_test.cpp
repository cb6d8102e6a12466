#include "lake/table_discovery.hpp"

#include <gtest/gtest.h>

#include <zlib.h>

#include <fstream>

#include "../cli/cli_test_support.hpp"
#include "fake_object_source.hpp"
#include "lake/exclusion_glob.hpp"

namespace sluice::lake {
namespace {

CrawlTarget target(std::string path, std::vector<std::string> exclusions = {},
                   size_t sampleSize = 0) {
  CrawlTarget t;
  t.path = std::move(path);
  t.exclusions = std::move(exclusions);
  t.sampleSize = sampleSize;
  return t;
}

DiscoveryOptions combining() {
  DiscoveryOptions o;
  o.combineCompatibleSchemas = true;
  return o;
}

DiscoveryOptions atLevel(int level) {
  DiscoveryOptions o;
  o.tableLevel = level;
  return o;
}

class TableDiscoveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LakeOptions options;
    options.workDir = dir_.path("work");
    options.maxConnections = 2;
    options.memoryLimit = "256MB";
    options.threads = 1;
    lake_ = std::make_unique<LakeEngine>(source_, options);
  }
  void addText(const std::string& key, const std::string& text) {
    auto p = dir_.path("obj-" + std::to_string(source_.objects.size()));
    std::ofstream(p, std::ios::binary) << text;
    add(key, p, text.size());
  }
  // A Parquet object written by DuckDB from `select`.
  void addParquet(const std::string& key, const std::string& select) {
    auto p = dir_.path("obj-" + std::to_string(source_.objects.size()) + ".parquet");
    auto con = lake_->connection();
    ASSERT_TRUE(con.ok());
    auto r = (*con)->query("COPY (" + select + ") TO " + sqlString(p) + " (FORMAT parquet)");
    ASSERT_TRUE(r.ok()) << r.error().message;
    add(key, p, std::filesystem::file_size(p));
  }
  void add(const std::string& key, const std::filesystem::path& p, uint64_t size) {
    LakeObject o;
    o.key = key;
    o.file = p;
    o.size = size;
    source_.objects["lake/" + key] = o;
  }
  Discovery discover(std::vector<CrawlTarget> targets, DiscoveryOptions options = {}) {
    LakeCancel cancel;
    auto d = discoverTables(*lake_, Scope{}, targets, options, cancel);
    EXPECT_TRUE(d.ok()) << d.error().message;
    return d.ok() ? std::move(*d) : Discovery();
  }
  static const DiscoveredTable* find(const Discovery& d, const std::string& name) {
    for (const auto& t : d.tables) {
      if (t.name == name) return &t;
    }
    return nullptr;
  }
  static std::string columns(const DiscoveredTable& t) {
    std::string out;
    for (const auto& c : t.columns) out += (out.empty() ? "" : ",") + c.name + ":" + c.type;
    return out;
  }

  cli::testing::TempDir dir_;
  testing::FakeSource source_;
  std::unique_ptr<LakeEngine> lake_;
};

TEST_F(TableDiscoveryTest, HivePartitionedParquetIsOneTable) {
  addParquet(
      "events/year=2024/month=01/part-0.parquet",
      "SELECT i::INTEGER AS id, 'e' || i AS name, (i * 1.5)::DOUBLE AS score FROM range(3) t(i)");
  addParquet(
      "events/year=2024/month=02/part-0.parquet",
      "SELECT i::INTEGER AS id, 'e' || i AS name, (i * 1.5)::DOUBLE AS score FROM range(5) t(i)");
  addText("events/_SUCCESS", "");
  auto d = discover({target("s3://lake/events/")});
  ASSERT_EQ(d.tables.size(), 1u);
  const auto& t = d.tables[0];
  EXPECT_EQ(t.name, "events");
  EXPECT_EQ(t.location, "s3://lake/events/");
  EXPECT_EQ(t.format.classification, "parquet");
  EXPECT_EQ(columns(t), "id:int,name:string,score:double");
  EXPECT_EQ(t.partitionKeys, (std::vector<std::string>{"year", "month"}));
  ASSERT_EQ(t.partitions.size(), 2u);
  EXPECT_EQ(t.partitions[0].values, (std::vector<std::string>{"2024", "01"}));
  EXPECT_EQ(t.partitions[0].location, "s3://lake/events/year=2024/month=01/");
  EXPECT_EQ(t.partitions[0].records, 3u);
  EXPECT_EQ(t.partitions[1].records, 5u);
  EXPECT_EQ(t.records, 8u);
  EXPECT_EQ(t.objects, 2u);
}

TEST_F(TableDiscoveryTest, DissimilarFoldersBecomeTablesNamedAfterThem) {
  addText("table1/year=2017/data1.json", "{\"A\": 1, \"B\": 2}\n");
  addText("table1/year=2018/data2.json", "{\"C\": 3, \"D\": 4}\n");
  auto d = discover({target("s3://lake/table1/")});
  ASSERT_EQ(d.tables.size(), 2u);
  ASSERT_NE(find(d, "year_2017"), nullptr);
  EXPECT_EQ(columns(*find(d, "year_2017")), "a:int,b:int");
  EXPECT_EQ(find(d, "year_2018")->location, "s3://lake/table1/year=2018/");
  EXPECT_TRUE(find(d, "year_2018")->partitionKeys.empty());

  // Combining compatible schemas makes them one table, its columns merged.
  auto combined = discover({target("s3://lake/table1/")}, combining());
  ASSERT_EQ(combined.tables.size(), 1u);
  EXPECT_EQ(combined.tables[0].name, "table1");
  EXPECT_EQ(columns(combined.tables[0]), "a:int,b:int,c:int,d:int");
  EXPECT_EQ(combined.tables[0].partitionKeys, std::vector<std::string>{"year"});
}

TEST_F(TableDiscoveryTest, FormatsSplitFoldersAndUnnamedFoldersArePartitions) {
  addText("bronze/posts/2024/01/p.json",
          "{\"Id\": 1, \"PostType\": \"post\", \"Created\": \"2024-01-02 03:04:05\", "
          "\"Meta\": {\"tags\": [\"a\"]}, \"Views\": 5000000000}\n");
  addText("bronze/posts/2024/02/p.json",
          "{\"Id\": 2, \"PostType\": \"page\", \"Created\": \"2024-02-02 03:04:05\", "
          "\"Meta\": {\"tags\": []}, \"Views\": 1}\n");
  addText("bronze/users/u.csv", "user_id|name|active\n1|ann|true\n2|bob|false\n");
  auto d = discover({target("s3://lake/bronze")});
  ASSERT_EQ(d.tables.size(), 2u);
  const auto* posts = find(d, "posts");
  ASSERT_NE(posts, nullptr);
  EXPECT_EQ(columns(*posts),
            "id:int,posttype:string,created:string,meta:struct<tags:array<string>>,views:bigint");
  EXPECT_EQ(posts->sourceNames[1], "PostType");
  EXPECT_EQ(posts->partitionKeys, (std::vector<std::string>{"partition_0", "partition_1"}));
  ASSERT_EQ(posts->partitions.size(), 2u);
  EXPECT_EQ(posts->partitions[1].values, (std::vector<std::string>{"2024", "02"}));
  const auto* users = find(d, "users");
  ASSERT_NE(users, nullptr);
  EXPECT_EQ(users->format.classification, "csv");
  EXPECT_EQ(users->format.delimiter, '|');
  EXPECT_TRUE(users->format.header);
  EXPECT_EQ(columns(*users), "user_id:bigint,name:string,active:boolean");
  EXPECT_EQ(users->records, 2u);
}

TEST_F(TableDiscoveryTest, HeaderlessCsvArraysExclusionsAndSingleObjects) {
  addText("raw/nohead/a.csv", "1,2.5,x\n2,3.5,y\n3,4.5,z\n");
  addText("raw/arrays/a.json", "[{\"k\": 1}, {\"k\": 2}]");
  addText("raw/arrays/tmp/skip.json", "{\"other\": true}\n");
  addText("raw/blob/b.bin", std::string("\x00\x01\x02\x03", 4));
  auto nohead = discover({target("s3://lake/raw/nohead/")});
  ASSERT_EQ(nohead.tables.size(), 1u);
  EXPECT_EQ(columns(nohead.tables[0]), "col0:bigint,col1:double,col2:string");
  EXPECT_FALSE(nohead.tables[0].format.header);

  auto arrays = discover({target("s3://lake/raw/arrays/", {"tmp/**"})});
  ASSERT_EQ(arrays.tables.size(), 1u);
  EXPECT_EQ(arrays.tables[0].name, "arrays");
  EXPECT_EQ(columns(arrays.tables[0]), "array:array<struct<k:bigint>>");

  auto blob = discover({target("s3://lake/raw/blob/")});
  EXPECT_TRUE(blob.tables.empty());
  ASSERT_FALSE(blob.messages.empty());
  EXPECT_NE(blob.messages[0].find("b.bin"), std::string::npos);

  auto single = discover({target("s3://lake/raw/nohead/a.csv")});
  ASSERT_EQ(single.tables.size(), 1u);
  EXPECT_EQ(single.tables[0].name, "nohead");
  EXPECT_EQ(single.tables[0].location, "s3://lake/raw/nohead/");
}

TEST_F(TableDiscoveryTest, GzipJsonAsAFileAndInline) {
  std::string text = "{\"id\": 1, \"tag\": \"a\"}\n{\"id\": 2, \"tag\": \"b\"}\n";
  auto gz = dir_.path("gz-source.json.gz");
  gzFile out = gzopen(gz.c_str(), "wb");
  gzwrite(out, text.data(), static_cast<unsigned>(text.size()));
  gzclose(out);
  add("zipped/part-0.json.gz", gz, std::filesystem::file_size(gz));
  std::ifstream in(gz, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  LakeObject small;
  small.key = "zipped/part-1.json.gz";
  small.bytes = bytes;
  small.size = bytes.size();
  source_.objects["lake/" + small.key] = small;
  auto d = discover({target("s3://lake/zipped/")});
  ASSERT_EQ(d.tables.size(), 1u);
  EXPECT_EQ(d.tables[0].format.compression, "gzip");
  EXPECT_EQ(columns(d.tables[0]), "id:int,tag:string");
  EXPECT_EQ(d.tables[0].records, 4u);
  EXPECT_EQ(d.tables[0].objects, 2u);
}

TEST_F(TableDiscoveryTest, TableLevelFixesWhereTablesAre) {
  addText("lake/a/x/1.json", "{\"v\": 1}\n");
  addText("lake/a/y/1.json", "{\"w\": \"s\"}\n");
  // Level 3 under bucket "lake": s3://lake/lake/a/ is one table whatever the schemas.
  auto d = discover({target("s3://lake/lake/")}, atLevel(3));
  ASSERT_EQ(d.tables.size(), 1u);
  EXPECT_EQ(d.tables[0].name, "a");
  EXPECT_EQ(d.tables[0].partitionKeys, std::vector<std::string>{"partition_0"});
}

TEST_F(TableDiscoveryTest, SomeFoldersOfAKnownTable) {
  addText("t/events/year=2024/month=01/a.json", "{\"n\": 1}\n");
  addText("t/events/year=2024/month=02/a.json", "{\"n\": 2, \"m\": 3}\n");
  addText("t/other/x.json", "{\"q\": 1}\n");
  // Only month=02 of the table at s3://lake/t/events/ (level 3).
  CrawlTarget t = target("s3://lake/t/events/");
  t.onlyFolders = {"t/events/year=2024/month=02/"};
  t.tableLevel = 3;
  auto d = discover({t});
  ASSERT_EQ(d.tables.size(), 1u);
  EXPECT_EQ(d.tables[0].name, "events");
  EXPECT_EQ(d.objectsRead, 1u);
  EXPECT_EQ(columns(d.tables[0]), "n:int,m:int");
  ASSERT_EQ(d.tables[0].partitions.size(), 1u);
  EXPECT_EQ(d.tables[0].partitions[0].values, (std::vector<std::string>{"2024", "02"}));
}

TEST_F(TableDiscoveryTest, SampleSizeEstimatesRecordsFromTheSample) {
  for (int i = 0; i < 4; ++i) {
    addText("s/f" + std::to_string(i) + ".json", "{\"n\": 1}\n{\"n\": 2}\n");
  }
  auto d = discover({target("s3://lake/s/", {}, 1)});
  ASSERT_EQ(d.tables.size(), 1u);
  EXPECT_EQ(d.tables[0].objects, 4u);
  EXPECT_EQ(d.tables[0].records, 8u);  // 2 records in 1 of 4 equal files
}

TEST_F(TableDiscoveryTest, CancelStopsTheCrawl) {
  addText("c/a.json", "{\"n\": 1}\n");
  LakeCancel cancel;
  cancel.cancel();
  auto d = discoverTables(*lake_, Scope{}, {target("s3://lake/c/")}, {}, cancel);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, "CrawlCancelled");
}

struct GlobCase {
  const char* pattern;
  const char* path;
  bool matches;
};

TEST(ExclusionGlob, GlueDocumentedPatterns) {
  const GlobCase cases[] = {
      {"*.csv", "a.csv", true},
      {"*.csv", "dir/a.csv", false},
      {"**.csv", "dir/sub/a.csv", true},
      {"**/_temporary/**", "x/_temporary/0/part", true},
      {"**/_temporary/**", "x/temporary/0/part", false},
      {"department/**", "department/a/b.json", true},
      {"department/**", "departments/a.json", false},
      {"2015/0[2-3]/**", "2015/02/x", true},
      {"2015/0[2-3]/**", "2015/04/x", false},
      {"2015/0[!2-3]/**", "2015/04/x", true},
      {"{tmp,staging}/**", "staging/a", true},
      {"{tmp,staging}/**", "prod/a", false},
      {"a?c", "abc", true},
      {"a?c", "a/c", false},
      {"\\*.json", "*.json", true},
      {"\\*.json", "a.json", false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(exclusionMatches(c.pattern, c.path), c.matches) << c.pattern << " vs " << c.path;
  }
}

TEST(TableName, FolderNamesAsGlueNames) {
  EXPECT_EQ(tableNameOf("year=2017"), "year_2017");
  EXPECT_EQ(tableNameOf("Statistics-Pages"), "statistics_pages");
}

}  // namespace
}  // namespace sluice::lake
