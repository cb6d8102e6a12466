// One suite for every home of the catalog's partitions and table versions
// (catalog_store.hpp): the store's rows and memory run the same cases, as a
// PostgreSQL store would.
#include "services/glue/catalog_store.hpp"

#include <gtest/gtest.h>

#include <future>

#include "../../store/store_test_support.hpp"
#include "services/glue/glue_service.hpp"

namespace sluice::services::glue {
namespace {

using store::sqlite::Component;
using store::sqlite::SqliteStore;

struct SqlHome {
  store::testing::TempDir dir;
  std::unique_ptr<SqliteStore> store;
  std::unique_ptr<CatalogStore> catalog;
  SqlHome() {
    const Component components[] = {{"glue", GlueService::migrations()}};
    auto opened = SqliteStore::open(dir / "glue.db", components);
    EXPECT_TRUE(opened.ok()) << opened.error().message;
    store = std::move(*opened);
    catalog = makeSqlCatalogStore(*store);
  }
  SqliteStore* backing() { return store.get(); }
};

struct MemoryHome {
  std::unique_ptr<CatalogStore> catalog = makeMemoryCatalogStore();
  SqliteStore* backing() { return nullptr; }
};

template <typename Home>
class CatalogStoreTest : public ::testing::Test {
 protected:
  Home home;
  Scope scope;
  const TableRef sales{"lake", "sales"};

  CatalogStore& catalog() { return *home.catalog; }

  void commit(DocumentBatch b) {
    DocumentStore docs(home.backing());
    std::promise<Result<void>> done;
    docs.commit(std::move(b), [&](Result<void> r) { done.set_value(std::move(r)); });
    ASSERT_TRUE(done.get_future().get().ok());
  }
  // Stores partitions named by their one value, as {"Values": [v]}.
  void putPartitions(const TableRef& t, std::vector<std::string> values,
                     const Scope* in = nullptr) {
    DocumentBatch b;
    for (const auto& v : values) {
      Json doc = JsonObject{{"Values", JsonArray{Json(v)}}};
      catalog().addPartition(b, in ? *in : scope, t, partitionKey(doc.as_object().at("Values")),
                             doc);
    }
    commit(std::move(b));
  }
  // The first value of each partition after `after`, at most `limit`.
  std::vector<std::string> partitions(const TableRef& t, const std::string& after = "",
                                      size_t limit = 100) {
    std::vector<std::string> out;
    auto r = catalog().scanPartitions(scope, t, after, [&](const std::string&, Json doc) {
      out.emplace_back(doc.as_object().at("Values").as_array()[0].as_string());
      return out.size() < limit;
    });
    EXPECT_TRUE(r.ok());
    return out;
  }
  std::string keyOf(const std::string& value) { return partitionKey(JsonArray{Json(value)}); }
  void putVersions(const TableRef& t, std::vector<int64_t> numbers) {
    DocumentBatch b;
    for (int64_t n : numbers) {
      catalog().putVersion(b, scope, t, n, JsonObject{{"VersionId", std::to_string(n)}});
    }
    commit(std::move(b));
  }
  std::vector<int64_t> versions(const TableRef& t, int64_t below = INT64_MAX, size_t limit = 100) {
    auto got = catalog().versions(scope, t, below, limit);
    EXPECT_TRUE(got.ok());
    std::vector<int64_t> out;
    if (got) {
      for (const auto& [n, doc] : *got) {
        EXPECT_EQ(doc.as_object().at("VersionId").as_string(), std::to_string(n));
        out.push_back(n);
      }
    }
    return out;
  }
};

using Homes = ::testing::Types<SqlHome, MemoryHome>;
TYPED_TEST_SUITE(CatalogStoreTest, Homes);

using V = std::vector<std::string>;

TYPED_TEST(CatalogStoreTest, PartitionsAreScannedInKeyOrderAfterAKey) {
  this->putPartitions(this->sales, {"2024-03", "2024-01", "2024-02", "2023-12"});
  this->putPartitions({"lake", "other"}, {"x"});
  EXPECT_EQ(this->partitions(this->sales), (V{"2023-12", "2024-01", "2024-02", "2024-03"}));
  EXPECT_EQ(this->partitions(this->sales, this->keyOf("2024-01")), (V{"2024-02", "2024-03"}));
  // A visitor returning false ends the scan.
  EXPECT_EQ(this->partitions(this->sales, "", 2), (V{"2023-12", "2024-01"}));
  EXPECT_EQ(this->partitions({"lake", "none"}), V{});
}

TYPED_TEST(CatalogStoreTest, APartitionIsReadReplacedAndErasedByKey) {
  this->putPartitions(this->sales, {"a", "b"});
  auto got = this->catalog().partition(this->scope, this->sales, this->keyOf("a"));
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((**got).as_object().at("Values").as_array()[0].as_string(), "a");

  DocumentBatch replace;
  Json changed = JsonObject{{"Values", JsonArray{Json("a")}}, {"Parameters", JsonObject{}}};
  this->catalog().putPartition(replace, this->scope, this->sales, this->keyOf("a"), changed);
  this->commit(std::move(replace));
  got = this->catalog().partition(this->scope, this->sales, this->keyOf("a"));
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_TRUE((**got).as_object().contains("Parameters"));

  DocumentBatch erase;
  this->catalog().erasePartition(erase, this->scope, this->sales, this->keyOf("a"));
  this->commit(std::move(erase));
  got = this->catalog().partition(this->scope, this->sales, this->keyOf("a"));
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_value());
  EXPECT_EQ(this->partitions(this->sales), V{"b"});
}

TYPED_TEST(CatalogStoreTest, MultiValuePartitionsSortValueByValue) {
  DocumentBatch b;
  for (auto [y, m] : std::vector<std::pair<const char*, const char*>>{
           {"2024", "10"}, {"2024", "02"}, {"2023", "12"}}) {
    JsonArray values{Json(y), Json(m)};
    this->catalog().putPartition(b, this->scope, this->sales, partitionKey(values),
                                 JsonObject{{"Values", values}});
  }
  this->commit(std::move(b));
  std::vector<std::string> seen;
  ASSERT_TRUE(this->catalog()
                  .scanPartitions(this->scope, this->sales, "",
                                  [&](const std::string&, Json doc) {
                                    const JsonArray& v = doc.as_object().at("Values").as_array();
                                    seen.push_back(std::string(v[0].as_string()) + "/" +
                                                   std::string(v[1].as_string()));
                                    return true;
                                  })
                  .ok());
  EXPECT_EQ(seen, (V{"2023/12", "2024/02", "2024/10"}));
}

TYPED_TEST(CatalogStoreTest, ScopesKeepTheirOwnPartitions) {
  Scope other = this->scope;
  other.region = "eu-west-1";
  this->putPartitions(this->sales, {"here"});
  this->putPartitions(this->sales, {"there"}, &other);
  EXPECT_EQ(this->partitions(this->sales), V{"here"});
  auto got = this->catalog().partition(other, this->sales, this->keyOf("there"));
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->has_value());
}

