#include "function_double.hpp"

#include <cmath>

namespace sluice::conformance {

namespace {

class TimerTask final : public engine::RunningTask {
 public:
  TimerTask(engine::EventLoop& loop, engine::EventLoop::TimerId id) : loop_(loop), id_(id) {}
  void cancel() override { loop_.cancel(id_); }

 private:
  engine::EventLoop& loop_;
  engine::EventLoop::TimerId id_;
};

std::string pyString(std::string_view s) {
  // Python prefers single quotes unless the text contains one and no double quote.
  bool useDouble = s.find('\'') != std::string_view::npos && s.find('"') == std::string_view::npos;
  char q = useDouble ? '"' : '\'';
  std::string out(1, q);
  for (char c : s) {
    if (c == q || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  out += q;
  return out;
}

}  // namespace

std::string pythonRepr(const Json& v) {
  switch (v.kind()) {
    case json::kind::null: return "None";
    case json::kind::bool_: return v.get_bool() ? "True" : "False";
    case json::kind::string: return pyString(v.get_string());
    case json::kind::double_: {
      std::string t = toJsonText(v);
      auto e = t.find('E');
      if (e != std::string::npos) t = t.substr(0, e) + "e+" + t.substr(e + 1);
      return t;
    }
    case json::kind::array: {
      std::string out = "[";
      bool first = true;
      for (const auto& e : v.get_array()) {
        if (!first) out += ", ";
        first = false;
        out += pythonRepr(e);
      }
      return out + "]";
    }
    case json::kind::object: {
      std::string out = "{";
      bool first = true;
      for (const auto& kv : v.get_object()) {
        if (!first) out += ", ";
        first = false;
        out += pyString(kv.key()) + ": " + pythonRepr(kv.value());
      }
      return out + "}";
    }
    default: return toJsonText(v);
  }
}

std::unique_ptr<engine::RunningTask> FunctionDouble::invoke(const std::string& function,
                                                            std::string payload,
                                                            const Scope& scope,
                                                            engine::EventLoop& loop,
                                                            engine::FunctionDone done) {
  std::string name = engine::functionNameOf(function);
  auto it = behaviours_.find(name);
  if (it == behaviours_.end()) {
    done(AwsError{"ResourceNotFoundException",
                  "Function not found: " + arn::lambdaFunction(scope, name) + ":$LATEST", 404});
    return nullptr;
  }
  const std::string& b = it->second;
  engine::FunctionResponse r;
  if (b == "echo") {
    r.payload = payload;
  } else if (b.starts_with("return:")) {
    r.payload = b.substr(7);
  } else if (b.starts_with("return_raw:")) {
    r.payload = b.substr(11);
  } else if (b.starts_with("raise:")) {
    auto rest = b.substr(6);
    auto colon = rest.find(':');
    std::string type = rest.substr(0, colon);
    std::string message = colon == std::string::npos ? "" : rest.substr(colon + 1);
    JsonObject e;
    e["errorMessage"] = message;
    e["errorType"] = type;
    e["requestId"] = ids_.uuid();
    std::string frame =
        message.empty()
            ? "  File \"/var/task/handler.py\", line 9, in handler\n    raise " + type + "()\n"
            : "  File \"/var/task/handler.py\", line 2, in handler\n    raise " + type +
                  "(\"" + message + "\")\n";
    e["stackTrace"] = JsonArray{Json(frame)};
    r.payload = toJsonText(e);
    r.functionError = true;
  } else if (b.starts_with("sleep_echo:")) {
    double seconds = std::stod(b.substr(11));
    auto id = loop.schedule(loop.now() + Duration(static_cast<int64_t>(seconds * 1e6)),
                            [done, payload] {
                              engine::FunctionResponse rr;
                              rr.payload = payload;
                              done(std::move(rr));
                            });
    return std::make_unique<TimerTask>(loop, id);
  } else if (b.starts_with("return_large_string:")) {
    size_t n = std::stoul(b.substr(20));
    r.payload = "\"" + std::string(n, 'a') + "\"";
  } else if (b.starts_with("python_fstring:")) {
    std::string tmpl = b.substr(15);
    auto event = parseJson(payload);
    std::string rendered = event ? pythonRepr(*event) : payload;
    auto pos = tmpl.find("{event}");
    if (pos != std::string::npos) tmpl.replace(pos, 7, rendered);
    r.payload = toJsonText(Json(tmpl));
  } else {
    done(AwsError{"ServiceException", "unknown test behaviour '" + b + "'", 500});
    return nullptr;
  }
  done(std::move(r));
  return nullptr;
}

}  // namespace sluice::conformance
