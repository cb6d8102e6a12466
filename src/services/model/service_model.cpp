#include "services/model/service_model.hpp"

#include <array>
#include <boost/regex.hpp>
#include <cstdio>
#include <locale>
#include <mutex>
#include <stdexcept>

#include "services/model/embedded_models.hpp"

namespace sluice::services::model {

namespace {

ShapeType parseType(std::string_view type) {
  static constexpr std::pair<std::string_view, ShapeType> kTypes[] = {
      {"structure", ShapeType::Structure},
      {"list", ShapeType::List},
      {"map", ShapeType::Map},
      {"string", ShapeType::String},
      {"boolean", ShapeType::Boolean},
      {"integer", ShapeType::Integer},
      {"long", ShapeType::Long},
      {"float", ShapeType::Float},
      {"double", ShapeType::Double},
      {"timestamp", ShapeType::Timestamp},
      {"blob", ShapeType::Blob},
  };
  for (const auto& [name, t] : kTypes) {
    if (name == type) return t;
  }
  throw std::runtime_error("service model: unknown shape type '" + std::string(type) + "'");
}

std::string str(const JsonObject& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string()) return {};
  return std::string(it->value().as_string());
}

bool flag(const JsonObject& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_bool() && it->value().as_bool();
}

const JsonObject* obj(const JsonObject& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_object() ? &it->value().as_object() : nullptr;
}

std::optional<Bound> bound(const JsonObject& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || !isNumber(it->value())) return std::nullopt;
  Bound b;
  const Json& v = it->value();
  b.value = toDouble(v);
  if (v.is_int64() || v.is_uint64()) {
    b.isInteger = true;
    b.integer = v.is_int64() ? v.as_int64() : static_cast<long long>(v.as_uint64());
    b.text = std::to_string(b.integer);
  } else {
    b.text = toJsonText(v);  // Java's spelling of a double: "0.5", "1.0E20"
  }
  return b;
}

Member parseRef(const JsonObject& o) {
  Member m;
  m.name = str(o, "name");
  m.shapeName = str(o, "shape");
  m.required = flag(o, "required");
  m.location = str(o, "location");
  m.locationName = str(o, "locationName");
  m.flattened = flag(o, "flattened");
  m.xmlAttribute = flag(o, "xmlAttribute");
  if (const JsonObject* ns = obj(o, "xmlNamespace")) {
    m.xmlNamespace = str(*ns, "uri");
    m.xmlNamespacePrefix = str(*ns, "prefix");
  }
  m.idempotencyToken = flag(o, "idempotencyToken");
  m.hostLabel = flag(o, "hostLabel");
  m.jsonValue = flag(o, "jsonvalue");
  return m;
}

