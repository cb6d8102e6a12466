// The embedded metadata store: one SQLite file, migrated for every component
// at start-up, with one group-commit writer and a pool of readers.
//
// How a component (a service's store, the engine's executions) uses it:
//
//   1. Define its schema as a migration list (see migrate.hpp):
//        constexpr sqlite::Migration kSsmMigrations[] = {{1, "CREATE TABLE ..."}};
//   2. Name it in the list given to SqliteStore::open:
//        const sqlite::Component components[] = {{"ssm", kSsmMigrations}, ...};
//        auto store = sqlite::SqliteStore::open(dataDir.databasePath(), components);
//   3. Write: everything one step must change, in one work item; act on the
//      completion, which runs after the commit:
//        store->writer().submit(
//            [=](sqlite::Database& db) -> Result<void> {
//              auto st = db.prepare("INSERT INTO ssm_parameters(name, value) VALUES (?, ?)");
//              if (!st) return st.takeError();
//              return st->bindAll(name, value).run();
//            },
//            [reply](Result<void> r) { reply(std::move(r)); });
//      (or store->writer().write(work) to block until durable.)
//   4. Read: from a pooled connection, seeing committed data only:
//        auto lease = store->readers().acquire();
//        auto st = lease->db().prepare("SELECT value FROM ssm_parameters WHERE name = ?");
//
// The PostgreSQL backend will offer the same roles (migrations per
// component, transactional write units, readers) behind the typed store
// interfaces the components define.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <span>
#include <string_view>
#include <utility>

#include "core/error.hpp"
#include "store/sqlite/checkpointer.hpp"
#include "store/sqlite/database.hpp"
#include "store/sqlite/migrate.hpp"
#include "store/sqlite/read_pool.hpp"
#include "store/sqlite/write_queue.hpp"

namespace sluice::store::sqlite {

struct Component {
  std::string_view name;
  std::span<const Migration> migrations;
};

struct StoreOptions {
  OpenOptions database;  // sync (Normal by default, see Sync), busy timeout
  WriteQueueOptions writer;
  std::size_t readConnections = 8;
  // The WAL's size past which it is truncated, and how often a checkpoint
  // pass runs (checkpointer.hpp).
  int64_t walLimitBytes = int64_t{64} << 20;
  std::chrono::milliseconds checkpointPeriod{200};
};

class SqliteStore {
 public:
  // Opens (creating when missing) the database at `path`, applies every
  // component's missing migrations, and starts the writer.
  static Result<std::unique_ptr<SqliteStore>> open(const std::filesystem::path& path,
                                                   std::span<const Component> components,
                                                   const StoreOptions& options = {});

  WriteQueue& writer() { return *writer_; }
  ReadPool& readers() { return *readers_; }
  // Runs a WAL checkpoint pass now, as the checkpointer does every period.
  void checkpoint() { checkpointer_->checkpoint(); }

 private:
  SqliteStore(std::unique_ptr<WriteQueue> writer, std::unique_ptr<ReadPool> readers,
              std::unique_ptr<Checkpointer> checkpointer)
      : checkpointer_(std::move(checkpointer)),
        writer_(std::move(writer)),
        readers_(std::move(readers)) {}
  std::unique_ptr<Checkpointer> checkpointer_;  // destroyed last: after the writer drained
  std::unique_ptr<WriteQueue> writer_;
  std::unique_ptr<ReadPool> readers_;
};

}  // namespace sluice::store::sqlite
