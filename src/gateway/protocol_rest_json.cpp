#include "gateway/protocol_rest_json.hpp"

#include <charconv>

#include "gateway/protocol_json.hpp"
#include "gateway/sigv4_internal.hpp"

namespace sluice::gateway {

namespace {

using services::model::Member;
using services::model::Operation;
using services::model::ServiceModel;
using services::model::Shape;
using services::model::ShapeType;
using sigv4_detail::percentDecode;

const ServiceModel* restJsonModel(std::string_view service) {
  const ServiceModel* model = service.empty() ? nullptr : ServiceModel::get(service);
  return model && model->metadata().protocol == "rest-json" ? model : nullptr;
}

std::string_view wireName(const Member& m) {
  return m.locationName.empty() ? std::string_view(m.name) : std::string_view(m.locationName);
}

// A string from the URI, query or a header as the member's type wants it.
// Values that do not convert stay strings: validation then names the member.
Json scalarFrom(const Member& m, const std::string& text) {
  const Shape* s = m.shape;
  if (!s) return Json(text);
  switch (s->type) {
    case ShapeType::Integer:
    case ShapeType::Long: {
      int64_t v = 0;
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec == std::errc() && p == text.data() + text.size()) return Json(v);
      return Json(text);
    }
    case ShapeType::Boolean:
      if (text == "true") return Json(true);
      if (text == "false") return Json(false);
      return Json(text);
    default:
      return Json(text);
  }
}

std::string headerText(const Json& v) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_bool()) return v.get_bool() ? "true" : "false";
  return toJsonText(v);
}

struct Match {
  const Operation* op = nullptr;
  std::map<std::string, std::string> labels;
};

// The operation whose method and template fit; the template with the most
// literal text wins ("/schedules/x" over "/{Any+}").
std::optional<Match> findOperation(const ServiceModel& model, const HttpRequest& http,
                                   std::string_view rawPath,
                                   const std::vector<std::pair<std::string, std::string>>& query) {
  std::optional<Match> best;
  size_t bestLiteral = 0;
  for (const auto& [name, op] : model.operations()) {
    if (op.httpMethod != http.method) continue;
    std::string_view uri = op.requestUri;
    std::string_view tmplQuery;
    if (auto q = uri.find('?'); q != std::string_view::npos) {
      tmplQuery = uri.substr(q + 1);
      uri = uri.substr(0, q);
    }
    // Literal query keys in the template ("?tagging") must be present.
    bool queryOk = true;
    for (const auto& [key, value] : sigv4_detail::parseQuery(tmplQuery)) {
      if (!sigv4_detail::queryParam(query, key)) queryOk = false;
    }
    if (!queryOk) continue;
    auto labels = matchUriTemplate(uri, rawPath);
    if (!labels) continue;
    size_t literal = uri.size();
    for (const auto& [k, v] : *labels) literal -= k.size() + 2;
    if (!best || literal > bestLiteral) {
      best = Match{&op, std::move(*labels)};
      bestLiteral = literal;
    }
  }
  return best;
}

}  // namespace

std::optional<std::map<std::string, std::string>> matchUriTemplate(std::string_view tmpl,
                                                                   std::string_view path) {
  std::map<std::string, std::string> labels;
  size_t t = 0, p = 0;
  while (t < tmpl.size()) {
    if (tmpl[t] != '{') {
      if (p >= path.size() || path[p] != tmpl[t]) return std::nullopt;
      ++t;
      ++p;
      continue;
    }
    size_t close = tmpl.find('}', t);
    if (close == std::string_view::npos) return std::nullopt;
    std::string name(tmpl.substr(t + 1, close - t - 1));
    bool greedy = !name.empty() && name.back() == '+';
    if (greedy) name.pop_back();
    t = close + 1;
    // A label runs to the next literal character of the template ('/' in
    // practice); a greedy one to the end of the path less the template's tail.
    size_t end;
    if (greedy) {
      size_t tail = tmpl.size() - t;
      if (path.size() - p < tail) return std::nullopt;
      end = path.size() - tail;
    } else {
      char stop = t < tmpl.size() ? tmpl[t] : '\0';
      end = stop ? path.find(stop, p) : path.find('/', p);
      if (end == std::string_view::npos) end = path.size();
      if (!stop && end != path.size()) return std::nullopt;
    }
    if (end == p) return std::nullopt;  // labels are never empty
    labels[name] = percentDecode(path.substr(p, end - p));
    p = end;
  }
  if (p != path.size()) return std::nullopt;
  return labels;
}