// Java regular expressions (what the models use) in Boost's Perl dialect over
// UTF-32 text: \uXXXX (and surrogate pairs) become code points, \p{..}
// classes become POSIX classes or explicit ranges, and \w \d \s keep Java's
// ASCII meaning.
std::wstring translateJavaPattern(std::string_view p) {
  static constexpr std::wstring_view kSpace = L" \\t\\n\\x{B}\\f\\r";
  static constexpr std::wstring_view kWord = L"a-zA-Z_0-9";
  static constexpr std::wstring_view kSeparator =
      L"\\x{20}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}";
  static constexpr std::wstring_view kPunct =
      L"!-#%-*,-/:;?@\\[-\\]_{}\\x{A1}\\x{A7}\\x{AB}\\x{B6}\\x{B7}\\x{BB}\\x{BF}"
      L"\\x{2010}-\\x{2027}\\x{2030}-\\x{205E}\\x{3001}-\\x{3003}\\x{3008}-\\x{3011}";
  auto property = [&](std::string_view name) -> std::wstring {
    if (name == "L" || name == "IsAlphabetic" || name == "Alpha") return L"[:alpha:]";
    if (name == "N" || name == "Nd" || name == "Digit") return L"[:digit:]";
    if (name == "Z" || name == "Zs") return std::wstring(kSeparator);
    if (name == "P" || name == "Punct") return std::wstring(kPunct);
    if (name == "ASCII") return L"\\x{0}-\\x{7F}";
    if (name == "Alnum") return L"[:alnum:]";
    if (name == "Upper" || name == "Lu") return L"[:upper:]";
    if (name == "Lower" || name == "Ll") return L"[:lower:]";
    if (name == "Space") return std::wstring(kSpace);
    throw std::runtime_error("unsupported \\p class");
  };
  auto hex = [&](size_t at, size_t n) -> unsigned {
    if (at + n > p.size()) throw std::runtime_error("short escape");
    unsigned v = 0;
    for (size_t k = 0; k < n; ++k) {
      char c = p[at + k];
      v = v * 16 +
          static_cast<unsigned>(std::isdigit(static_cast<unsigned char>(c))
                                    ? c - '0'
                                    : std::tolower(static_cast<unsigned char>(c)) - 'a' + 10);
    }
    return v;
  };
  auto cp = [](unsigned v) {
    wchar_t buf[16];
    std::swprintf(buf, 16, L"\\x{%X}", v);
    return std::wstring(buf);
  };
  std::wstring out;
  bool inClass = false;
  // Inside a class: whether the last item was a single character that a '-'
  // may turn into a range start, and whether a range is waiting for its end.
  // Java reads a '-' after a range or a class escape as a literal; Boost wants
  // it escaped.
  bool prevAtom = false;
  bool pendingRange = false;
  for (size_t i = 0; i < p.size(); ++i) {
    char c = p[i];
    std::wstring item;
    bool isClass = false;  // a class escape, which can not take part in a range
    if (c == '\\' && i + 1 < p.size()) {
      char e = p[++i];
      if (e == 'u') {
        unsigned v = hex(i + 1, 4);
        i += 4;
        if (v >= 0xD800 && v < 0xDC00 && i + 6 < p.size() && p[i + 1] == '\\' && p[i + 2] == 'u') {
          unsigned lo = hex(i + 3, 4);
          if (lo >= 0xDC00 && lo < 0xE000) {
            v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
            i += 6;
          }
        }
        item = cp(v);
      } else if (e == 'x' && i + 1 < p.size() && p[i + 1] != '{') {
        item = cp(hex(i + 1, 2));
        i += 2;
      } else if (e == 'p' || e == 'P') {
        size_t close = p.find('}', i);
        if (i + 1 >= p.size() || p[i + 1] != '{' || close == std::string_view::npos) {
          throw std::runtime_error("bad \\p");
        }
        std::wstring cls = property(p.substr(i + 2, close - i - 2));
        i = close;
        if (inClass && e == 'P') throw std::runtime_error("negated \\P in a class");
        item = inClass ? cls : (e == 'P' ? L"[^" : L"[") + cls + L"]";
        isClass = true;
      } else if (e == 'w' || e == 'd' || e == 's') {
        std::wstring_view cls = e == 'w' ? kWord : e == 'd' ? L"0-9" : kSpace;
        item = inClass ? std::wstring(cls) : L"[" + std::wstring(cls) + L"]";
        isClass = true;
      } else if ((e == 'W' || e == 'D' || e == 'S') && !inClass) {
        std::wstring_view cls = e == 'W' ? kWord : e == 'D' ? L"0-9" : kSpace;
        item = L"[^" + std::wstring(cls) + L"]";
        isClass = true;
      } else {
        // \t \n \r \b \1, \W \S \D in a class, escaped punctuation: same in Boost.
        item = {L'\\', static_cast<wchar_t>(e)};
        isClass = e == 'W' || e == 'S' || e == 'D';
      }
    } else if (inClass && c == ']') {
      inClass = false;
      out += L']';
      continue;
    } else if (inClass && c == '[') {
      item = L"\\[";  // Java's nested classes do not occur in the models
    } else if (inClass && c == '-') {
      bool rangeOp = prevAtom && i + 1 < p.size() && p[i + 1] != ']';
      if (rangeOp) {
        out += L'-';
        pendingRange = true;
        prevAtom = false;
      } else {
        out += L"\\-";
        prevAtom = true;
      }
      continue;
    } else if (!inClass && c == '[') {
      inClass = true;
      out += L'[';
      if (i + 1 < p.size() && p[i + 1] == '^') {
        out += L'^';
        ++i;
      }
      prevAtom = pendingRange = false;
      continue;
    } else {
      item = static_cast<wchar_t>(static_cast<unsigned char>(c));
    }
    out += item;
    if (inClass) {
      if (isClass) {
        prevAtom = pendingRange = false;
      } else if (pendingRange) {
        prevAtom = pendingRange = false;
      } else {
        prevAtom = true;
      }
    }
  }
  return out;
}

