#include "engine/local_functions.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>

extern char** environ;

namespace sluice::engine {

namespace {

// Closes a file descriptor when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_;
};

// Shared between the worker running the process and the engine, which may
// cancel (kill) it on a task timeout.
struct ProcessHandle {
  std::mutex mu;
  int pid = 0;
  bool cancelled = false;
  void kill() {
    std::lock_guard lock(mu);
    cancelled = true;
    if (pid > 0) ::kill(pid, SIGKILL);
  }
};

class RunningProcess final : public RunningTask {
 public:
  explicit RunningProcess(std::shared_ptr<ProcessHandle> h) : h_(std::move(h)) {}
  ~RunningProcess() override { h_->kill(); }
  void cancel() override { h_->kill(); }

 private:
  std::shared_ptr<ProcessHandle> h_;
};

// Blocks SIGPIPE on the calling thread; on destruction discards a SIGPIPE
// raised meanwhile and restores the signal mask.
class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~SigpipeGuard() {
    if (sigismember(&old_, SIGPIPE)) return;  // it was blocked before: not ours to consume
    timespec zero{0, 0};
    while (sigtimedwait(&pipe_, nullptr, &zero) > 0) {
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;

 private:
  sigset_t pipe_, old_;
};

}  // namespace

ProcessResult runProcess(const std::string& executable, const std::string& input,
                         const std::function<void(int pid)>& onStart) {
  ProcessResult result;
  int inPipe[2], outPipe[2], errPipe[2];
  if (pipe2(inPipe, O_CLOEXEC) != 0) return result;
  Fd inRead(inPipe[0]), inWrite(inPipe[1]);
  if (pipe2(outPipe, O_CLOEXEC) != 0) return result;
  Fd outRead(outPipe[0]), outWrite(outPipe[1]);
  if (pipe2(errPipe, O_CLOEXEC) != 0) return result;
  Fd errRead(errPipe[0]), errWrite(errPipe[1]);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, inRead.get(), 0);
  posix_spawn_file_actions_adddup2(&actions, outWrite.get(), 1);
  posix_spawn_file_actions_adddup2(&actions, errWrite.get(), 2);
  std::string path = executable;
  char* argv[] = {path.data(), nullptr};
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, path.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    result.err = std::strerror(rc);
    return result;
  }
  onStart(pid);
  inRead.reset();
  outWrite.reset();
  errWrite.reset();
  // A function that exits without reading all of its stdin must not take
  // Sluice down with SIGPIPE: block it on this thread while feeding stdin
  // (the write then fails with EPIPE) and discard it afterwards.
  SigpipeGuard sigpipeGuard;

  // Feed stdin and drain stdout/stderr together so neither side blocks.
  size_t written = 0;
  if (input.empty())
    inWrite.reset();
  else
    fcntl(inWrite.get(), F_SETFL, O_NONBLOCK);
  char buf[65536];
  for (;;) {
    pollfd fds[3];
    int n = 0;
    int outIdx = -1, errIdx = -1, inIdx = -1;
    if (outRead.get() >= 0) fds[outIdx = n++] = {outRead.get(), POLLIN, 0};
    if (errRead.get() >= 0) fds[errIdx = n++] = {errRead.get(), POLLIN, 0};
    if (inWrite.get() >= 0) fds[inIdx = n++] = {inWrite.get(), POLLOUT, 0};
    if (n == 0) break;
    if (poll(fds, static_cast<nfds_t>(n), -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    auto drain = [&](int idx, Fd& fd, std::string& into) {
      if (idx < 0 || !(fds[idx].revents & (POLLIN | POLLHUP | POLLERR))) return;
      ssize_t r = ::read(fd.get(), buf, sizeof buf);
      if (r > 0)
        into.append(buf, static_cast<size_t>(r));
      else if (r == 0 || errno != EINTR)
        fd.reset();
    };
    drain(outIdx, outRead, result.out);
    drain(errIdx, errRead, result.err);
    if (inIdx >= 0 && (fds[inIdx].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t w = ::write(inWrite.get(), input.data() + written, input.size() - written);
      if (w > 0) written += static_cast<size_t>(w);
      if (w < 0 && errno != EAGAIN && errno != EINTR) inWrite.reset();
      if (written == input.size()) inWrite.reset();
    }
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exitStatus = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

void LocalFunctions::bind(const std::string& function, std::string executable) {
  executables_[functionNameOf(function)] = std::move(executable);
}

std::unique_ptr<RunningTask> LocalFunctions::invoke(const std::string& function,
                                                    std::string payload, const Scope& scope,
                                                    EventLoop& loop, FunctionDone done) {
  std::string name = functionNameOf(function);
  auto it = executables_.find(name);
  if (it == executables_.end()) {
    done(AwsError{"ResourceNotFoundException",
                  "Function not found: " + arn::lambdaFunction(scope, name) + ":$LATEST", 404});
    return nullptr;
  }
  auto handle = std::make_shared<ProcessHandle>();
  auto result = std::make_shared<ProcessResult>();
  loop.runBlocking(
      [exe = it->second, payload = std::move(payload), handle, result] {
        *result = runProcess(exe, payload, [&](int pid) {
          std::lock_guard lock(handle->mu);
          handle->pid = pid;
          if (handle->cancelled) ::kill(pid, SIGKILL);
        });
        std::lock_guard lock(handle->mu);
        handle->pid = 0;  // reaped: never signal a recycled pid
      },
      [handle, result, done = std::move(done), exe = it->second, name, sink = logSink_] {
        {
          std::lock_guard lock(handle->mu);
          if (handle->cancelled) return;
        }
        if (result->exitStatus < 0) {
          done(AwsError{"ServiceException",
                        "Could not start function executable '" + exe + "': " + result->err, 500});
          return;
        }
        FunctionResponse r;
        r.functionError = result->exitStatus != 0;
        r.payload = std::move(result->out);
        if (sink && !result->err.empty()) sink(name, result->err);
        r.logs = std::move(result->err);  // stderr is the function's log
        if (r.functionError) {
          auto v = parseJson(r.payload);
          if (!v || !v->is_object() || !v->as_object().contains("errorType")) {
            // Like a Lambda runtime whose process died without an error object.
            JsonObject e;
            e["errorType"] = "Runtime.ExitError";
            e["errorMessage"] =
                "Runtime exited with error: exit status " + std::to_string(result->exitStatus);
            r.payload = toJsonText(e);
          }
        }
        done(std::move(r));
      });
  return std::make_unique<RunningProcess>(handle);
}

}  // namespace sluice::engine
