#include "services/lambda/sandbox_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace sluice::services::lambda {

bool enterReadOnlyView(const std::vector<const char*>& paths) {
  if (paths.empty()) return true;
  if (::unshare(CLONE_NEWNS) != 0) return false;
  // Private first, so the binds below stay in this namespace.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return false;
  bool all = true;
  for (const char* p : paths) {
    if (::mount(p, p, nullptr, MS_BIND | MS_REC, nullptr) != 0 ||
        ::mount(nullptr, p, nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY, nullptr) != 0) {
      all = false;
    }
  }
  return all;
}

Result<std::unique_ptr<SandboxProcess>> SandboxProcess::spawn(const ProcessSpec& spec,
                                                              OnOutput output, OnExit exited) {
  if (spec.argv.empty()) return AwsError::internal("sandbox: no program");
  // Everything the child touches is prepared before the fork: after vfork it
  // may only make system calls.
  std::vector<char*> argv, envp;
  for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : spec.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  std::string program = spec.argv[0];
  if (program.find('/') == std::string::npos) {
    // execvpe is not safe after vfork; resolve PATH here.
    const char* path = std::getenv("PATH");
    std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
    size_t start = 0;
    while (start <= dirs.size()) {
      size_t end = dirs.find(':', start);
      if (end == std::string::npos) end = dirs.size();
      std::string candidate = dirs.substr(start, end - start) + "/" + program;
      if (::access(candidate.c_str(), X_OK) == 0) {
        program = candidate;
        break;
      }
      start = end + 1;
    }
  }
  std::string cwd = spec.cwd.string();
  int passFd = spec.passFd;
  std::vector<const char*> readOnly;
  for (const auto& p : spec.readOnly) readOnly.push_back(p.c_str());
  int pipeFds[2];
  if (::pipe2(pipeFds, O_CLOEXEC) != 0) {
    return AwsError::internal(std::string("sandbox: pipe: ") + std::strerror(errno));
  }
  pid_t parent = ::getpid();
  pid_t pid = ::vfork();
  if (pid < 0) {
    int err = errno;
    ::close(pipeFds[0]);
    ::close(pipeFds[1]);
    return AwsError::internal(std::string("sandbox: fork: ") + std::strerror(err));
  }
  if (pid == 0) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // the server died before the signal was armed
    ::dup2(pipeFds[1], 1);
    ::dup2(pipeFds[1], 2);
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    enterReadOnlyView(readOnly);
    if (passFd == 3) {
      ::fcntl(3, F_SETFD, 0);
    } else if (passFd >= 0) {
      ::dup2(passFd, 3);
    }
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) ::_exit(126);
    ::execve(program.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(pipeFds[1]);
  return adopt(pid, pipeFds[0], std::move(output), std::move(exited), [](pid_t child) {
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  });
}

std::unique_ptr<SandboxProcess> SandboxProcess::adopt(pid_t pid, int outputFd, OnOutput output,
                                                      OnExit exited, Reap reap) {
  ::fcntl(outputFd, F_SETFL, O_NONBLOCK);
  std::unique_ptr<SandboxProcess> p(new SandboxProcess());
  p->pid_ = pid;
  p->fd_ = outputFd;
  p->probeFd_ = ::fcntl(outputFd, F_DUPFD_CLOEXEC, 0);
  p->output_ = std::move(output);
  p->exited_ = std::move(exited);
  p->reap_ = std::move(reap);
  p->reader_ = std::thread([raw = p.get()] { raw->readLoop(); });
  return p;
}

bool SandboxProcess::readAvailable() {
  std::lock_guard lock(readMu_);
  if (ended_) return false;
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n > 0) {
      output_(std::string_view(buf, static_cast<size_t>(n)));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return true;
    ended_ = true;
    return false;
  }
}

void SandboxProcess::drainOutput() {
  readAvailable();
}

void SandboxProcess::readLoop() {
  for (;;) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, -1) < 0 && errno != EINTR) break;
    if (!readAvailable()) break;
  }
  {
    std::lock_guard lock(readMu_);
    ended_ = true;
  }
  ::close(fd_);
  int status = reap_(pid_);
  // Whatever the main process left behind in its group goes with it.
  ::kill(-pid_, SIGKILL);
  reaped_ = true;
  exited_(status);
}

bool SandboxProcess::hungUp() const {
  if (reaped_) return true;
  pollfd p{probeFd_, 0, 0};
  return probeFd_ >= 0 && ::poll(&p, 1, 0) > 0 && (p.revents & POLLHUP);
}

void SandboxProcess::kill() {
  if (!reaped_) ::kill(-pid_, SIGKILL);
}

SandboxProcess::~SandboxProcess() {
  kill();
  if (reader_.joinable()) {
    if (reader_.get_id() == std::this_thread::get_id()) {
      reader_.detach();  // destroyed from its own exit callback
    } else {
      reader_.join();
    }
  }
  if (probeFd_ >= 0) ::close(probeFd_);
}

SandboxProcess::Memory SandboxProcess::memory() const {
  Memory m;
  if (reaped_) return m;
  std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    auto kb = [&](std::string_view key) -> int64_t {
      return std::stoll(line.substr(key.size())) * 1024;
    };
    if (line.rfind("VmRSS:", 0) == 0) m.rss = kb("VmRSS:");
    if (line.rfind("VmHWM:", 0) == 0) m.peak = kb("VmHWM:");
  }
  return m;
}

}  // namespace sluice::services::lambda
