// A forked child that reports progress through a pipe, for crash tests:
// the child acknowledges each durable write by printing a line, the parent
// reads acknowledgements, kills the child with SIGKILL mid-stream, reaps it,
// reads whatever acknowledgements were already in the pipe, and then checks
// the on-disk state against every acknowledgement it saw.
//
//   auto child = ChildProcess::spawn([&](int out) {
//     ... for each write that completed durably: ChildProcess::writeLine(out, id);
//     return 0;
//   });
//   for (int i = 0; i < 100; ++i) acked.insert(*child.readLine());
//   child.kill9();
//   while (auto line = child.readLine()) acked.insert(*line);  // drains to EOF
//
// No sleeps: the parent synchronises on the pipe and waitpid only. The child
// leaves with _exit and never returns into the test framework. Header-only
// and independent of GoogleTest, so the server's kill -9 tests can use it.
#pragma once

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <exception>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace sluice::testing {

class ChildProcess {
 public:
  // Forks; the child runs body(writeFd) and exits with its return value
  // (127 when it throws). The parent keeps the read end.
  static ChildProcess spawn(const std::function<int(int writeFd)>& body) {
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
    std::fflush(nullptr);  // no buffered output duplicated into the child
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
      ::close(fds[0]);
      int code = 127;
      try {
        code = body(fds[1]);
      } catch (...) {
      }
      ::_exit(code);
    }
    ::close(fds[1]);
    return ChildProcess(pid, fds[0]);
  }

  // Writes one line with a single write(2): lines shorter than PIPE_BUF are
  // atomic, so several child threads may report concurrently. False when the
  // parent has gone away.
  static bool writeLine(int fd, std::string_view line) {
    std::string text(line);
    text.push_back('\n');
    std::size_t done = 0;
    while (done < text.size()) {
      const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        return false;
      }
      done += static_cast<std::size_t>(n);
    }
    return true;
  }

  ChildProcess(ChildProcess&& other) noexcept
      : pid_(std::exchange(other.pid_, -1)),
        fd_(std::exchange(other.fd_, -1)),
        buffer_(std::move(other.buffer_)) {}
  ChildProcess& operator=(ChildProcess&&) = delete;
  ChildProcess(const ChildProcess&) = delete;

  ~ChildProcess() {
    if (pid_ > 0) kill9();
    if (fd_ >= 0) ::close(fd_);
  }

  // The next line the child wrote (without '\n'); nullopt at end of file
  // (the child exited or was killed, and everything it wrote was read).
  std::optional<std::string> readLine() {
    for (;;) {
      if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
        std::string line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return line;
      }
      char chunk[4096];
      const ssize_t n = ::read(fd_, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return std::nullopt;  // a partial last line is dropped
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }

  // SIGKILL and reap; returns the wait status.
  int kill9() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGKILL);
    return wait();
  }

  // Waits for the child to exit; returns the wait status.
  int wait() {
    int status = 0;
    if (pid_ <= 0) return -1;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    return status;
  }

  pid_t pid() const { return pid_; }

 private:
  ChildProcess(pid_t pid, int fd) : pid_(pid), fd_(fd) {}
  pid_t pid_;
  int fd_;
  std::string buffer_;
};

}  // namespace sluice::testing
