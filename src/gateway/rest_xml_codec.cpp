#include "gateway/rest_xml_codec.hpp"

#include <strings.h>

#include <charconv>
#include <map>

#include "core/clock.hpp"
#include "core/encoding.hpp"
#include "gateway/sigv4.hpp"
#include "gateway/xml_reader.hpp"
#include "gateway/xml_writer.hpp"

namespace sluice::gateway::restxml {

using services::model::Member;
using services::model::Operation;
using services::model::Shape;
using services::model::ShapeType;

namespace {

constexpr std::string_view kS3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";

std::string wireName(const Member& m) {
  return m.locationName.empty() ? m.name : m.locationName;
}

const std::string* queryValue(const QueryParams& q, std::string_view name) {
  for (const auto& [k, v] : q) {
    if (k == name) return &v;
  }
  return nullptr;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// A scalar from its text form (query string, header, XML text) by shape.
Result<Json> scalar(const Shape& shape, std::string_view text, std::string_view name,
                    bool fromHeader) {
  switch (shape.type) {
    case ShapeType::Integer:
    case ShapeType::Long: {
      long long v = 0;
      auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec != std::errc() || ptr != text.data() + text.size()) {
        return AwsError{"InvalidArgument",
                        "Provided " + std::string(name) + " not an integer or within integer range",
                        400};
      }
      return Json(static_cast<int64_t>(v));
    }
    case ShapeType::Float:
    case ShapeType::Double:
      try {
        return Json(std::stod(std::string(text)));
      } catch (...) {
        return AwsError{"InvalidArgument", "Invalid " + std::string(name), 400};
      }
    case ShapeType::Boolean:
      return Json(iequals(text, "true"));
    case ShapeType::Timestamp: {
      std::optional<TimePoint> t = fromHeader ? parseHttpDate(text) : parseIso8601(text);
      if (!t) t = parseIso8601(text);
      if (!t) t = parseHttpDate(text);
      // An unreadable date stays text; the operation decides what it means.
      if (!t) return Json(json::string(text));
      return Json(toEpochSeconds(*t));
    }
    default:
      return Json(json::string(text));
  }
}

Result<Json> fromXml(const XmlElement& e, const Shape& shape);

Result<Json> listFromXml(const XmlElement& parent, const Member& m, bool& present) {
  const Shape& list = *m.shape;
  bool flattened = m.flattened || list.flattened;
  std::vector<const XmlElement*> items;
  if (flattened) {
    items = parent.childrenNamed(wireName(m));
  } else {
    const XmlElement* wrapper = parent.child(wireName(m));
    if (!wrapper) {
      present = false;
      return Json(nullptr);
    }
    std::string item = list.member.locationName.empty() ? "member" : list.member.locationName;
    items = wrapper->childrenNamed(item);
  }
  present = flattened ? !items.empty() : true;
  JsonArray out;
  for (const auto* item : items) {
    auto v = fromXml(*item, *list.member.shape);
    if (!v) return v;
    out.push_back(std::move(*v));
  }
  return Json(std::move(out));
}

Result<Json> fromXml(const XmlElement& e, const Shape& shape) {
  if (shape.type == ShapeType::Structure) {
    JsonObject obj;
    for (const auto& m : shape.members) {
      if (!m.shape) continue;
      if (m.shape->type == ShapeType::List) {
        bool present = false;
        auto v = listFromXml(e, m, present);
        if (!v) return v;
        if (present) obj[m.name] = std::move(*v);
        continue;
      }
      const XmlElement* child = e.child(wireName(m));
      if (!child) continue;
      auto v = fromXml(*child, *m.shape);
      if (!v) return v;
      obj[m.name] = std::move(*v);
    }
    return Json(std::move(obj));
  }
  if (shape.type == ShapeType::Map) {
    JsonObject obj;
    std::string k = shape.key.locationName.empty() ? "key" : shape.key.locationName;
    std::string v = shape.value.locationName.empty() ? "value" : shape.value.locationName;
    for (const auto* entry : e.childrenNamed("entry")) {
      const XmlElement* ke = entry->child(k);
      const XmlElement* ve = entry->child(v);
      if (!ke || !ve || !shape.value.shape) continue;
      auto value = fromXml(*ve, *shape.value.shape);
      if (!value) return value;
      obj[ke->text] = std::move(*value);
    }
    return Json(std::move(obj));
  }
  if (shape.type == ShapeType::Integer || shape.type == ShapeType::Long) {
    auto v = scalar(shape, e.text, e.name, false);
    if (!v) {
      return AwsError{"MalformedXML",
                      "The XML you provided was not well-formed or did not validate against our "
                      "published schema",
                      400};
    }
    return v;
  }
  return scalar(shape, e.text, e.name, false);
}

// --- output ---------------------------------------------------------------

std::string scalarText(const Json& v, const Shape& shape, bool header) {
  if (shape.type == ShapeType::Timestamp && isNumber(v)) {
    TimePoint t = fromSeconds(toDouble(v));
    std::string format = shape.timestampFormat;
    if (format.empty()) format = header ? "rfc822" : "iso8601";
    if (format == "rfc822") return formatHttpDate(t);
    if (format == "unixTimestamp") return std::to_string(static_cast<long long>(toDouble(v)));
    return formatIso8601(t);
  }
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_bool()) return v.as_bool() ? "true" : "false";
  if (v.is_int64()) return std::to_string(v.as_int64());
  if (v.is_uint64()) return std::to_string(v.as_uint64());
  if (v.is_double()) {
    double d = v.as_double();
    if (d == static_cast<double>(static_cast<long long>(d))) {
      return std::to_string(static_cast<long long>(d));
    }
    return toJsonText(v);
  }
  return toJsonText(v);
}

void writeValue(XmlWriter& w, std::string_view name, const Json& v, const Shape& shape);

void writeMembers(XmlWriter& w, const Json& v, const Shape& shape) {
  if (!v.is_object()) return;
  for (const auto& m : shape.members) {
    if (!m.location.empty() || !m.shape || m.xmlAttribute) continue;
    const Json* value = v.as_object().if_contains(m.name);
    if (!value || value->is_null()) continue;
    std::string name = wireName(m);
    if (m.shape->type == ShapeType::List && value->is_array()) {
      const Shape& list = *m.shape;
      if (m.flattened || list.flattened) {
        for (const Json& item : value->as_array()) writeValue(w, name, item, *list.member.shape);
      } else {
        w.open(name);
        std::string item = list.member.locationName.empty() ? "member" : list.member.locationName;
        for (const Json& e : value->as_array()) writeValue(w, item, e, *list.member.shape);
        w.close();
      }
      continue;
    }
    writeValue(w, name, *value, *m.shape);
  }
}

void writeValue(XmlWriter& w, std::string_view name, const Json& v, const Shape& shape) {
  switch (shape.type) {
    case ShapeType::Structure:
      w.open(name);
      writeMembers(w, v, shape);
      w.close();
      return;
    case ShapeType::List: {
      w.open(name);
      std::string item = shape.member.locationName.empty() ? "member" : shape.member.locationName;
      if (v.is_array()) {
        for (const Json& e : v.as_array()) writeValue(w, item, e, *shape.member.shape);
      }
      w.close();
      return;
    }
    case ShapeType::Map:
      w.open(name);
      if (v.is_object()) {
        for (const auto& kv : v.as_object()) {
          w.open("entry").element("key", kv.key());
          writeValue(w, "value", kv.value(), *shape.value.shape);
          w.close();
        }
      }
      w.close();
      return;
    default:
      w.element(name, scalarText(v, shape, false));
  }
}

// The root element of an output without a payload member, as S3 names it.
std::string rootName(std::string_view operation) {
  static const std::map<std::string_view, std::string_view> kRoots = {
      {"ListBuckets", "ListAllMyBucketsResult"},
      {"ListObjects", "ListBucketResult"},
      {"ListObjectsV2", "ListBucketResult"},
      {"ListObjectVersions", "ListVersionsResult"},
      {"CreateMultipartUpload", "InitiateMultipartUploadResult"},
      {"CompleteMultipartUpload", "CompleteMultipartUploadResult"},
      {"ListParts", "ListPartsResult"},
      {"ListMultipartUploads", "ListMultipartUploadsResult"},
      {"DeleteObjects", "DeleteResult"},
      {"GetObjectTagging", "Tagging"},
      {"GetBucketTagging", "Tagging"},
      {"GetBucketVersioning", "VersioningConfiguration"},
      {"GetObjectAttributes", "GetObjectAttributesResponse"},
      {"GetBucketLifecycleConfiguration", "LifecycleConfiguration"},
      {"GetBucketNotificationConfiguration", "NotificationConfiguration"},
      {"ListBucketIntelligentTieringConfigurations",
       "ListBucketIntelligentTieringConfigurationsOutput"},
  };
  auto it = kRoots.find(operation);
  return it != kRoots.end() ? std::string(it->second) : std::string(operation) + "Result";
}

}  // namespace

