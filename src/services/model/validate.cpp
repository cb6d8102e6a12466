// Server-side input validation as AWS's service framework does it: first the
// JSON is read into the model's types (a mismatch is a SerializationException,
// with the framework's own messages), then every constraint of the model is
// checked and all violations are reported in one ValidationException.
#include <string>
#include <vector>

#include "services/model/service_model.hpp"

namespace sluice::services::model {

namespace {

// AWS stops listing violations after this many (the count in the message is
// the number listed).
constexpr size_t kMaxViolations = 10;

AwsError serialization(std::string message) {
  return {"SerializationException", std::move(message), 400};
}

std::string_view tokenName(const Json& v) {
  switch (v.kind()) {
    case json::kind::bool_:
      return v.as_bool() ? "TRUE_VALUE" : "FALSE_VALUE";
    case json::kind::string:
      return "STRING_VALUE";
    default:
      return "NUMBER_VALUE";
  }
}

// The framework's complaint when a JSON object or array shows up where the
// model has something else.
std::optional<AwsError> unexpectedStart(const Json& v) {
  if (v.is_object()) return serialization("Start of structure or map found where not expected.");
  if (v.is_array()) return serialization("Start of list found where not expected");
  return std::nullopt;
}

bool isIntegral(const Json& v) {
  return v.is_int64() || v.is_uint64() || toInteger(v).has_value();
}

// Phase 1: the JSON has the model's types. Nulls are absent values.
std::optional<AwsError> checkTypes(const Shape& shape, const Json& v) {
  if (v.is_null() || shape.document) return std::nullopt;
  switch (shape.type) {
    case ShapeType::Structure: {
      if (v.is_array()) return serialization("Start of list found where not expected");
      if (!v.is_object()) return serialization("Expected null");
      for (const Member& m : shape.members) {
        auto it = v.as_object().find(m.name);
        if (it == v.as_object().end() || !m.shape) continue;
        if (auto e = checkTypes(*m.shape, it->value())) return e;
      }
      return std::nullopt;
    }
    case ShapeType::List: {
      if (v.is_object())
        return serialization("Start of structure or map found where not expected.");
      if (!v.is_array()) return serialization("Expected list or null");
      if (!shape.member.shape) return std::nullopt;
      for (const Json& e : v.as_array()) {
        if (auto err = checkTypes(*shape.member.shape, e)) return err;
      }
      return std::nullopt;
    }
    case ShapeType::Map: {
      if (v.is_array()) return serialization("Start of list found where not expected");
      if (!v.is_object()) return serialization("Expected map or null");
      if (!shape.value.shape) return std::nullopt;
      for (const auto& kv : v.as_object()) {
        if (auto err = checkTypes(*shape.value.shape, kv.value())) return err;
      }
      return std::nullopt;
    }
    case ShapeType::String:
      if (auto e = unexpectedStart(v)) return e;
      if (!v.is_string()) {
        return serialization(std::string(tokenName(v)) + " can not be converted to a String");
      }
      return std::nullopt;
    case ShapeType::Boolean:
      if (auto e = unexpectedStart(v)) return e;
      // The framework reads any string as a boolean (true); numbers it refuses.
      if (isNumber(v)) return serialization("NUMBER_VALUE can not be converted to a Boolean");
      return std::nullopt;
    case ShapeType::Integer:
    case ShapeType::Long:
    case ShapeType::Float:
    case ShapeType::Double: {
      if (auto e = unexpectedStart(v)) return e;
      if (!isNumber(v)) {
        return serialization(std::string(tokenName(v)) + " can not be converted to " +
                             std::string(javaTypeName(shape.type)));
      }
      bool integral = shape.type == ShapeType::Integer || shape.type == ShapeType::Long;
      if (integral && !isIntegral(v)) return serialization("");  // AWS sends no message
      if (shape.type == ShapeType::Integer) {
        auto i = toInteger(v);
        if (!i || *i > 2147483647LL || *i < -2147483648LL) return serialization("");
      }
      return std::nullopt;
    }
    case ShapeType::Timestamp:
      if (auto e = unexpectedStart(v)) return e;
      if (v.is_bool()) {
        return serialization(std::string(tokenName(v)) +
                             " can not be converted to milliseconds since epoch");
      }
      return std::nullopt;  // epoch seconds, or a date string the operation parses
    case ShapeType::Blob:
      if (auto e = unexpectedStart(v)) return e;
      if (!v.is_string()) {
        return serialization(std::string(tokenName(v)) + " can not be converted to a Blob");
      }
      return std::nullopt;
  }
  return std::nullopt;
}

// Java's String.length(): UTF-16 code units.
size_t utf16Length(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if ((c & 0xC0) == 0x80) continue;  // continuation byte
    n += c >= 0xF0 ? 2 : 1;
  }
  return n;
}

size_t base64DecodedLength(std::string_view s) {
  while (!s.empty() && s.back() == '=') s.remove_suffix(1);
  return s.size() * 3 / 4;
}

// How AWS prints a value in "Value '...' at": Java's toString of the decoded
// request (lists "[a, b]", maps "{k=v}", blobs as a HeapByteBuffer).
void appendValue(std::string& out, const Shape* shape, const Json& v) {
  switch (v.kind()) {
    case json::kind::null:
      out += "null";
      return;
    case json::kind::string:
      if (shape && shape->type == ShapeType::Blob) {
        auto n = std::to_string(base64DecodedLength(v.as_string()));
        out += "java.nio.HeapByteBuffer[pos=0 lim=" + n + " cap=" + n + "]";
      } else {
        out += v.as_string();
      }
      return;
    case json::kind::array: {
      out += '[';
      bool first = true;
      for (const Json& e : v.as_array()) {
        if (!first) out += ", ";
        first = false;
        appendValue(out, shape ? shape->member.shape : nullptr, e);
      }
      out += ']';
      return;
    }
    case json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& kv : v.as_object()) {
        if (!first) out += ", ";
        first = false;
        out += kv.key();
        out += '=';
        const Shape* inner = nullptr;
        if (shape && shape->type == ShapeType::Map) inner = shape->value.shape;
        if (shape && shape->type == ShapeType::Structure) {
          if (const Member* m = shape->findMember(kv.key())) inner = m->shape;
        }
        appendValue(out, inner, kv.value());
      }
      out += '}';
      return;
    }
    default:
      out += toJsonText(v);
      return;
  }
}