std::wstring toWide(std::string_view utf8) {
  std::wstring out;
  out.reserve(utf8.size());
  for (size_t i = 0; i < utf8.size();) {
    unsigned char c = static_cast<unsigned char>(utf8[i]);
    unsigned v;
    size_t n;
    if (c < 0x80) {
      v = c, n = 1;
    } else if ((c >> 5) == 6) {
      v = c & 0x1F, n = 2;
    } else if ((c >> 4) == 14) {
      v = c & 0x0F, n = 3;
    } else if ((c >> 3) == 30) {
      v = c & 0x07, n = 4;
    } else {
      v = 0xFFFD, n = 1;
    }
    if (i + n > utf8.size()) {
      out += static_cast<wchar_t>(0xFFFD);
      break;
    }
    for (size_t k = 1; k < n; ++k) v = (v << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3F);
    out += static_cast<wchar_t>(v);
    i += n;
  }
  return out;
}

std::locale unicodeLocale() {
  for (const char* name : {"C.UTF-8", "C.utf8"}) {
    try {
      return std::locale(name);
    } catch (const std::exception&) {
    }
  }
  return std::locale::classic();  // only ASCII letters count as \p{L} then
}

boost::wregex compileJavaPattern(std::string_view pattern) {
  static const std::locale unicode = unicodeLocale();
  boost::wregex re;
  re.imbue(unicode);
  re.assign(translateJavaPattern(pattern), boost::regex::perl);
  return re;
}

}  // namespace

bool javaPatternMatches(std::string_view pattern, std::string_view value) {
  try {
    return boost::regex_match(toWide(value), compileJavaPattern(pattern));
  } catch (const boost::regex_error& e) {
    throw std::runtime_error(std::string("unsupported pattern: ") + e.what());
  }
}

struct ServiceModel::Patterns {
  // Compiled once per distinct pattern; a pattern Boost can not compile is left
  // out (and matches everything) rather than failing the service.
  std::map<std::string, boost::wregex, std::less<>> compiled;
};

ServiceModel::ServiceModel() : patterns_(std::make_unique<Patterns>()) {}
ServiceModel::~ServiceModel() = default;

const Member* Shape::findMember(std::string_view memberName) const {
  for (const auto& m : members) {
    if (m.name == memberName) return &m;
  }
  return nullptr;
}