bool RestJsonProtocol::claims(const HttpRequest& request, std::string_view service) const {
  return request.header("X-Amz-Target").empty() && restJsonModel(service) &&
         registry_.hasService(service);
}

HttpResponse RestJsonProtocol::errorResponse(const AwsError& error, const HttpRequest&,
                                             const std::string& requestId) const {
  // botocore's restJson parser reads the code from x-amzn-ErrorType (then the
  // body's "__type"/"code") and the message from "message"/"Message".
  return jsonError(error, requestId, "application/json");
}

void RestJsonProtocol::handle(RoutedRequest request, HttpReply reply) const {
  const HttpRequest& http = request.http;
  std::string requestId = request.ctx.requestId;
  auto fail = [&](AwsError e) { reply(jsonError(e, requestId, "application/json")); };
  const ServiceModel* model = restJsonModel(request.service);
  auto split = sigv4_detail::splitTarget(http.target);
  auto query = sigv4_detail::parseQuery(split.query);
  auto match = model ? findOperation(*model, http, split.path, query) : std::nullopt;
  if (!match) {
    return fail({"UnknownOperationException",
                 "No operation of " + request.service + " answers " + http.method + " " +
                     std::string(split.path) + ".",
                 404});
  }
  const Operation& op = *match->op;

  JsonObject input;
  const Shape* in = op.input;
  const Member* payload = in && !in->payload.empty() ? in->findMember(in->payload) : nullptr;
  if (!http.body.empty()) {
    if (payload && payload->shape && payload->shape->type != ShapeType::Structure) {
      input[payload->name] = http.body;  // blob/string payload: the body as it is
    } else {
      auto parsed = parseJson(http.body);
      if (!parsed || !parsed->is_object()) {
        return fail({"SerializationException", "The request body is not a JSON object.", 400});
      }
      if (payload) {
        input[payload->name] = std::move(*parsed);
      } else {
        input = std::move(parsed->as_object());
      }
    }
  }
  if (in) {
    for (const Member& m : in->members) {
      if (m.location == "uri") {
        auto it = match->labels.find(std::string(wireName(m)));
        if (it != match->labels.end()) input[m.name] = scalarFrom(m, it->second);
      } else if (m.location == "querystring") {
        bool isList = m.shape && m.shape->type == ShapeType::List;
        JsonArray values;
        for (const auto& [key, value] : query) {
          if (key != wireName(m)) continue;
          if (!isList) {
            input[m.name] = scalarFrom(m, value);
            break;
          }
          values.push_back(scalarFrom(m.shape->member, value));
        }
        if (isList && !values.empty()) input[m.name] = std::move(values);
      } else if (m.location == "header") {
        std::string_view value = http.header(wireName(m));
        if (!value.empty()) input[m.name] = scalarFrom(m, std::string(value));
      }
    }
  }

  registry_.call(
      request.service, op.name, input, request.ctx,
      [reply = std::move(reply), requestId, &op](Result<Json> result) {
        if (!result) return reply(jsonError(result.error(), requestId, "application/json"));
        HttpResponse r;
        r.status = op.responseCode;
        r.headers = {{"Content-Type", "application/json"}, {"x-amzn-RequestId", requestId}};
        JsonObject body = result->is_object() ? result->as_object() : JsonObject{};
        if (const Shape* out = op.output) {
          for (const Member& m : out->members) {
            const Json* v = body.if_contains(m.name);
            if (!v) continue;
            if (m.location == "header") {
              r.headers.emplace_back(std::string(wireName(m)), headerText(*v));
              body.erase(m.name);
            } else if (m.location == "statusCode") {
              r.status = static_cast<int>(toDouble(*v));
              body.erase(m.name);
            }
          }
          if (!out->payload.empty()) {
            const Json* p = body.if_contains(out->payload);
            r.body = !p ? "" : p->is_string() ? std::string(p->get_string()) : toJsonText(*p);
            return reply(std::move(r));
          }
        }
        r.body = toJsonText(body);
        reply(std::move(r));
      });
}

}  // namespace sluice::gateway
