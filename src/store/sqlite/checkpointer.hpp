// WAL checkpoints off the write path. By default SQLite checkpoints inside
// the commit that pushes the WAL past 1000 pages, so that one commit pays for
// copying the WAL into the database file and its fsync: a latency spike for
// every acknowledgement waiting on that batch. The store turns automatic
// checkpoints off on the writer and runs PASSIVE checkpoints here, on a
// connection and thread of their own; PASSIVE never blocks the writer or
// readers, and a WAL fully checkpointed is restarted by the next writer.
//
// Under sustained writes a PASSIVE checkpoint never finds the moment to
// restart the WAL, which then grows without bound (1.75 GB in 25 s of load,
// issue 26), and a grown WAL file keeps its size. So once the WAL passes
// `walLimitBytes` a TRUNCATE checkpoint follows: it waits (within the busy
// timeout) for readers to move past the log, copies it, and truncates the
// file to nothing; writers wait for it as for any lock, for milliseconds.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <thread>

#include "core/error.hpp"
#include "store/sqlite/database.hpp"

namespace sluice::store::sqlite {

class Checkpointer {
 public:
  // Opens its own connection to `path` and checkpoints every `period`.
  static Result<std::unique_ptr<Checkpointer>> start(
      const std::filesystem::path& path, const OpenOptions& options,
      std::chrono::milliseconds period = std::chrono::milliseconds(200),
      int64_t walLimitBytes = int64_t{64} << 20);
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // One pass, now (what the thread does every period).
  void checkpoint();

 private:
  Checkpointer(Database db, std::chrono::milliseconds period, int64_t walLimitBytes,
               int64_t pageSize);
  void run();

  Database db_;
  std::chrono::milliseconds period_;
  int64_t walLimitBytes_;
  int64_t pageSize_;
  std::mutex mu_;
  std::mutex passMu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sluice::store::sqlite
