// A warm Python interpreter that forks Python sandboxes.
//
// Starting python3 costs tens of milliseconds before a line of the runtime
// runs (the interpreter, site and whatever .pth files the machine has); a
// fork of an interpreter that already paid for that costs about one. The
// fork server is the Python bootstrap started once with `--fork-server`: on
// request it forks a child that takes on the sandbox's environment, working
// directory and output pipe, then runs the same runtime loop a started
// bootstrap runs. It never imports a function's code, so every child starts
// from the same clean interpreter.
//
// Protocol, on a SOCK_SEQPACKET socket that is the server's descriptor 3:
// a request is a JSON object {"env": ["NAME=value", ...], "cwd": "...",
// "readOnly": ["path", ...]} with
// the write end of the sandbox's output pipe attached (SCM_RIGHTS); the
// answers are "pid N" (one per request, in order), "error TEXT", and
// "exit N STATUS" when a child ended (STATUS: exit code, or 128 + signal).
//
// The children die with the fork server (PR_SET_PDEATHSIG), which dies with
// the Sluice server, so a kill -9 of the server leaves nothing behind.
#pragma once

#include <sys/types.h>

#include <condition_variable>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "services/lambda/sandbox_process.hpp"

namespace sluice::services::lambda {

class ForkServer : public std::enable_shared_from_this<ForkServer> {
 public:
  // Starts `python bootstrap --fork-server` with `env` (what every child
  // starts from before taking on its own). Call from a thread that outlives
  // it, as for SandboxProcess::spawn.
  static Result<std::shared_ptr<ForkServer>> start(const std::string& python,
                                                   const std::filesystem::path& bootstrap,
                                                   std::vector<std::string> env);
  ~ForkServer();
  ForkServer(const ForkServer&) = delete;
  ForkServer& operator=(const ForkServer&) = delete;

  // Forks a sandbox with spec.env, spec.cwd and spec.readOnly (spec.argv is the fork
  // server's own), its output read as SandboxProcess::spawn's is.
  Result<std::unique_ptr<SandboxProcess>> fork(const ProcessSpec& spec,
                                               SandboxProcess::OnOutput output,
                                               SandboxProcess::OnExit exited);
  // False once the fork server has gone (killed, crashed): start another.
  bool alive() const;
  pid_t pid() const;

 private:
  ForkServer() = default;
  void readLoop();
  int waitExit(pid_t pid);

  std::unique_ptr<SandboxProcess> process_;
  int control_ = -1;
  std::mutex requestMu_;  // one fork request in flight, so answers pair with requests
  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::vector<std::string> answers_;  // "pid N" / "error ..." not yet taken
  std::map<pid_t, int> exits_;        // children that ended, not yet awaited
  bool dead_ = false;
  std::thread reader_;
};

}  // namespace sluice::services::lambda
