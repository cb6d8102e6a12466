// One suite for every home of log events (event_store.hpp): the store's rows
// and memory run the same cases, as a PostgreSQL store would.
#include "services/logs/event_store.hpp"

#include <gtest/gtest.h>

#include <future>

#include "../../store/store_test_support.hpp"
#include "services/logs/logs_service.hpp"

namespace sluice::services::logs {
namespace {

using store::sqlite::Component;
using store::sqlite::SqliteStore;

// A LogEventStore with the means to commit what it was given.
struct SqlHome {
  store::testing::TempDir dir;
  std::unique_ptr<SqliteStore> store;
  std::unique_ptr<LogEventStore> events;
  SqlHome() {
    const Component components[] = {{"logs", LogsService::migrations()}};
    auto opened = SqliteStore::open(dir / "logs.db", components);
    EXPECT_TRUE(opened.ok()) << opened.error().message;
    store = std::move(*opened);
    events = makeSqlEventStore(*store);
  }
  store::sqlite::SqliteStore* backing() { return store.get(); }
};

struct MemoryHome {
  std::unique_ptr<LogEventStore> events = makeMemoryEventStore();
  store::sqlite::SqliteStore* backing() { return nullptr; }
};

template <typename Home>
class LogEventStoreTest : public ::testing::Test {
 protected:
  Home home;
  Scope scope;
  uint64_t nextId = 1;

  LogEventStore& events() { return *home.events; }

