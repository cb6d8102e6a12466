// The lake as services use it: one DuckDB database opened on first use, a
// bounded pool of its connections, and snapshots of S3 locations in a work
// directory beside the objects (so they can be hard-linked). Crawlers use it
// now; Athena and jobs will. Everything here blocks: call it on the worker
// pool (EventLoop::runBlocking), never on the event loop.
//
//   auto snap = lake.snapshot(scope, {"s3://bucket/data/"});
//   auto con = lake.connection();          // waits for a free connection
//   auto cols = describeColumns(**con, "read_parquet('" + dir + "/**/*.parquet')");
#pragma once

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "lake/duckdb.hpp"
#include "lake/object_snapshot.hpp"
#include "lake/trino_sql.hpp"

namespace sluice::lake {

struct LakeOptions {
  // Snapshots and DuckDB's spill files live here; it must be on the file
  // system of the object files (snapshots hard-link them).
  std::filesystem::path workDir;
  size_t maxConnections = 4;
  std::string memoryLimit;  // DuckDB's memory_limit; empty: its default
  int threads = 0;          // 0: DuckDB's default (the cores)
};

// Cancels lake work from another thread: the work checks cancelled() between
// steps, and the query running on the attached connection is interrupted.
class LakeCancel {
 public:
  void cancel();
  bool cancelled() const { return cancelled_.load(); }
  // The connection whose query cancel() interrupts (nullptr: none). False
  // when the work is cancelled already: an interrupt sent before a query
  // starts is lost, so callers must not start it.
  bool attach(DuckConnection* con);

 private:
  std::atomic<bool> cancelled_{false};
  std::mutex mu_;
  DuckConnection* running_ = nullptr;
};

// A private directory for files a query writes before they go to S3;
// removed with it.
class ScratchDir {
 public:
  explicit ScratchDir(std::filesystem::path path) : path_(std::move(path)) {}
  ScratchDir(ScratchDir&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  ScratchDir& operator=(ScratchDir&&) = delete;
  ~ScratchDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

class LakeEngine {
 public:
  // Removes what a crashed process left in the work directory.
  LakeEngine(ObjectSource& objects, LakeOptions options);
  ~LakeEngine();
  LakeEngine(const LakeEngine&) = delete;
  LakeEngine& operator=(const LakeEngine&) = delete;

  // A connection from the pool, handed back when the lease goes.
  class Lease {
   public:
    Lease(Lease&& other) noexcept : engine_(other.engine_), con_(std::move(other.con_)) {}
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    DuckConnection& operator*() const { return *con_; }
    DuckConnection* operator->() const { return con_.get(); }

   private:
    friend class LakeEngine;
    Lease(LakeEngine& engine, std::unique_ptr<DuckConnection> con)
        : engine_(engine), con_(std::move(con)) {}
    LakeEngine& engine_;
    std::unique_ptr<DuckConnection> con_;
  };

  // Opens the database on first use (loading the library); waits while all
  // connections are leased.
  Result<Lease> connection();
  // A new scratch directory in the work directory.
  Result<ScratchDir> scratch();
  // The Trino translation's rewrite expressions, parsed once for all queries.
  TrinoExpressionCache& trinoExpressions() { return trinoExpressions_; }
  // The current objects under s3://bucket/prefix, without taking them.
  Result<std::vector<LakeObject>> list(const Scope& scope, const std::string& bucket,
                                       const std::string& prefix) {
    return objects_.list(scope, bucket, prefix);
  }
  // A snapshot of `uris` (lake/object_snapshot.hpp) in the work directory.
  // Its directory is removed in the background when it goes, so no caller
  // waits for thousands of unlinks.
  Result<ObjectSnapshot> snapshot(const Scope& scope, const std::vector<std::string>& uris,
                                  const ObjectSnapshot::Inspector& inspect = {});

 private:
  void giveBack(std::unique_ptr<DuckConnection> con);
  void clean();

  ObjectSource& objects_;
  LakeOptions options_;
  std::mutex mu_;
  std::condition_variable freed_;
  std::unique_ptr<DuckDatabase> db_;
  std::vector<std::unique_ptr<DuckConnection>> idle_;
  size_t leased_ = 0;
  TrinoExpressionCache trinoExpressions_;

  // Snapshot directories to remove, and the thread removing them.
  std::mutex trashMu_;
  std::condition_variable trashCv_;
  std::vector<std::filesystem::path> trash_;
  bool stopping_ = false;
  std::thread cleaner_;
};

}  // namespace sluice::lake