QueryParams parseQuery(std::string_view raw) {
  QueryParams out;
  size_t start = 0;
  while (start < raw.size()) {
    auto amp = raw.find('&', start);
    std::string_view pair = raw.substr(start, amp - start);
    start = amp == std::string_view::npos ? raw.size() : amp + 1;
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    out.emplace_back(
        percentDecode(pair.substr(0, eq), true),
        eq == std::string_view::npos ? std::string() : percentDecode(pair.substr(eq + 1), true));
  }
  return out;
}

Addressed address(std::string_view rawPath, std::string_view rawQuery,
                  const std::optional<std::string>& hostBucket) {
  Addressed a;
  a.query = parseQuery(rawQuery);
  std::string_view p = rawPath;
  if (!p.empty() && p.front() == '/') p.remove_prefix(1);
  if (hostBucket) {
    a.bucket = *hostBucket;
    if (!p.empty()) a.key = percentDecode(p);
    return a;
  }
  auto slash = p.find('/');
  a.bucket = percentDecode(p.substr(0, slash));
  if (slash != std::string_view::npos && slash + 1 < p.size()) {
    a.key = percentDecode(p.substr(slash + 1));
  }
  return a;
}

std::optional<std::string> virtualHostBucket(std::string_view host) {
  if (host.empty() || host.front() == '[') return std::nullopt;  // IPv6 literal
  if (auto colon = host.rfind(':'); colon != std::string_view::npos) host = host.substr(0, colon);
  std::string h(host);
  for (char& c : h) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  bool ip = !h.empty();
  for (char c : h) ip = ip && ((c >= '0' && c <= '9') || c == '.');
  if (ip || h == "localhost" || h.starts_with("s3.") || h.starts_with("s3-")) return std::nullopt;
  if (auto pos = h.find(".s3."); pos != std::string::npos) return h.substr(0, pos);
  if (auto pos = h.find(".s3-"); pos != std::string::npos) return h.substr(0, pos);
  constexpr std::string_view kLocal = ".localhost";
  if (h.size() > kLocal.size() && h.ends_with(kLocal)) return h.substr(0, h.size() - kLocal.size());
  return std::nullopt;
}

