#include "asl/path.hpp"

#include <cctype>

#include "asl/jsonpath_ast.hpp"

namespace sluice::asl {

namespace {

bool identStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool identChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

}  // namespace

Result<Path> Path::parse(std::string_view text) {
  auto impl = std::make_shared<Impl>();
  impl->text = std::string(text);
  auto invalid = [&](const std::string& why) {
    return AwsError::validation("The value '" + std::string(text) +
                                "' is not a valid JSONPath: " + why);
  };
  if (text.empty() || text[0] != '$') return invalid("it must start with '$'");
  size_t pos = 1;
  if (text.size() > 1 && text[1] == '$') {
    impl->root = Root::Context;
    pos = 2;
  } else if (text.size() > 1 && identStart(text[1])) {
    impl->root = Root::Variable;
    while (pos < text.size() && identChar(text[pos])) ++pos;
    impl->variable = std::string(text.substr(1, pos - 1));
  }
  if (auto err = jsonpath::parseSteps(text, pos, impl->steps, false)) return invalid(*err);
  impl->definite = jsonpath::isDefinite(impl->steps);
  impl->reference = jsonpath::isReference(impl->steps);
  return Path(std::move(impl));
}

Path::Path(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
Path::Path(const Path&) = default;
Path::Path(Path&&) noexcept = default;
Path& Path::operator=(const Path&) = default;
Path& Path::operator=(Path&&) noexcept = default;
Path::~Path() = default;

const std::string& Path::text() const {
  return impl_->text;
}
Path::Root Path::root() const {
  return impl_->root;
}
const std::string& Path::variable() const {
  return impl_->variable;
}
bool Path::isDefinite() const {
  return impl_->definite;
}
bool Path::isReferencePath() const {
  return impl_->reference;
}
const std::string* Path::topLevelField() const {
  const auto& steps = impl_->steps;
  if (impl_->root != Root::Input || !impl_->reference || steps.size() != 1 ||
      steps[0].kind != jsonpath::Step::Kind::Name || steps[0].names.size() != 1) {
    return nullptr;
  }
  return &steps[0].names[0];
}
std::string Path::normalized() const {
  return jsonpath::normalized(impl_->steps);
}

const Json* Path::document(const EvalEnv& env) const {
  switch (impl_->root) {
    case Root::Input:
      return env.input;
    case Root::Context:
      return env.context;
    case Root::Variable:
      return env.vars ? env.vars->lookup(impl_->variable) : nullptr;
  }
  return nullptr;
}

const Json* Path::find(const EvalEnv& env) const {
  const Json* doc = document(env);
  if (!doc || !impl_->reference) return nullptr;
  return jsonpath::selectOne(impl_->steps, *doc);
}

std::optional<Json> Path::select(const EvalEnv& env) const {
  if (const Json* doc = document(env)) return selectFrom(*doc);
  if (impl_->definite) return std::nullopt;
  return Json(json::array());
}

std::optional<Json> Path::selectFrom(const Json& document) const {
  if (impl_->definite) return jsonpath::selectDefinite(impl_->steps, document);
  jsonpath::Matches m;
  jsonpath::selectAll(impl_->steps, document, document, m);
  json::array out;
  out.reserve(m.nodes.size());
  for (const Json* n : m.nodes) out.push_back(*n);
  return Json(std::move(out));
}

bool Path::assign(Json& document, Json value) const {
  using Kind = jsonpath::Step::Kind;
  const auto& steps = impl_->steps;
  if (!impl_->reference) return false;
  Json* cur = &document;
  for (size_t i = 0; i < steps.size(); ++i) {
    const auto& step = steps[i];
    bool last = i + 1 == steps.size();
    if (step.kind == Kind::Name) {
      if (!cur->is_object()) return false;
      auto& obj = cur->get_object();
      if (last) {
        obj[step.names[0]] = std::move(value);
        return true;
      }
      Json* next = obj.if_contains(step.names[0]);
      if (!next) {
        // Only objects are created on the way; a missing array cannot be indexed.
        if (steps[i + 1].kind != Kind::Name) return false;
        next = &(obj[step.names[0]] = json::object());
      }
      cur = next;
    } else {  // Kind::Index
      if (!cur->is_array()) return false;
      auto& arr = cur->get_array();
      long long idx = step.indexes[0], n = static_cast<long long>(arr.size());
      if (idx < 0) idx += n;
      if (idx < 0 || idx >= n) return false;
      if (last) {
        arr[static_cast<size_t>(idx)] = std::move(value);
        return true;
      }
      cur = &arr[static_cast<size_t>(idx)];
    }
  }
  document = std::move(value);
  return true;
}

}  // namespace sluice::asl
