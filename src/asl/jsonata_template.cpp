#include "asl/jsonata_template.hpp"

#include <utility>
#include <variant>

#include "asl/jsonata/jsonata.hpp"

namespace sluice::asl {

struct JsonataTemplate::Node {
  enum class Kind { Literal, Expression, Object, Array };
  Kind kind = Kind::Literal;
  Json literal;                                       // Literal: a subtree without expressions
  std::optional<jsonata::Expression> expr;            // Expression
  std::string text;                                   // Expression: as written between {% and %}
  std::string field;                                  // Expression: "Output/result"
  std::vector<std::pair<std::string, Node>> members;  // Object
  std::vector<Node> items;                            // Array
};

namespace {

using Node = JsonataTemplate::Node;

bool isExpressionString(const Json& v) {
  if (!v.is_string()) return false;
  std::string_view s = v.get_string();
  return s.size() >= 4 && s.substr(0, 2) == "{%" && s.substr(s.size() - 2) == "%}";
}

std::string_view trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n";
  size_t b = s.find_first_not_of(kSpace);
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(kSpace);
  return s.substr(b, e - b + 1);
}

std::string join(const std::string& base, std::string_view key) {
  return base.empty() ? std::string(key) : base + "/" + std::string(key);
}

bool containsExpression(const Json& v) {
  switch (v.kind()) {
    case json::kind::string:
      return isExpressionString(v);
    case json::kind::array:
      for (const auto& e : v.get_array())
        if (containsExpression(e)) return true;
      return false;
    case json::kind::object:
      for (const auto& kv : v.get_object())
        if (containsExpression(kv.value())) return true;
      return false;
    default:
      return false;
  }
}

// `field` names the value in runtime causes, `path` in compile problems.
Node compileNode(const Json& v, const std::string& field, const std::string& path,
                 std::vector<JsonataProblem>& problems) {
  Node n;
  if (!containsExpression(v)) {
    n.literal = v;
    return n;
  }
  if (v.is_string()) {
    std::string_view s = v.get_string();
    n.kind = Node::Kind::Expression;
    n.text = std::string(trim(s.substr(2, s.size() - 4)));
    n.field = field;
    auto compiled = jsonata::Expression::compile(n.text);
    if (auto* err = std::get_if<jsonata::Error>(&compiled)) {
      problems.push_back({"INVALID_JSONATA_EXPRESSION", err->message, path});
    } else {
      n.expr = std::move(std::get<jsonata::Expression>(compiled));
      for (const auto& name : n.expr->topLevelReferences()) {
        problems.push_back({"UNSUPPORTED_JSONATA_EXPRESSION",
                            "Reference to '" + name + "' at the top level is not supported.",
                            path});
      }
    }
    return n;
  }
  if (v.is_array()) {
    n.kind = Node::Kind::Array;
    size_t i = 0;
    for (const auto& e : v.get_array()) {
      std::string index = std::to_string(i++);
      n.items.push_back(compileNode(e, field + "[" + index + "]", join(path, index), problems));
    }
    return n;
  }
  n.kind = Node::Kind::Object;
  for (const auto& kv : v.get_object()) {
    n.members.emplace_back(std::string(kv.key()), compileNode(kv.value(), join(field, kv.key()),
                                                              join(path, kv.key()), problems));
  }
  return n;
}

// What the expressions of one evaluation see: $states, the variables in scope
// and the Step Functions functions. Values are borrowed, never copied.
jsonata::Bindings makeBindings(const EvalEnv& env) {
  jsonata::Bindings b = env.functions ? *env.functions : jsonata::Bindings();
  b.setObjectRef("states", {{"input", env.input},
                            {"result", env.result},
                            {"errorOutput", env.errorOutput},
                            {"context", env.context}});
  // Outermost scope first, so that inner assignments win.
  std::vector<const VarScope*> chain;
  for (const VarScope* s = env.vars; s; s = s->parent()) chain.push_back(s);
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    for (const auto& kv : (*it)->local()) b.setRef(std::string(kv.key()), kv.value());
  }
  return b;
}

std::string describeFailure(const Node& n, std::string_view what) {
  return "The JSONata expression '" + n.text + "' specified for the field '" + n.field + "' " +
         std::string(what);
}

Outcome<Json> evaluateNode(const Node& n, const jsonata::Bindings& bindings) {
  switch (n.kind) {
    case Node::Kind::Literal:
      return n.literal;
    case Node::Kind::Expression: {
      auto r = n.expr->evaluate(nullptr, bindings);
      if (auto* err = std::get_if<jsonata::Error>(&r)) {
        return queryEvaluationError(describeFailure(n, "threw an error during evaluation. " +
                                                           err->code + ": " + err->message),
                                    n.field);
      }
      auto& value = std::get<std::optional<Json>>(r);
      if (!value) {
        return queryEvaluationError(describeFailure(n, "returned nothing (undefined)."), n.field);
      }
      return std::move(*value);
    }
    case Node::Kind::Array: {
      JsonArray out;
      out.reserve(n.items.size());
      for (const auto& item : n.items) {
        auto v = evaluateNode(item, bindings);
        if (!v) return v.takeError();
        out.push_back(std::move(v.value()));
      }
      return Json(std::move(out));
    }
    case Node::Kind::Object: {
      JsonObject out(n.members.size());
      for (const auto& [key, member] : n.members) {
        auto v = evaluateNode(member, bindings);
        if (!v) return v.takeError();
        out[key] = std::move(v.value());
      }
      return Json(std::move(out));
    }
  }
  return Json(nullptr);
}

}  // namespace

StatesError queryEvaluationError(std::string cause, std::string location) {
  StatesError e{errors::kQueryEvaluationError, std::move(cause)};
  e.evaluationLocation = std::move(location);
  return e;
}

JsonataTemplate::JsonataTemplate(std::shared_ptr<const Node> root, std::string field)
    : root_(std::move(root)), field_(std::move(field)) {}

std::optional<JsonataTemplate> JsonataTemplate::compile(const Json& value, std::string field,
                                                        std::vector<JsonataProblem>& problems) {
  size_t before = problems.size();
  auto root = std::make_shared<Node>(compileNode(value, field, "", problems));
  if (problems.size() != before) return std::nullopt;
  return JsonataTemplate(std::move(root), std::move(field));
}

Outcome<Json> JsonataTemplate::evaluate(const EvalEnv& env) const {
  if (root_->kind == Node::Kind::Literal) return root_->literal;
  return evaluateNode(*root_, makeBindings(env));
}

const std::string* JsonataTemplate::expressionText() const {
  return root_->kind == Node::Kind::Expression ? &root_->text : nullptr;
}

StatesError JsonataTemplate::unexpectedType(const Json& value, std::string_view expected) const {
  std::string cause = "The JSONata expression '" + (expressionText() ? *expressionText() : "") +
                      "' specified for the field '" + field_ +
                      "' returned an unexpected result type. Expected '" + std::string(expected) +
                      "', but was '" + std::string(jsonTypeName(value)) +
                      "' for value: " + toJsonText(value);
  return queryEvaluationError(std::move(cause), field_);
}

}  // namespace sluice::asl