// The member name as AWS writes it in a path: first letter lower-cased
// ("QueueUrl" -> 'queueUrl', "SAMLOptions" -> 'sAMLOptions').
std::string pathName(std::string_view name) {
  std::string s(name);
  if (!s.empty() && s[0] >= 'A' && s[0] <= 'Z') s[0] = static_cast<char>(s[0] - 'A' + 'a');
  return s;
}

std::string join(std::string_view prefix, std::string_view name) {
  if (prefix.empty()) return std::string(name);
  std::string s(prefix);
  s += '.';
  s += name;
  return s;
}

bool isScalar(const Shape& s) {
  return s.type != ShapeType::Structure && s.type != ShapeType::List && s.type != ShapeType::Map;
}

bool isNumeric(const Shape& s) {
  return s.type == ShapeType::Integer || s.type == ShapeType::Long || s.type == ShapeType::Float ||
         s.type == ShapeType::Double;
}

class Validator {
 public:
  explicit Validator(const ServiceModel& model) : model_(model) {}

  void structure(const Shape& shape, const Json& v, const std::string& prefix) {
    if (!v.is_object()) return;
    const JsonObject& o = v.as_object();
    for (const Member& m : shape.members) {
      if (!m.shape) continue;
      auto it = o.find(m.name);
      const Json* value = it == o.end() ? nullptr : &it->value();
      std::string path = join(prefix, pathName(m.name));
      if (!value || value->is_null()) {
        if (m.required) add(path, nullptr, nullptr, "Member must not be null");
        continue;
      }
      member(*m.shape, *value, path);
    }
  }