TYPED_TEST(CatalogStoreTest, VersionsAreListedNewestFirstBelowANumber) {
  this->putVersions(this->sales, {1, 2, 3, 10});
  this->putVersions({"lake", "other"}, {7});
  using N = std::vector<int64_t>;
  EXPECT_EQ(this->versions(this->sales), (N{10, 3, 2, 1}));
  EXPECT_EQ(this->versions(this->sales, INT64_MAX, 2), (N{10, 3}));
  EXPECT_EQ(this->versions(this->sales, 3, 100), (N{2, 1}));
  auto one = this->catalog().version(this->scope, this->sales, 3);
  ASSERT_TRUE(one.ok());
  EXPECT_TRUE(one->has_value());
  auto none = this->catalog().version(this->scope, this->sales, 4);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  DocumentBatch erase;
  this->catalog().eraseVersion(erase, this->scope, this->sales, 3);
  this->commit(std::move(erase));
  EXPECT_EQ(this->versions(this->sales), (N{10, 2, 1}));
}

TYPED_TEST(CatalogStoreTest, DroppingATableOrADatabaseTakesTheirRows) {
  const TableRef views{"lake", "views"}, kept{"other", "sales"};
  this->putPartitions(this->sales, {"a"});
  this->putPartitions(views, {"b"});
  this->putPartitions(kept, {"c"});
  this->putVersions(this->sales, {1});
  this->putVersions(views, {1});
  this->putVersions(kept, {1});

  DocumentBatch table;
  this->catalog().dropTable(table, this->scope, this->sales);
  this->commit(std::move(table));
  EXPECT_EQ(this->partitions(this->sales), V{});
  EXPECT_TRUE(this->versions(this->sales).empty());
  EXPECT_EQ(this->partitions(views), V{"b"});

  DocumentBatch database;
  this->catalog().dropTable(database, this->scope, TableRef{"lake", ""});
  this->commit(std::move(database));
  EXPECT_EQ(this->partitions(views), V{});
  EXPECT_TRUE(this->versions(views).empty());
  EXPECT_EQ(this->partitions(kept), V{"c"});
  EXPECT_EQ(this->versions(kept), std::vector<int64_t>{1});
}

}  // namespace
}  // namespace sluice::services::glue