OperationMatch matchOperation(const services::model::ServiceModel& model, std::string_view method,
                              const Addressed& a, const HttpRequest& http,
                              const std::function<bool(std::string_view)>& available) {
  OperationMatch best;
  int bestScore = -1;
  for (const auto& [name, op] : model.operations()) {
    if (op.httpMethod != method) continue;
    std::string_view uri = op.requestUri;
    auto q = uri.find('?');
    std::string_view path = uri.substr(0, q);
    bool wantsBucket = path.find("{Bucket}") != std::string_view::npos;
    bool wantsKey = path.find("{Key+}") != std::string_view::npos;
    if (path != "/" && !wantsBucket) continue;  // e.g. /WriteGetObjectResponse
    if (wantsBucket == a.bucket.empty() || wantsKey != a.key.has_value()) continue;
    int score = 0;
    bool ok = true;
    if (q != std::string_view::npos) {
      for (const auto& [k, v] : parseQuery(uri.substr(q + 1))) {
        const std::string* got = queryValue(a.query, k);
        if (!got || (!v.empty() && *got != v)) {
          ok = false;
          break;
        }
        score += 10;
      }
    }
    if (ok && op.input) {
      for (const auto& m : op.input->members) {
        if (!m.required) continue;
        if (m.location == "querystring") {
          if (!queryValue(a.query, wireName(m))) ok = false;
          ++score;
        } else if (m.location == "header") {
          if (http.header(wireName(m)).empty()) ok = false;
          ++score;
        }
      }
    }
    if (!ok || score < bestScore) continue;
    bool built = available(name);
    if (score == bestScore && (best.op || !built)) continue;
    best = {built ? &op : nullptr, &op};
    bestScore = score;
  }
  return best;
}

