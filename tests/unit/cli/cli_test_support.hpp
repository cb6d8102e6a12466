// Runs the real `sluice` binary as a child process and captures its output.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

extern char** environ;

namespace sluice::cli::testing {

struct CommandResult {
  int exitCode = -1;  // -1: could not start; 128+n: killed by signal n
  std::string out;
  std::string err;
};

// Runs `argv` (argv[0] is the executable path) with stdin from /dev/null and
// `extraEnv` ("NAME=value") added to, or overriding, the environment.
inline CommandResult runCommand(const std::vector<std::string>& argv,
                                const std::vector<std::string>& extraEnv = {}) {
  CommandResult result;
  int outPipe[2], errPipe[2];
  if (pipe2(outPipe, O_CLOEXEC) != 0) return result;
  if (pipe2(errPipe, O_CLOEXEC) != 0) {
    close(outPipe[0]);
    close(outPipe[1]);
    return result;
  }
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string entry = *e;
    std::string key = entry.substr(0, entry.find('='));
    bool overridden = false;
    for (const auto& x : extraEnv)
      if (x.substr(0, x.find('=')) == key) overridden = true;
    if (!overridden) env.push_back(entry);
  }
  for (const auto& x : extraEnv) env.push_back(x);
  std::vector<char*> envp, args;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> argCopy = argv;
  for (auto& a : argCopy) args.push_back(a.data());
  args.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(outPipe[1]);
  close(errPipe[1]);
  if (rc != 0) {
    close(outPipe[0]);
    close(errPipe[0]);
    result.err = std::strerror(rc);
    return result;
  }
  int fds[2] = {outPipe[0], errPipe[0]};
  std::string* into[2] = {&result.out, &result.err};
  char buf[65536];
  while (fds[0] >= 0 || fds[1] >= 0) {
    pollfd p[2];
    int n = 0, which[2];
    for (int i = 0; i < 2; ++i) {
      if (fds[i] >= 0) {
        which[n] = i;
        p[n++] = {fds[i], POLLIN, 0};
      }
    }
    if (poll(p, static_cast<nfds_t>(n), -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int k = 0; k < n; ++k) {
      if (!(p[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      int i = which[k];
      ssize_t r = read(fds[i], buf, sizeof buf);
      if (r > 0) {
        into[i]->append(buf, static_cast<size_t>(r));
      } else if (r == 0 || errno != EINTR) {
        close(fds[i]);
        fds[i] = -1;
      }
    }
  }
  for (int fd : fds)
    if (fd >= 0) close(fd);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

// A temporary directory, removed afterwards.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "sluice-cli-XXXXXX").string();
    dir_ = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string write(const std::string& name, const std::string& text, bool executable = false) {
    auto p = dir_ / name;
    std::ofstream(p) << text;
    if (executable) std::filesystem::permissions(p, std::filesystem::perms::owner_all);
    return p.string();
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

 private:
  std::filesystem::path dir_;
};

}  // namespace sluice::cli::testing
