// The WAL stays bounded under sustained writes (checkpointer.hpp): once it
// passes its limit it is checkpointed and truncated, even while readers read.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "store/sqlite/sqlite_store.hpp"
#include "store_test_support.hpp"

namespace sluice::store::sqlite {
namespace {

constexpr Migration kRows[] = {{1, "CREATE TABLE rows(id INTEGER PRIMARY KEY, body TEXT)"}};
const Component kComponents[] = {{"wal", kRows}};

TEST(WalLimit, AGrownWalIsTruncatedOnceItPassesTheLimit) {
  testing::TempDir dir;
  StoreOptions options;
  options.walLimitBytes = 256 * 1024;
  options.checkpointPeriod = std::chrono::hours(1);  // only the passes the test runs
  auto store = SqliteStore::open(dir / "w.db", kComponents, options);
  ASSERT_TRUE(store.ok()) << store.error().message;
  std::filesystem::path wal = dir / "w.db-wal";
  std::string body(4000, 'x');
  // 8 MB in 2,000 commits, with a reader reading all along.
  std::atomic<bool> writing{true};
  std::thread reader([&] {
    while (writing) {
      auto lease = (*store)->readers().acquire();
      if (!lease) continue;
      auto st = lease->db().prepare("SELECT count(*) FROM rows");
      if (st) (void)st->step();
    }
  });
  for (int i = 0; i < 2000; ++i) {
    ASSERT_TRUE((*store)
                    ->writer()
                    .write([&](Database& db) {
                      return runStatement(db, "INSERT INTO rows(body) VALUES (?)", body);
                    })
                    .ok());
  }
  writing = false;
  reader.join();
  // A checkpoint pass brings the grown WAL back under its limit (a PASSIVE
  // checkpoint alone leaves the file at its peak size).
  ASSERT_GT(std::filesystem::file_size(wal), 256u * 1024);
  (*store)->checkpoint();
  EXPECT_LE(std::filesystem::file_size(wal), 256u * 1024);
  // Nothing was lost.
  auto lease = (*store)->readers().acquire();
  ASSERT_TRUE(lease.ok());
  auto st = lease->db().prepare("SELECT count(*) FROM rows");
  ASSERT_TRUE(st.ok());
  ASSERT_TRUE(*st->step());
  EXPECT_EQ(st->columnInt(0), 2000);
}

}  // namespace
}  // namespace sluice::store::sqlite