  std::vector<std::string> violations;

 private:
  void member(const Shape& shape, const Json& v, const std::string& path) {
    switch (shape.type) {
      case ShapeType::Structure:
        if (!shape.document) structure(shape, v, path);
        return;
      case ShapeType::List:
        list(shape, v, path);
        return;
      case ShapeType::Map:
        map(shape, v, path);
        return;
      default:
        for (const std::string& c : scalarViolations(shape, v)) add(path, &shape, &v, c);
        return;
    }
  }

  void list(const Shape& shape, const Json& v, const std::string& path) {
    if (!v.is_array()) return;
    const JsonArray& a = v.as_array();
    lengthViolations(shape, a.size(), path, v);
    const Shape* element = shape.member.shape;
    if (!element) return;
    if (isScalar(*element)) {
      // Elements are judged together: one violation for the list, naming
      // every constraint of the element shape.
      for (const Json& e : a) {
        if (!e.is_null() && !scalarViolations(*element, e).empty()) {
          add(path, &shape, &v, "Member must satisfy constraint: [" + describe(*element) + "]");
          break;
        }
      }
      return;
    }
    for (size_t i = 0; i < a.size(); ++i) {
      if (a[i].is_null()) continue;
      member(*element, a[i], path + "." + std::to_string(i + 1) + ".member");
    }
  }

  void map(const Shape& shape, const Json& v, const std::string& path) {
    if (!v.is_object()) return;
    const JsonObject& o = v.as_object();
    lengthViolations(shape, o.size(), path, v);
    if (const Shape* key = shape.key.shape) {
      for (const auto& kv : o) {
        if (!scalarViolations(*key, Json(kv.key())).empty()) {
          add(path, &shape, &v, "Map keys must satisfy constraint: [" + describe(*key) + "]");
          break;
        }
      }
    }
    const Shape* value = shape.value.shape;
    if (!value) return;
    if (isScalar(*value)) {
      for (const auto& kv : o) {
        if (!kv.value().is_null() && !scalarViolations(*value, kv.value()).empty()) {
          add(path, &shape, &v, "Map value must satisfy constraint: [" + describe(*value) + "]");
          break;
        }
      }
      return;
    }
    for (const auto& kv : o) {
      if (kv.value().is_null()) continue;
      member(*value, kv.value(), path + "." + std::string(kv.key()) + ".member");
    }
  }

  void lengthViolations(const Shape& shape, size_t n, const std::string& path, const Json& v) {
    if (shape.max && static_cast<double>(n) > shape.max->value) {
      add(path, &shape, &v, "Member must have length less than or equal to " + shape.max->text);
    }
    if (shape.min && static_cast<double>(n) < shape.min->value) {
      add(path, &shape, &v, "Member must have length greater than or equal to " + shape.min->text);
    }
  }

  // Every constraint of a scalar shape, as AWS lists them in "[...]".
  static std::string describe(const Shape& s) {
    std::vector<std::string> parts;
    const char* what = isNumeric(s) ? "value" : "length";
    if (s.max)
      parts.push_back(std::string("Member must have ") + what + " less than or equal to " +
                      s.max->text);
    if (s.min)
      parts.push_back(std::string("Member must have ") + what + " greater than or equal to " +
                      s.min->text);
    if (!s.pattern.empty())
      parts.push_back("Member must satisfy regular expression pattern: " + s.pattern);
    if (!s.enumValues.empty()) parts.push_back(enumConstraint(s));
    std::string out;
    for (const auto& p : parts) {
      if (!out.empty()) out += ", ";
      out += p;
    }
    return out;
  }

  static std::string enumConstraint(const Shape& s) {
    std::string out = "Member must satisfy enum value set: [";
    for (size_t i = 0; i < s.enumValues.size(); ++i) {
      if (i) out += ", ";
      out += s.enumValues[i];
    }
    return out + "]";
  }

