#include "function_double.hpp"

#include <cmath>
#include <cstdio>

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

void dumpString(std::string& out, std::string_view s) {
  out += '"';
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    char buf[16];
    switch (c) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\r':
        out += "\\r";
        continue;
      case '\t':
        out += "\\t";
        continue;
      case '\b':
        out += "\\b";
        continue;
      case '\f':
        out += "\\f";
        continue;
      default:
        break;
    }
    if (c < 0x20) {
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      // Decode UTF-8 and escape as \uXXXX (surrogate pairs above the BMP).
      uint32_t cp = 0;
      int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : 1;
      cp = c & (0x3F >> extra);
      for (int k = 0; k < extra && i + 1 < s.size(); ++k) cp = (cp << 6) | (s[++i] & 0x3F);
      if (cp >= 0x10000) {
        cp -= 0x10000;
        std::snprintf(buf, sizeof buf, "\\u%04x\\u%04x", 0xD800 + (cp >> 10),
                      0xDC00 + (cp & 0x3FF));
      } else {
        std::snprintf(buf, sizeof buf, "\\u%04x", cp);
      }
      out += buf;
    }
  }
  out += '"';
}

void dump(std::string& out, const Json& v) {
  switch (v.kind()) {
    case json::kind::string:
      return dumpString(out, v.get_string());
    case json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& e : v.get_array()) {
        if (!first) out += ", ";
        first = false;
        dump(out, e);
      }
      out += ']';
      return;
    }
    case json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& kv : v.get_object()) {
        if (!first) out += ", ";
        first = false;
        dumpString(out, kv.key());
        out += ": ";
        dump(out, kv.value());
      }
      out += '}';
      return;
    }
    case json::kind::double_: {
      std::string t = toJsonText(v);
      auto e = t.find('E');
      if (e != std::string::npos) t = t.substr(0, e) + "e+" + t.substr(e + 1);
      out += t;
      return;
    }
    default:
      appendJsonText(out, v);
  }
}

}  // namespace

std::string pythonJsonDumps(const Json& v) {
  std::string out;
  dump(out, v);
  return out;
}

std::string pythonRepr(const Json& v) {
  switch (v.kind()) {
    case json::kind::null:
      return "None";
    case json::kind::bool_:
      return v.get_bool() ? "True" : "False";
    case json::kind::string:
      return pyString(v.get_string());
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
    default:
      return toJsonText(v);
  }
}

std::unique_ptr<engine::RunningTask> FunctionDouble::invoke(const std::string& function,
                                                            std::string payload, const Scope& scope,
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
    auto v = parseJson(payload);
    r.payload = v ? pythonJsonDumps(*v) : payload;
  } else if (b.starts_with("return:")) {
    auto v = parseJson(b.substr(7));
    r.payload = v ? pythonJsonDumps(*v) : b.substr(7);
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
            : "  File \"/var/task/handler.py\", line 2, in handler\n    raise " + type + "(\"" +
                  message + "\")\n";
    e["stackTrace"] = JsonArray{Json(frame)};
    r.payload = pythonJsonDumps(e);
    r.functionError = true;
  } else if (b.starts_with("sleep_echo:")) {
    double seconds = std::stod(b.substr(11));
    auto id =
        loop.schedule(loop.now() + Duration(static_cast<int64_t>(seconds * 1e6)), [done, payload] {
          engine::FunctionResponse rr;
          auto v = parseJson(payload);
          rr.payload = v ? pythonJsonDumps(*v) : payload;
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
    r.payload = pythonJsonDumps(Json(tmpl));
  } else {
    done(AwsError{"ServiceException", "unknown test behaviour '" + b + "'", 500});
    return nullptr;
  }
  std::string requestId = ids_.uuid();
  r.logs = "START RequestId: " + requestId + " Version: $LATEST\nEND RequestId: " + requestId +
           "\nREPORT RequestId: " + requestId + "\tDuration: 1.00 ms\n";
  done(std::move(r));
  return nullptr;
}

}  // namespace sluice::conformance
