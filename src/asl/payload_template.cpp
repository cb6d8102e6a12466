// Payload templates compile to a tree whose static parts are kept as ready
// JSON, so evaluation only walks the dynamic fields.
#include "asl/payload_template.hpp"

#include <variant>
#include <vector>

#include "asl/intrinsics.hpp"
#include "asl/path.hpp"

namespace sluice::asl {

namespace {
constexpr std::string_view kDynamicSuffix = ".$";

bool isDynamicKey(std::string_view key) {
  return key.size() > kDynamicSuffix.size() && key.ends_with(kDynamicSuffix);
}
}  // namespace

struct PayloadTemplate::Node {
  // A node is exactly one of these.
  struct Static {
    Json value;
  };
  struct FromPath {
    Path path;
    std::string field;
  };
  struct FromCall {
    IntrinsicCall call;
  };
  struct Object {
    std::vector<std::pair<std::string, Node>> fields;  // output keys (".$" removed)
  };
  struct Array {
    std::vector<Node> items;
  };
  std::variant<Static, FromPath, FromCall, Object, Array> v;

  bool isStatic() const { return std::holds_alternative<Static>(v); }
};

namespace {

using Node = PayloadTemplate::Node;

Result<Node> compileNode(const Json& tmpl) {
  if (tmpl.is_object()) {
    Node::Object obj;
    bool allStatic = true;
    for (const auto& kv : tmpl.get_object()) {
      std::string_view key = kv.key();
      if (isDynamicKey(key)) {
        auto invalid = AwsError::validation("The value for the field '" + std::string(key) +
                                            "' must be a valid JSONPath or a valid intrinsic "
                                            "function call");
        if (!kv.value().is_string()) return invalid;
        std::string_view text = kv.value().get_string();
        std::string outKey(key.substr(0, key.size() - kDynamicSuffix.size()));
        if (!text.empty() && text[0] == '$') {
          auto path = Path::parse(text);
          if (!path) return invalid;
          obj.fields.emplace_back(outKey,
                                  Node{Node::FromPath{std::move(path).value(), std::string(key)}});
        } else if (IntrinsicCall::looksLikeCall(text)) {
          auto call = IntrinsicCall::parse(text);
          if (!call) return invalid;
          obj.fields.emplace_back(outKey, Node{Node::FromCall{std::move(call).value()}});
        } else {
          return invalid;
        }
        allStatic = false;
        continue;
      }
      auto child = compileNode(kv.value());
      if (!child) return child.takeError();
      allStatic = allStatic && child->isStatic();
      obj.fields.emplace_back(std::string(key), std::move(child).value());
    }
    if (allStatic) return Node{Node::Static{tmpl}};
    return Node{std::move(obj)};
  }
  if (tmpl.is_array()) {
    Node::Array arr;
    bool allStatic = true;
    for (const auto& e : tmpl.get_array()) {
      auto child = compileNode(e);
      if (!child) return child.takeError();
      allStatic = allStatic && child->isStatic();
      arr.items.push_back(std::move(child).value());
    }
    if (allStatic) return Node{Node::Static{tmpl}};
    return Node{std::move(arr)};
  }
  return Node{Node::Static{tmpl}};
}

Outcome<Json> evalNode(const Node& node, const EvalEnv& env) {
  return std::visit(
      [&](const auto& n) -> Outcome<Json> {
        using T = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<T, Node::Static>) {
          return n.value;
        } else if constexpr (std::is_same_v<T, Node::FromPath>) {
          if (auto v = n.path.select(env)) return std::move(*v);
          // The document shown is the one the path was evaluated against.
          const Json* doc = n.path.document(env);
          return StatesError{errors::kRuntime,
                             "The JSONPath '" + n.path.text() + "' specified for the field '" +
                                 n.field + "' could not be found in the input '" +
                                 (doc ? toJsonText(*doc) : std::string("null")) + "'"};
        } else if constexpr (std::is_same_v<T, Node::FromCall>) {
          return n.call.evaluate(env);
        } else if constexpr (std::is_same_v<T, Node::Object>) {
          json::object out;
          out.reserve(n.fields.size());
          for (const auto& [key, child] : n.fields) {
            auto v = evalNode(child, env);
            if (!v) return v.takeError();
            out[key] = std::move(v).value();
          }
          return Json(std::move(out));
        } else {
          json::array out;
          out.reserve(n.items.size());
          for (const auto& child : n.items) {
            auto v = evalNode(child, env);
            if (!v) return v.takeError();
            out.push_back(std::move(v).value());
          }
          return Json(std::move(out));
        }
      },
      node.v);
}

}  // namespace

Result<PayloadTemplate> PayloadTemplate::compile(const Json& tmpl) {
  auto root = compileNode(tmpl);
  if (!root) return root.takeError();
  return PayloadTemplate(std::make_shared<const Node>(std::move(root).value()), tmpl);
}

PayloadTemplate::PayloadTemplate(std::shared_ptr<const Node> root, Json source)
    : root_(std::move(root)), source_(std::move(source)) {}

Outcome<Json> PayloadTemplate::evaluate(const EvalEnv& env) const {
  return evalNode(*root_, env);
}

const Json& PayloadTemplate::source() const {
  return source_;
}

}  // namespace sluice::asl
