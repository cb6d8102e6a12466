// Read connections. WAL lets any number of readers run beside the one writer,
// each reading the last committed state as of its statement (or its
// Transaction::Mode::Deferred transaction, for a multi-statement snapshot).
// Connections are opened on demand up to a maximum and are query-only: a
// write through a read lease fails rather than bypassing the WriteQueue.
//
//   auto lease = pool.acquire();
//   if (!lease) return lease.takeError();
//   auto st = lease->db().prepare("SELECT v FROM t WHERE k = ?");
//
// A lease must be returned (destroyed) before the same thread acquires
// another, or a full pool would wait on itself.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "store/sqlite/database.hpp"

namespace sluice::store::sqlite {

class ReadPool {
 public:
  class Lease {
   public:
    Lease(Lease&& other) noexcept
        : pool_(std::exchange(other.pool_, nullptr)), db_(std::move(other.db_)) {}
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    ~Lease();

    Database& db() { return *db_; }
    Database* operator->() { return db_.get(); }

   private:
    friend class ReadPool;
    Lease(ReadPool* pool, std::unique_ptr<Database> db) : pool_(pool), db_(std::move(db)) {}
    ReadPool* pool_;
    std::unique_ptr<Database> db_;
  };

  ReadPool(std::filesystem::path path, const OpenOptions& options, std::size_t maxConnections);
  ReadPool(const ReadPool&) = delete;
  ReadPool& operator=(const ReadPool&) = delete;

  // A connection, waiting while all maxConnections are leased.
  Result<Lease> acquire();

  std::size_t open() const;

 private:
  void giveBack(std::unique_ptr<Database> db);

  const std::filesystem::path path_;
  OpenOptions options_;
  const std::size_t max_;

  mutable std::mutex mu_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Database>> idle_;
  std::size_t open_ = 0;
};

}  // namespace sluice::store::sqlite
