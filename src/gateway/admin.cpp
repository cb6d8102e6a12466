#include "gateway/admin.hpp"

#include <cmath>
#include <fstream>
#include <memory>
#include <sstream>

#include "gateway/settle.hpp"

namespace sluice::gateway {

namespace {

HttpResponse jsonResponse(int status, const Json& body) {
  HttpResponse r;
  r.status = status;
  r.headers = {{"Content-Type", "application/json"}};
  r.body = toJsonText(body);
  return r;
}

HttpResponse adminError(int status, std::string code, std::string message) {
  JsonObject o;
  o["__type"] = std::move(code);
  o["message"] = std::move(message);
  return jsonResponse(status, o);
}

Json clockState(const Clock& clock) {
  JsonObject o;
  o["now"] = formatIso8601(clock.now());
  o["mode"] = clock.isVirtual() ? "virtual" : "real";
  return o;
}

constexpr std::chrono::seconds kSettleLimit{10};

// Waits on the worker pool (the loop must keep running) until the server is
// quiet, then answers with `answer(idle)`.
void afterSettling(engine::EventLoop& loop, store::sqlite::WriteQueue* writer,
                   std::function<void(bool idle)> answer) {
  auto idle = std::make_shared<bool>(false);
  // This wait is itself a job on the worker pool: one job is ours.
  loop.runBlocking([&loop, writer,
                    idle] { *idle = waitUntilSettled(loop, writer, kSettleLimit, /*ownJobs=*/1); },
                   [idle, answer = std::move(answer)] { answer(*idle); });
}

// A package name is a hex SHA-256 and ".zip": nothing else is served.
bool packageName(std::string_view name) {
  if (name.size() != 68 || !name.ends_with(".zip")) return false;
  for (char c : name.substr(0, 64)) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

AdminHandler makeAdminHandler(const Clock& clock, engine::EventLoop& loop, ClockMoved clockMoved,
                              store::sqlite::WriteQueue* writer,
                              std::filesystem::path lambdaCodeDir) {
  return [&clock, &loop, clockMoved, writer, lambdaCodeDir](const HttpRequest& req,
                                                            HttpReply& reply) -> bool {
    std::string_view path = req.target;
    path = path.substr(0, path.find('?'));
    constexpr std::string_view kCode = "/_sluice/lambda/code/";
    if (path.starts_with(kCode) && req.method == "GET" && !lambdaCodeDir.empty()) {
      std::string_view name = path.substr(kCode.size());
      std::ifstream in(lambdaCodeDir / std::string(name), std::ios::binary);
      if (!packageName(name) || !in) {
        reply(adminError(404, "NotFound", "No such function package."));
        return true;
      }
      std::ostringstream bytes;
      bytes << in.rdbuf();
      HttpResponse r;
      r.headers = {{"Content-Type", "application/zip"}};
      r.body = std::move(bytes).str();
      reply(std::move(r));
      return true;
    }
    if (path == "/_sluice/health") {
      JsonObject o;
      o["status"] = "ok";
      reply(jsonResponse(200, o));
      return true;
    }
    if (path == "/_sluice/idle" && req.method == "GET") {
      afterSettling(loop, writer, [reply = std::move(reply)](bool idle) {
        JsonObject o;
        o["idle"] = idle;
        reply(jsonResponse(200, o));
      });
      return true;
    }
    if (path == "/_sluice/clock" && req.method == "GET") {
      reply(jsonResponse(200, clockState(clock)));
      return true;
    }
    if (path == "/_sluice/clock/advance" && req.method == "POST") {
      if (!clock.isVirtual()) {
        reply(adminError(409, "ClockNotVirtual",
                         "The clock is real; start the server with --clock virtual to move it."));
        return true;
      }
      auto body = parseJson(req.body.empty() ? "{}" : req.body);
      const Json* seconds =
          body && body->is_object() ? body->as_object().if_contains("seconds") : nullptr;
      if (!seconds || !isNumber(*seconds) || toDouble(*seconds) < 0 ||
          !std::isfinite(toDouble(*seconds))) {
        reply(adminError(400, "ValidationException",
                         "Body must be {\"seconds\": N} with N a non-negative number."));
        return true;
      }
      auto by = Duration(static_cast<int64_t>(std::llround(toDouble(*seconds) * 1e6)));
      loop.advanceVirtual(by, [&clock, &loop, clockMoved, writer, reply = std::move(reply)] {
        // The answer shows the window's end even if settling takes a while.
        Json state = clockState(clock);
        auto answer = [&loop, writer, reply, state] {
          afterSettling(loop, writer, [reply, state](bool) { reply(jsonResponse(200, state)); });
        };
        if (!clockMoved) return answer();
        clockMoved(clock.now(), answer);
      });
      return true;
    }
    reply(adminError(404, "NotFound", "No such Sluice endpoint: " + std::string(path)));
    return true;
  };
}

}  // namespace sluice::gateway
