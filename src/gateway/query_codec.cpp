#include "gateway/query_codec.hpp"

#include <charconv>
#include <cmath>

#include "core/clock.hpp"

namespace sluice::gateway {

using services::model::Member;
using services::model::Shape;
using services::model::ShapeType;

namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string formDecode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%' && i + 2 < in.size() && hexValue(in[i + 1]) >= 0 &&
               hexValue(in[i + 2]) >= 0) {
      out += static_cast<char>(hexValue(in[i + 1]) * 16 + hexValue(in[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::string_view wireName(const Member& m) {
  return m.locationName.empty() ? std::string_view(m.name) : std::string_view(m.locationName);
}

std::string join(std::string_view prefix, std::string_view name) {
  if (prefix.empty()) return std::string(name);
  std::string out(prefix);
  out += '.';
  out += name;
  return out;
}

// True when a parameter named `key` or starting with `key.` exists.
bool present(const QueryParams& params, std::string_view key) {
  auto it = params.lower_bound(key);
  if (it == params.end() || !it->first.starts_with(key)) return false;
  if (it->first.size() == key.size()) return true;
  // Keys sort "a", "a.1", "a0", ...: look for the first "key." entry.
  std::string dotted = std::string(key) + ".";
  auto d = params.lower_bound(dotted);
  return d != params.end() && d->first.starts_with(dotted);
}

AwsError invalidValue(std::string_view key, std::string_view value) {
  return {"InvalidParameterValue",
          "Value (" + std::string(value) + ") for parameter " + std::string(key) + " is invalid.",
          400};
}

struct Decoder {
  const QueryParams& params;

  // nullopt: the value is absent.
  Result<std::optional<Json>> value(const Shape& shape, bool flattened, const std::string& key) {
    switch (shape.type) {
      case ShapeType::Structure:
        return structure(shape, key);
      case ShapeType::List:
        return list(shape, flattened || shape.flattened, key);
      case ShapeType::Map:
        return map(shape, flattened || shape.flattened, key);
      default:
        break;
    }
    auto it = params.find(key);
    if (it == params.end()) return std::optional<Json>();
    const std::string& text = it->second;
    switch (shape.type) {
      case ShapeType::Boolean:
        if (text == "true" || text == "True" || text == "TRUE") return std::optional<Json>(true);
        if (text == "false" || text == "False" || text == "FALSE") {
          return std::optional<Json>(false);
        }
        return invalidValue(key, text);
      case ShapeType::Integer:
      case ShapeType::Long: {
        int64_t n = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
        if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
          return invalidValue(key, text);
        }
        return std::optional<Json>(n);
      }
      case ShapeType::Float:
      case ShapeType::Double: {
        char* end = nullptr;
        double d = std::strtod(text.c_str(), &end);
        if (text.empty() || *end != '\0' || !std::isfinite(d)) return invalidValue(key, text);
        return std::optional<Json>(d);
      }
      default:  // strings, blobs (base64 text as in the JSON protocols), timestamps
        return std::optional<Json>(text);
    }
  }

  Result<std::optional<Json>> structure(const Shape& shape, const std::string& prefix) {
    JsonObject out;
    for (const Member& m : shape.members) {
      if (!m.shape) continue;
      std::string key = join(prefix, wireName(m));
      auto v = value(*m.shape, m.flattened, key);
      if (!v) return v.takeError();
      if (*v) out[m.name] = std::move(**v);
    }
    if (out.empty() && !prefix.empty() && !present(params, prefix)) return std::optional<Json>();
    return std::optional<Json>(Json(std::move(out)));
  }

  Result<std::optional<Json>> list(const Shape& shape, bool flattened, const std::string& key) {
    std::string itemPrefix;
    if (flattened) {
      itemPrefix = key;
      if (!shape.member.locationName.empty()) {
        auto dot = key.rfind('.');
        itemPrefix = dot == std::string::npos ? shape.member.locationName
                                              : key.substr(0, dot + 1) + shape.member.locationName;
      }
    } else {
      itemPrefix =
          join(key, shape.member.locationName.empty() ? "member" : shape.member.locationName);
    }
    JsonArray items;
    for (size_t i = 1;; ++i) {
      std::string itemKey = itemPrefix + "." + std::to_string(i);
      if (!present(params, itemKey) || !shape.member.shape) break;
      auto v = value(*shape.member.shape, false, itemKey);
      if (!v) return v.takeError();
      items.push_back(*v ? std::move(**v) : Json(nullptr));
    }
    if (items.empty()) {
      // `Name=` with no items is an explicitly empty list.
      auto it = params.find(key);
      if (it == params.end() || !it->second.empty()) return std::optional<Json>();
    }
    return std::optional<Json>(Json(std::move(items)));
  }

  Result<std::optional<Json>> map(const Shape& shape, bool flattened, const std::string& key) {
    std::string entryPrefix = flattened ? key : key + ".entry";
    std::string keyName = shape.key.locationName.empty() ? "key" : shape.key.locationName;
    std::string valueName = shape.value.locationName.empty() ? "value" : shape.value.locationName;
    JsonObject out;
    bool any = false;
    for (size_t i = 1;; ++i) {
      std::string entry = entryPrefix + "." + std::to_string(i);
      if (!present(params, entry)) break;
      any = true;
      auto k = params.find(entry + "." + keyName);
      if (k == params.end() || !shape.value.shape) continue;
      auto v = value(*shape.value.shape, false, entry + "." + valueName);
      if (!v) return v.takeError();
      out[k->second] = *v ? std::move(**v) : Json(nullptr);
    }
    if (!any) return std::optional<Json>();
    return std::optional<Json>(Json(std::move(out)));
  }
};

std::string scalarText(const Shape& shape, const Json& v) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_bool()) return v.get_bool() ? "true" : "false";
  if (shape.type == ShapeType::Timestamp && isNumber(v)) {
    return formatIso8601(fromSeconds(toDouble(v)));
  }
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  if (v.is_double()) {
    double d = v.get_double();
    if (auto n = toInteger(v); n && std::fabs(d) < 1e15 && shape.type != ShapeType::Double &&
                               shape.type != ShapeType::Float) {
      return std::to_string(*n);
    }
    return toJsonText(v);
  }
  return toJsonText(v);
}

void encodeValue(XmlWriter& xml, std::string_view name, const Shape& shape, bool flattened,
                 const Json& v) {
  if (v.is_null()) return;
  switch (shape.type) {
    case ShapeType::Structure:
      xml.open(name);
      if (v.is_object()) encodeQueryMembers(xml, shape, v);
      xml.close();
      return;
    case ShapeType::List: {
      if (!v.is_array() || !shape.member.shape) return;
      if (flattened || shape.flattened) {
        std::string_view item =
            shape.member.locationName.empty() ? name : std::string_view(shape.member.locationName);
        for (const Json& e : v.as_array()) encodeValue(xml, item, *shape.member.shape, false, e);
        return;
      }
      xml.open(name);
      std::string_view item = shape.member.locationName.empty()
                                  ? "member"
                                  : std::string_view(shape.member.locationName);
      for (const Json& e : v.as_array()) encodeValue(xml, item, *shape.member.shape, false, e);
      xml.close();
      return;
    }
    case ShapeType::Map: {
      if (!v.is_object() || !shape.value.shape) return;
      std::string_view keyName =
          shape.key.locationName.empty() ? "key" : std::string_view(shape.key.locationName);
      std::string_view valueName =
          shape.value.locationName.empty() ? "value" : std::string_view(shape.value.locationName);
      bool flat = flattened || shape.flattened;
      if (!flat) xml.open(name);
      for (const auto& kv : v.as_object()) {
        xml.open(flat ? name : "entry");
        xml.element(keyName, std::string_view(kv.key()));
        encodeValue(xml, valueName, *shape.value.shape, false, kv.value());
        xml.close();
      }
      if (!flat) xml.close();
      return;
    }
    default:
      xml.element(name, scalarText(shape, v));
  }
}

}  // namespace

void parseFormInto(std::string_view text, QueryParams& params) {
  while (!text.empty()) {
    auto amp = text.find('&');
    std::string_view pair = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    std::string name = formDecode(pair.substr(0, eq));
    std::string value = eq == std::string_view::npos ? "" : formDecode(pair.substr(eq + 1));
    params[std::move(name)] = std::move(value);
  }
}

Result<Json> decodeQueryInput(const Shape& shape, const QueryParams& params) {
  Decoder d{params};
  auto v = d.structure(shape, "");
  if (!v) return v.takeError();
  return *v ? std::move(**v) : Json(JsonObject{});
}

void encodeQueryMembers(XmlWriter& xml, const Shape& shape, const Json& value) {
  if (!value.is_object()) return;
  const JsonObject& obj = value.as_object();
  for (const Member& m : shape.members) {
    if (!m.shape) continue;
    auto it = obj.find(m.name);
    if (it == obj.end()) continue;
    encodeValue(xml, wireName(m), *m.shape, m.flattened, it->value());
  }
}

}  // namespace sluice::gateway
