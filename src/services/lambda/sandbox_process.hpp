// The operating-system side of a sandbox: one process group started with a
// function's environment and working directory, its stdout and stderr on
// one pipe (a function's log, as Lambda merges them), and its end observed.
//
// The process dies with the server: it gets PR_SET_PDEATHSIG(SIGKILL) and
// its own process group, which the destructor kills whole, so neither a
// clean stop nor a kill -9 of the server leaves it running.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/error.hpp"

namespace sluice::services::lambda {

struct ProcessSpec {
  std::vector<std::string> argv;  // argv[0] is the program (a path, or looked up in PATH)
  std::vector<std::string> env;   // "NAME=value"
  std::filesystem::path cwd;
  int passFd = -1;  // handed to the program as its file descriptor 3
  // Folders the process sees read-only (a function's code and layers, as
  // /var/task and /opt are on AWS): bound read-only in its own mount
  // namespace where the machine allows one, left as they are where not.
  std::vector<std::filesystem::path> readOnly;
};

// In a just-forked child, before it runs anything else: makes `paths`
// read-only for this process alone. System calls only (safe after vfork);
// false where the machine refuses a mount namespace.
bool enterReadOnlyView(const std::vector<const char*>& paths);

class SandboxProcess {
 public:
  // Called on the process's reader thread.
  using OnOutput = std::function<void(std::string_view chunk)>;
  // Once, after the output ended and the process was reaped: its exit code,
  // or 128 + the signal that killed it.
  using OnExit = std::function<void(int status)>;

  // Must be called from a thread that outlives the process (the death signal
  // follows the thread that forked): the engine's worker pool qualifies.
  static Result<std::unique_ptr<SandboxProcess>> spawn(const ProcessSpec& spec, OnOutput output,
                                                       OnExit exited);
  // How a process's end is awaited: blocks until `pid` ended, and gives its
  // exit code or 128 + its signal.
  using Reap = std::function<int(pid_t pid)>;
  // A process another process forked on our behalf (the Python fork server):
  // its group is `pid`, its output arrives on `outputFd` (taken over, made
  // non-blocking here), and `reap` learns its end from whoever can wait for it.
  static std::unique_ptr<SandboxProcess> adopt(pid_t pid, int outputFd, OnOutput output,
                                               OnExit exited, Reap reap);
  ~SandboxProcess();
  SandboxProcess(const SandboxProcess&) = delete;
  SandboxProcess& operator=(const SandboxProcess&) = delete;

  pid_t pid() const { return pid_; }
  // SIGKILL to the whole group; idempotent.
  void kill();
  // Resident and peak resident memory of the main process, in bytes (0 once gone).
  struct Memory {
    int64_t rss = 0;
    int64_t peak = 0;
  };
  Memory memory() const;
  // Hands everything the process has written so far to OnOutput before
  // returning: a runtime flushes its log before posting a response, so after
  // this the invocation's whole log has been seen.
  void drainOutput();
  // True once the process (and everything holding its output) has gone, even
  // before the reader has seen the end: an idle sandbox that died is not
  // handed work. Lock-free, so callable under any lock.
  bool hungUp() const;

 private:
  SandboxProcess() = default;
  void readLoop();
  // Reads what the pipe holds without blocking; false at end of output.
  bool readAvailable();

  pid_t pid_ = -1;
  int fd_ = -1;
  int probeFd_ = -1;  // a second handle on the output pipe, for hungUp()
  OnOutput output_;
  OnExit exited_;
  Reap reap_;
  std::mutex readMu_;  // one reader at a time, so chunks keep their order
  bool ended_ = false;
  std::atomic<bool> reaped_{false};
  std::thread reader_;
};

}  // namespace sluice::services::lambda