Result<Json> decodeInput(const Operation& op, const Addressed& a, const HttpRequest& http,
                         std::string&& body, services::Payload& payload) {
  JsonObject input;
  if (!op.input) return Json(std::move(input));
  const Shape& shape = *op.input;
  for (const auto& m : shape.members) {
    if (!m.shape) continue;
    std::string wire = wireName(m);
    if (m.location == "uri") {
      if (wire == "Bucket") input[m.name] = a.bucket;
      if (wire == "Key" && a.key) input[m.name] = *a.key;
    } else if (m.location == "querystring") {
      if (m.shape->type == ShapeType::List) {
        JsonArray all;
        for (const auto& [k, v] : a.query) {
          if (k == wire) all.push_back(json::string(v));
        }
        if (!all.empty()) input[m.name] = std::move(all);
        continue;
      }
      if (const std::string* v = queryValue(a.query, wire)) {
        auto value = scalar(*m.shape, *v, wire, false);
        if (!value) return value;
        input[m.name] = std::move(*value);
      }
    } else if (m.location == "header") {
      std::string_view v = http.header(wire);
      if (v.empty()) continue;
      if (m.shape->type == ShapeType::List) {
        JsonArray items;
        size_t start = 0;
        while (start <= v.size()) {
          auto comma = v.find(',', start);
          std::string_view item = v.substr(start, comma - start);
          while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
          while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
          if (!item.empty()) items.push_back(json::string(item));
          if (comma == std::string_view::npos) break;
          start = comma + 1;
        }
        input[m.name] = std::move(items);
        continue;
      }
      auto value = scalar(*m.shape, v, wire, true);
      if (!value) return value;
      input[m.name] = std::move(*value);
    } else if (m.location == "headers") {
      JsonObject map;
      for (const auto& [k, v] : http.headers) {
        if (k.size() > wire.size() && strncasecmp(k.data(), wire.data(), wire.size()) == 0) {
          std::string name = k.substr(wire.size());
          for (char& c : name) {
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
          }
          map[name] = v;
        }
      }
      if (!map.empty()) input[m.name] = std::move(map);
    } else if (m.location.empty() && shape.payload == m.name) {
      if (m.shape->type == ShapeType::Blob) {
        payload.requestBody = std::move(body);
      } else if (m.shape->type == ShapeType::String) {
        input[m.name] = std::move(body);
      } else if (m.shape->type == ShapeType::Structure) {
        if (body.find_first_not_of(" \t\r\n") == std::string::npos) continue;
        auto root = parseXml(body);
        if (!root) return root.takeError();
        auto value = fromXml(*root, *m.shape);
        if (!value) return value;
        input[m.name] = std::move(*value);
      }
    }
  }
  return Json(std::move(input));
}

