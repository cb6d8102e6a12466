#include "services/lambda/fork_server.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/json.hpp"

namespace sluice::services::lambda {

namespace {

AwsError forkError(const std::string& what) {
  return AwsError::internal("python fork server: " + what);
}

}  // namespace

Result<std::shared_ptr<ForkServer>> ForkServer::start(const std::string& python,
                                                      const std::filesystem::path& bootstrap,
                                                      std::vector<std::string> env) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0) {
    return forkError(std::string("socketpair: ") + std::strerror(errno));
  }
  std::shared_ptr<ForkServer> server(new ForkServer());
  server->control_ = fds[0];
  ProcessSpec spec;
  spec.argv = {python, bootstrap.string(), "--fork-server"};
  spec.env = std::move(env);
  spec.cwd = bootstrap.parent_path();
  spec.passFd = fds[1];
  auto process = SandboxProcess::spawn(
      spec,
      [](std::string_view chunk) {
        // Its own output is only ever a crash report: the server's log shows it.
        std::fprintf(stderr, "python fork server: %.*s", static_cast<int>(chunk.size()),
                     chunk.data());
      },
      [](int) {});
  ::close(fds[1]);
  if (!process) {
    ::close(fds[0]);
    server->control_ = -1;
    return process.error();
  }
  server->process_ = std::move(*process);
  server->reader_ = std::thread([raw = server.get()] { raw->readLoop(); });
  return server;
}

ForkServer::~ForkServer() {
  if (control_ >= 0) ::shutdown(control_, SHUT_RDWR);
  if (process_) process_->kill();
  if (reader_.joinable()) reader_.join();
  if (control_ >= 0) ::close(control_);
}

bool ForkServer::alive() const {
  std::lock_guard lock(mu_);
  return !dead_;
}

pid_t ForkServer::pid() const {
  return process_ ? process_->pid() : -1;
}

void ForkServer::readLoop() {
  std::vector<char> buf(4096);
  for (;;) {
    ssize_t n = ::recv(control_, buf.data(), buf.size(), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    std::string message(buf.data(), static_cast<size_t>(n));
    std::lock_guard lock(mu_);
    long long pid = 0;
    int status = 0;
    if (std::sscanf(message.c_str(), "exit %lld %d", &pid, &status) == 2) {
      exits_[static_cast<pid_t>(pid)] = status;
    } else {
      answers_.push_back(std::move(message));
    }
    changed_.notify_all();
  }
  std::lock_guard lock(mu_);
  dead_ = true;
  changed_.notify_all();
}

int ForkServer::waitExit(pid_t pid) {
  std::unique_lock lock(mu_);
  changed_.wait(lock, [&] { return dead_ || exits_.count(pid); });
  auto it = exits_.find(pid);
  if (it == exits_.end()) return 128 + 9;  // the fork server died, and its children with it
  int status = it->second;
  exits_.erase(it);
  return status;
}

Result<std::unique_ptr<SandboxProcess>> ForkServer::fork(const ProcessSpec& spec,
                                                         SandboxProcess::OnOutput output,
                                                         SandboxProcess::OnExit exited) {
  JsonArray env;
  for (const auto& e : spec.env) env.emplace_back(boost::json::string_view(e));
  JsonObject request;
  request["env"] = std::move(env);
  request["cwd"] = spec.cwd.string();
  JsonArray readOnly;
  for (const auto& p : spec.readOnly) readOnly.emplace_back(boost::json::string_view(p.string()));
  request["readOnly"] = std::move(readOnly);
  std::string text = toJsonText(request);

  int pipeFds[2];
  if (::pipe2(pipeFds, O_CLOEXEC) != 0) {
    return forkError(std::string("pipe: ") + std::strerror(errno));
  }
  std::lock_guard request_lock(requestMu_);
  // The write end travels with the request; the child makes it its stdout
  // and stderr.
  iovec iov{text.data(), text.size()};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  cmsghdr* cm = CMSG_FIRSTHDR(&msg);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(cm), &pipeFds[1], sizeof(int));
  ssize_t sent;
  do {
    sent = ::sendmsg(control_, &msg, MSG_NOSIGNAL);
  } while (sent < 0 && errno == EINTR);
  ::close(pipeFds[1]);
  if (sent < 0) {
    ::close(pipeFds[0]);
    return forkError(std::string("send: ") + std::strerror(errno));
  }
  std::string answer;
  {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return dead_ || !answers_.empty(); });
    if (answers_.empty()) {
      ::close(pipeFds[0]);
      return forkError("it exited");
    }
    answer = std::move(answers_.front());
    answers_.erase(answers_.begin());
  }
  long long pid = 0;
  if (std::sscanf(answer.c_str(), "pid %lld", &pid) != 1 || pid <= 0) {
    ::close(pipeFds[0]);
    return forkError(answer);
  }
  return SandboxProcess::adopt(
      static_cast<pid_t>(pid), pipeFds[0], std::move(output), std::move(exited),
      [self = shared_from_this()](pid_t child) { return self->waitExit(child); });
}

}  // namespace sluice::services::lambda