  // Appends and commits events given as {timestamp, message}.
  void put(const std::string& group, const std::string& stream,
           std::vector<std::pair<int64_t, std::string>> items, const Scope* in = nullptr) {
    std::vector<LogEvent> batch;
    for (auto& [ts, message] : items) batch.push_back({ts, 1000, message, nextId++});
    DocumentBatch b;
    events().append(b, in ? *in : scope, group, stream, batch);
    commit(std::move(b));
  }
  void commit(DocumentBatch b) {
    DocumentStore docs(home.backing());
    std::promise<Result<void>> done;
    docs.commit(std::move(b), [&](Result<void> r) { done.set_value(std::move(r)); });
    ASSERT_TRUE(done.get_future().get().ok());
  }
  std::vector<std::string> messages(const std::vector<LogEvent>& list) {
    std::vector<std::string> out;
    for (const auto& e : list) out.push_back(e.message);
    return out;
  }
  std::vector<std::string> page(const std::string& stream, bool forward, EventKey from,
                                TimeRange range = {}, size_t limit = 100) {
    auto got = events().page(scope, "g", stream, forward, from, range, limit);
    EXPECT_TRUE(got.ok());
    return got ? messages(*got) : std::vector<std::string>{};
  }
  std::vector<std::string> scan(std::vector<std::string> streams, EventKey after,
                                TimeRange range = {}, size_t limit = 100) {
    auto got = events().scan(scope, "g", streams, after, range, limit);
    EXPECT_TRUE(got.ok());
    std::vector<std::string> out;
    if (got) {
      for (const auto& se : *got) out.push_back(se.stream + ":" + se.event.message);
    }
    return out;
  }
};

using Homes = ::testing::Types<SqlHome, MemoryHome>;
TYPED_TEST_SUITE(LogEventStoreTest, Homes);

constexpr EventKey kFirst{INT64_MIN, 0};
constexpr EventKey kLast{INT64_MAX, UINT64_MAX};

TYPED_TEST(LogEventStoreTest, PagesInTimestampThenArrivalOrder) {
  this->put("g", "s", {{30, "c"}, {30, "d"}});
  this->put("g", "s", {{10, "a"}, {20, "b"}, {30, "e"}});
  using V = std::vector<std::string>;
  EXPECT_EQ(this->page("s", true, kFirst), (V{"a", "b", "c", "d", "e"}));
  EXPECT_EQ(this->page("s", false, kLast, {}, 2), (V{"e", "d"}));  // newest first
  auto all = this->events().page(this->scope, "g", "s", true, kFirst, {}, 100);
  ASSERT_TRUE(all.ok());
  // After / before a key, exclusive.
  EXPECT_EQ(this->page("s", true, keyOf((*all)[2]), {}, 2), (V{"d", "e"}));
  EXPECT_EQ(this->page("s", false, keyOf((*all)[2])), (V{"b", "a"}));
  // Timestamps in [from, to].
  EXPECT_EQ(this->page("s", true, kFirst, {20, 29}), (V{"b"}));
  EXPECT_EQ(this->page("s", false, kLast, {0, 20}), (V{"b", "a"}));
  EXPECT_EQ(this->page("other", true, kFirst), V{});
}

TYPED_TEST(LogEventStoreTest, ScansStreamsOfAGroupTogether) {
  this->put("g", "app-1", {{1, "a1"}, {4, "a4"}});
  this->put("g", "app-2", {{2, "b2"}, {3, "b3"}});
  this->put("g", "db", {{5, "d5"}});
  this->put("h", "app-1", {{0, "elsewhere"}});
  Scope other = this->scope;
  other.account = "111111111111";
  this->put("g", "app-1", {{0, "other account"}}, &other);
  using V = std::vector<std::string>;
  EXPECT_EQ(this->scan({}, kFirst), (V{"app-1:a1", "app-2:b2", "app-2:b3", "app-1:a4", "db:d5"}));
  EXPECT_EQ(this->scan({"app-1", "db"}, kFirst), (V{"app-1:a1", "app-1:a4", "db:d5"}));
  EXPECT_EQ(this->scan({}, kFirst, {}, 2), (V{"app-1:a1", "app-2:b2"}));
  EXPECT_EQ(this->scan({}, kFirst, {3, 4}), (V{"app-2:b3", "app-1:a4"}));
  auto first = this->events().scan(this->scope, "g", {}, kFirst, {}, 2);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(this->scan({}, keyOf(first->back().event), {}, 2), (V{"app-2:b3", "app-1:a4"}));
}

TYPED_TEST(LogEventStoreTest, StreamsAndGroupsAreDroppedWithTheirEvents) {
  this->put("g", "s", {{1, "x"}, {2, "y"}});
  this->put("g", "t", {{3, "z"}});
  this->put("h", "s", {{4, "kept"}});
  auto stats = this->events().stats(this->scope, "g", "s");
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->first, 1);
  EXPECT_EQ(stats->last, 2);
  EXPECT_EQ(stats->bytes, 2u);
  EXPECT_EQ(*this->events().maxId(), 4u);
  DocumentBatch drop;
  this->events().dropStream(drop, this->scope, "g", "s");
  this->commit(std::move(drop));
  using V = std::vector<std::string>;
  EXPECT_EQ(this->page("s", true, kFirst), V{});
  EXPECT_EQ(this->scan({}, kFirst), (V{"t:z"}));
  DocumentBatch dropGroup;
  this->events().dropGroup(dropGroup, this->scope, "g");
  this->commit(std::move(dropGroup));
  EXPECT_EQ(this->scan({}, kFirst), V{});
  auto kept = this->events().page(this->scope, "h", "s", true, kFirst, {}, 10);
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(this->messages(*kept), (V{"kept"}));
  EXPECT_FALSE(this->events().stats(this->scope, "g", "t")->first.has_value());
}

TYPED_TEST(LogEventStoreTest, EventsPastRetentionAreDropped) {
  this->put("g", "s", {{10, "old"}, {20, "older-but-kept"}, {30, "new"}});
  this->put("g", "t", {{5, "oldest"}, {40, "newest"}});
  this->put("h", "s", {{1, "other group"}});
  DocumentBatch b;
  this->events().dropBefore(b, this->scope, "g", 20);
  this->commit(std::move(b));
  using V = std::vector<std::string>;
  EXPECT_EQ(this->scan({}, kFirst), (V{"s:older-but-kept", "s:new", "t:newest"}));
  auto other = this->events().page(this->scope, "h", "s", true, kFirst, {}, 10);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(this->messages(*other), (V{"other group"}));
}

}  // namespace
}  // namespace sluice::services::logs