std::unique_ptr<ServiceModel> ServiceModel::parse(std::string_view text) {
  std::string error;
  auto doc = parseJson(text, &error);
  if (!doc || !doc->is_object()) throw std::runtime_error("service model: bad JSON: " + error);
  const JsonObject& root = doc->as_object();
  std::unique_ptr<ServiceModel> model(new ServiceModel());
  model->name_ = str(root, "name");

  if (const JsonObject* meta = obj(root, "metadata")) {
    ServiceMetadata& m = model->metadata_;
    m.protocol = str(*meta, "protocol");
    m.targetPrefix = str(*meta, "targetPrefix");
    m.jsonVersion = str(*meta, "jsonVersion");
    m.endpointPrefix = str(*meta, "endpointPrefix");
    m.signingName = str(*meta, "signingName");
    if (m.signingName.empty()) m.signingName = m.endpointPrefix;
    m.apiVersion = str(*meta, "apiVersion");
    m.serviceId = str(*meta, "serviceId");
    m.xmlNamespace = str(*meta, "xmlNamespace");
    m.awsQueryCompatible = flag(*meta, "awsQueryCompatible");
  }

  const JsonObject* shapes = obj(root, "shapes");
  if (!shapes) throw std::runtime_error("service model: no shapes");
  for (const auto& [name, value] : *shapes) {
    const JsonObject& s = value.as_object();
    Shape shape;
    shape.name = std::string(name);
    shape.type = parseType(str(s, "type"));
    if (auto it = s.find("members"); it != s.end()) {
      for (const auto& m : it->value().as_array()) shape.members.push_back(parseRef(m.as_object()));
    }
    if (const JsonObject* m = obj(s, "member")) shape.member = parseRef(*m);
    if (const JsonObject* m = obj(s, "key")) shape.key = parseRef(*m);
    if (const JsonObject* m = obj(s, "value")) shape.value = parseRef(*m);
    shape.min = bound(s, "min");
    shape.max = bound(s, "max");
    shape.pattern = str(s, "pattern");
    if (auto it = s.find("enum"); it != s.end()) {
      for (const auto& e : it->value().as_array()) shape.enumValues.emplace_back(e.as_string());
    }
    shape.timestampFormat = str(s, "timestampFormat");
    shape.locationName = str(s, "locationName");
    if (const JsonObject* ns = obj(s, "xmlNamespace")) shape.xmlNamespace = str(*ns, "uri");
    shape.payload = str(s, "payload");
    shape.flattened = flag(s, "flattened");
    shape.sensitive = flag(s, "sensitive");
    shape.exception = flag(s, "exception");
    shape.fault = flag(s, "fault");
    shape.isUnion = flag(s, "union");
    shape.document = flag(s, "document");
    shape.streaming = flag(s, "streaming");
    shape.eventStream = flag(s, "eventstream");
    if (const JsonObject* err = obj(s, "error")) {
      shape.errorCode = str(*err, "code");
      if (auto it = err->find("httpStatusCode"); it != err->end() && isNumber(it->value())) {
        shape.errorHttpStatus = static_cast<int>(toDouble(it->value()));
      }
      shape.senderFault = flag(*err, "senderFault");
    }
    model->shapes_.emplace(shape.name, std::move(shape));
  }

  // Resolve references now that every shape exists.
  auto resolve = [&](Member& m) {
    if (m.shapeName.empty()) return;
    auto it = model->shapes_.find(m.shapeName);
    if (it == model->shapes_.end()) {
      throw std::runtime_error("service model: unknown shape " + m.shapeName);
    }
    m.shape = &it->second;
  };
  for (auto& [name, shape] : model->shapes_) {
    for (auto& m : shape.members) resolve(m);
    resolve(shape.member);
    resolve(shape.key);
    resolve(shape.value);
  }

  for (const auto& [name, shape] : model->shapes_) {
    if (shape.pattern.empty() || model->patterns_->compiled.count(shape.pattern)) continue;
    try {
      model->patterns_->compiled.emplace(shape.pattern, compileJavaPattern(shape.pattern));
    } catch (const std::exception&) {
      // Left out: matchesPattern() accepts everything for this pattern.
      model->unsupportedPatterns_.push_back(shape.pattern);
    }
  }

  if (const JsonObject* ops = obj(root, "operations")) {
    auto shapeRef = [&](const JsonObject& o, std::string_view key) -> const Shape* {
      const JsonObject* io = obj(o, key);
      return io ? model->shape(str(*io, "shape")) : nullptr;
    };
    for (const auto& [name, value] : *ops) {
      const JsonObject& o = value.as_object();
      Operation op;
      op.name = std::string(name);
      if (const JsonObject* http = obj(o, "http")) {
        op.httpMethod = str(*http, "method");
        op.requestUri = str(*http, "requestUri");
        if (auto it = http->find("responseCode"); it != http->end() && isNumber(it->value())) {
          op.responseCode = static_cast<int>(toDouble(it->value()));
        }
      }
      op.input = shapeRef(o, "input");
      op.output = shapeRef(o, "output");
      if (const JsonObject* in = obj(o, "input")) {
        op.inputLocationName = str(*in, "locationName");
        if (const JsonObject* ns = obj(*in, "xmlNamespace")) op.inputXmlNamespace = str(*ns, "uri");
      }
      if (const JsonObject* out = obj(o, "output")) op.resultWrapper = str(*out, "resultWrapper");
      if (auto it = o.find("errors"); it != o.end()) {
        for (const auto& e : it->value().as_array()) {
          if (const Shape* s = model->shape(e.as_string())) op.errors.push_back(s);
        }
      }
      op.idempotent = flag(o, "idempotent");
      model->operations_.emplace(op.name, std::move(op));
    }
  }
  applyQueryCompatibility(*model);
  return model;
}

const ServiceModel* ServiceModel::get(std::string_view service) {
  // One slot per embedded model, each parsed on first use.
  static const std::vector<std::string_view> names = embeddedServiceModels();
  static std::vector<std::unique_ptr<ServiceModel>> models(names.size());
  static std::vector<std::once_flag> once(names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] != service) continue;
    std::call_once(once[i], [i] { models[i] = parse(serviceModelJson(names[i])); });
    return models[i].get();
  }
  return nullptr;
}

std::vector<std::string_view> ServiceModel::services() {
  return embeddedServiceModels();
}

const Operation* ServiceModel::operation(std::string_view name) const {
  auto it = operations_.find(name);
  return it == operations_.end() ? nullptr : &it->second;
}

const Shape* ServiceModel::shape(std::string_view name) const {
  auto it = shapes_.find(name);
  return it == shapes_.end() ? nullptr : &it->second;
}

bool ServiceModel::matchesPattern(const Shape& shape, std::string_view value) const {
  if (shape.pattern.empty()) return true;
  auto it = patterns_->compiled.find(shape.pattern);
  if (it == patterns_->compiled.end()) return true;
  try {
    return boost::regex_match(toWide(value), it->second);
  } catch (const std::runtime_error&) {
    return true;  // too complex to decide: let the operation judge the value
  }
}

}  // namespace sluice::services::model