HttpResponse encodeOutput(const Operation& op, const Json& output, services::Payload& payload,
                          const std::string& requestId) {
  HttpResponse r;
  r.status = payload.responseStatus ? payload.responseStatus
             : op.responseCode      ? op.responseCode
                                    : 200;
  r.headers = {{"x-amz-request-id", requestId}, {"x-amz-id-2", requestId}};
  const Shape* shape = op.output;
  if (!shape || !output.is_object()) return r;
  const auto& out = output.as_object();
  bool hasBodyMembers = false;
  for (const auto& m : shape->members) {
    if (!m.shape) continue;
    const Json* v = out.if_contains(m.name);
    if (m.location.empty() && m.name != shape->payload) hasBodyMembers = true;
    if (!v || v->is_null()) continue;
    std::string wire = wireName(m);
    if (m.location == "header") {
      if (m.shape->type == ShapeType::List && v->is_array()) {
        std::string joined;
        for (const auto& e : v->as_array()) {
          if (!joined.empty()) joined += ",";
          joined += scalarText(e, *m.shape->member.shape, true);
        }
        r.headers.emplace_back(wire, joined);
      } else {
        r.headers.emplace_back(wire, scalarText(*v, *m.shape, true));
      }
    } else if (m.location == "headers" && v->is_object()) {
      for (const auto& kv : v->as_object()) {
        r.headers.emplace_back(
            wire + std::string(kv.key()),
            kv.value().is_string() ? std::string(kv.value().as_string()) : toJsonText(kv.value()));
      }
    } else if (m.location == "statusCode" && isNumber(*v)) {
      r.status = static_cast<int>(toDouble(*v));
    }
  }
  if (out.contains("ContentRange") && op.name == "GetObject") r.status = 206;
  if (!shape->payload.empty()) {
    const Member* m = shape->findMember(shape->payload);
    if (!m || !m->shape) return r;
    if (m->shape->type == ShapeType::Blob) {
      if (payload.responseFile) {
        r.file = std::move(payload.responseFile);
      } else if (const Json* v = out.if_contains(m->name); v && v->is_string()) {
        r.body = std::string(v->as_string());
      } else {
        r.body = std::move(payload.responseBody);
      }
      return r;
    }
    const Json* v = out.if_contains(m->name);
    if (!v || v->is_null()) return r;
    if (m->shape->type == ShapeType::String) {
      r.body = std::string(v->as_string());
      return r;
    }
    XmlWriter w;
    w.open(wireName(*m), {{"xmlns", std::string(kS3Namespace)}});
    writeMembers(w, *v, *m->shape);
    r.body = w.finish();
    r.headers.emplace_back("Content-Type", "application/xml");
    return r;
  }
  if (!hasBodyMembers) return r;
  XmlWriter w;
  if (op.name == "GetBucketLocation") {
    // The constraint is the root element's text.
    w.open("LocationConstraint", {{"xmlns", std::string(kS3Namespace)}});
    if (const Json* v = out.if_contains("LocationConstraint"); v && v->is_string()) {
      w.text(v->as_string());
    }
  } else {
    w.open(rootName(op.name), {{"xmlns", std::string(kS3Namespace)}});
    writeMembers(w, output, *shape);
  }
  r.body = w.finish();
  r.headers.emplace_back("Content-Type", "application/xml");
  return r;
}

HttpResponse encodeError(const AwsError& error, std::string_view resource,
                         const std::string& requestId, bool head) {
  HttpResponse r;
  r.status = error.httpStatus;
  r.headers = {{"x-amz-request-id", requestId}, {"x-amz-id-2", requestId}};
  if (head || error.httpStatus == 304) {
    r.headOnly = head;
    return r;
  }
  XmlWriter w;
  w.open("Error").element("Code", error.code).element("Message", error.message);
  for (const auto& f : error.fields) w.element(f.name, f.value);
  w.element("Resource", resource).element("RequestId", requestId);
  r.body = w.finish();
  r.headers.emplace_back("Content-Type", "application/xml");
  return r;
}

}  // namespace sluice::gateway::restxml
