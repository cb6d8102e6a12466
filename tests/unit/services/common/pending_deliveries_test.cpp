#include "services/common/pending_deliveries.hpp"

#include <gtest/gtest.h>

#include <future>

#include "../../store/store_test_support.hpp"

namespace sluice::services {
namespace {

using store::sqlite::Component;
using store::sqlite::Migration;
using store::sqlite::SqliteStore;
using store::testing::TempDir;

constexpr Migration kPending[] = {
    {1, "CREATE TABLE test_pending(id TEXT PRIMARY KEY, doc TEXT NOT NULL)"}};
const Component kComponents[] = {{"test", kPending}};

std::vector<std::string> ids(const PendingDeliveries& pending) {
  auto rows = pending.scan();
  EXPECT_TRUE(rows.ok());
  std::vector<std::string> out;
  if (rows) {
    for (const auto& r : *rows) out.push_back(r.id + "=" + r.doc);
  }
  return out;
}

TEST(PendingDeliveries, RowsAreStoredBeforeDoneAndGoWhenFinished) {
  TempDir dir;
  {
    auto store = SqliteStore::open(dir / "p.db", kComponents);
    ASSERT_TRUE(store.ok()) << store.error().message;
    PendingDeliveries pending(store->get(), "test_pending");
    EXPECT_TRUE(pending.durable());
    std::promise<Result<void>> stored;
    pending.add({{"c", "3"}, {"a", "1"}, {"b", "2"}},
                [&](Result<void> r) { stored.set_value(std::move(r)); });
    ASSERT_TRUE(stored.get_future().get().ok());
    // Committed when `done` ran: a reader sees all three, in the order added.
    EXPECT_EQ(ids(pending), (std::vector<std::string>{"c=3", "a=1", "b=2"}));
    pending.finish("a");
    pending.finish("c");
    ASSERT_TRUE((*store)->writer().flush().ok());
    // finish() may leave a follow-up batch queued by a completion; flush again.
    ASSERT_TRUE((*store)->writer().flush().ok());
    EXPECT_EQ(ids(pending), (std::vector<std::string>{"b=2"}));
  }
  // What is left survives reopening (the start-up scan).
  auto store = SqliteStore::open(dir / "p.db", kComponents);
  ASSERT_TRUE(store.ok());
  PendingDeliveries pending(store->get(), "test_pending");
  EXPECT_EQ(ids(pending), (std::vector<std::string>{"b=2"}));
}

TEST(PendingDeliveries, ManyFinishesFromManyThreadsAllGo) {
  TempDir dir;
  auto store = SqliteStore::open(dir / "p.db", kComponents);
  ASSERT_TRUE(store.ok());
  PendingDeliveries pending(store->get(), "test_pending");
  std::vector<PendingDeliveries::Row> rows;
  for (int i = 0; i < 400; ++i) rows.push_back({"m" + std::to_string(i), "{}"});
  std::promise<void> stored;
  pending.add(rows, [&](Result<void>) { stored.set_value(); });
  stored.get_future().get();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t; i < 400; i += 4) pending.finish("m" + std::to_string(i));
    });
  }
  for (auto& th : threads) th.join();
  for (int i = 0; i < 5 && !ids(pending).empty(); ++i) ASSERT_TRUE((*store)->writer().flush().ok());
  EXPECT_TRUE(ids(pending).empty());
}

TEST(PendingDeliveries, WithoutAStoreAddCompletesAtOnceAndNothingIsKept) {
  PendingDeliveries pending(nullptr, "test_pending");
  EXPECT_FALSE(pending.durable());
  bool done = false;
  pending.add({{"a", "1"}}, [&](Result<void> r) { done = r.ok(); });
  EXPECT_TRUE(done);
  pending.finish("a");
  EXPECT_TRUE(ids(pending).empty());
}

}  // namespace
}  // namespace sluice::services