  // The constraints a scalar value breaks: length, then pattern, then enum.
  std::vector<std::string> scalarViolations(const Shape& s, const Json& v) const {
    std::vector<std::string> out;
    if (isNumeric(s)) {
      if (!isNumber(v)) return out;
      auto tooBig = [&](const Bound& b) {
        if (b.isInteger && (v.is_int64() || v.is_uint64())) {
          if (v.is_uint64()) return v.as_uint64() > static_cast<unsigned long long>(b.integer);
          return v.as_int64() > b.integer;
        }
        return toDouble(v) > b.value;
      };
      auto tooSmall = [&](const Bound& b) {
        if (b.isInteger && v.is_int64()) return v.as_int64() < b.integer;
        if (b.isInteger && v.is_uint64()) return false;
        return toDouble(v) < b.value;
      };
      if (s.max && tooBig(*s.max)) {
        out.push_back("Member must have value less than or equal to " + s.max->text);
      }
      if (s.min && tooSmall(*s.min)) {
        out.push_back("Member must have value greater than or equal to " + s.min->text);
      }
      return out;
    }
    if (!v.is_string()) return out;
    std::string_view text = v.as_string();
    if (s.min || s.max) {
      double n = static_cast<double>(s.type == ShapeType::Blob ? base64DecodedLength(text)
                                                               : utf16Length(text));
      if (s.max && n > s.max->value) {
        out.push_back("Member must have length less than or equal to " + s.max->text);
      }
      if (s.min && n < s.min->value) {
        out.push_back("Member must have length greater than or equal to " + s.min->text);
      }
    }
    if (s.type == ShapeType::String && !model_.matchesPattern(s, text)) {
      out.push_back("Member must satisfy regular expression pattern: " + s.pattern);
    }
    if (!s.enumValues.empty()) {
      bool found = false;
      for (const auto& e : s.enumValues) found = found || e == text;
      if (!found) out.push_back(enumConstraint(s));
    }
    return out;
  }

  void add(const std::string& path, const Shape* shape, const Json* v,
           const std::string& constraint) {
    if (violations.size() >= kMaxViolations) return;
    std::string s = "Value ";
    if (!v) {
      s += "null ";
    } else if (!(shape && shape->sensitive)) {  // sensitive values are not echoed
      s += '\'';
      appendValue(s, shape, *v);
      s += "' ";
    }
    s += "at '" + path + "' failed to satisfy constraint: " + constraint;
    violations.push_back(std::move(s));
  }

  const ServiceModel& model_;
};

}  // namespace

std::string_view javaTypeName(ShapeType type) {
  switch (type) {
    case ShapeType::Integer:
      return "an Integer";
    case ShapeType::Long:
      return "a Long";
    case ShapeType::Float:
      return "a Float";
    case ShapeType::Double:
      return "a Double";
    case ShapeType::Boolean:
      return "a Boolean";
    case ShapeType::String:
      return "a String";
    case ShapeType::Blob:
      return "a Blob";
    default:
      return "an Object";
  }
}

Result<void> validateInput(const ServiceModel& model, std::string_view operation,
                           const Json& input) {
  const Operation* op = model.operation(operation);
  if (!op || !op->input) return {};
  if (auto e = checkTypes(*op->input, input)) return std::move(*e);

  Validator v(model);
  static const Json kEmpty = JsonObject{};
  v.structure(*op->input, input.is_null() ? kEmpty : input, "");
  if (v.violations.empty()) return {};
  std::string message = std::to_string(v.violations.size()) + " validation error" +
                        (v.violations.size() > 1 ? "s" : "") + " detected: ";
  for (size_t i = 0; i < v.violations.size(); ++i) {
    if (i) message += "; ";
    message += v.violations[i];
  }
  // The query protocol's services call it ValidationError; CloudWatch Logs
  // reports constraint violations as InvalidParameterException.
  std::string code = model.metadata().protocol == "query" ? "ValidationError"
                     : model.name() == "logs"             ? "InvalidParameterException"
                                                          : "ValidationException";
  return AwsError{std::move(code), std::move(message), 400};
}

}  // namespace sluice::services::model
