#include "asl/jsonata/jsonata.hpp"

#include <deque>
#include <new>

#include "asl/jsonata/ast.hpp"
#include "asl/jsonata/function.hpp"

namespace sluice::asl::jsonata {

struct Bindings::Entry {
  std::string name;
  Json value;
  std::shared_ptr<FunctionData> function;
  const Json* ref = nullptr;                                   // borrowed value (setRef)
  std::vector<std::pair<std::string, const Json*>> members{};  // borrowed object (setObjectRef)
  bool isObjectRef = false;
};

Bindings::Bindings() : entries_(std::make_shared<std::vector<Entry>>()) {}
Bindings::~Bindings() = default;
Bindings::Bindings(const Bindings& o)
    : entries_(std::make_shared<std::vector<Entry>>(*o.entries_)) {}
Bindings& Bindings::operator=(const Bindings& o) {
  if (this != &o) entries_ = std::make_shared<std::vector<Entry>>(*o.entries_);
  return *this;
}

void Bindings::set(std::string name, Json value) {
  Entry entry{std::move(name), std::move(value), nullptr};
  put(std::move(entry));
}

void Bindings::setRef(std::string name, const Json& value) {
  Entry entry{std::move(name), nullptr, nullptr};
  entry.ref = &value;
  put(std::move(entry));
}

void Bindings::setObjectRef(std::string name,
                            std::vector<std::pair<std::string, const Json*>> members) {
  Entry entry{std::move(name), nullptr, nullptr};
  entry.members = std::move(members);
  entry.isObjectRef = true;
  put(std::move(entry));
}

void Bindings::put(Entry entry) {
  for (auto& e : *entries_) {
    if (e.name == entry.name) {
      e = std::move(entry);
      return;
    }
  }
  entries_->push_back(std::move(entry));
}

void Bindings::setFunction(std::string name, NativeFunction fn, std::string_view signature) {
  auto f = std::make_shared<FunctionData>();
  f->kind = FunctionData::Kind::External;
  if (!signature.empty()) f->signature = parseSignature(signature);
  f->arity = f->signature ? static_cast<int>(f->signature->params.size()) : 1;
  f->external = [fn = std::move(fn)](CallInfo& call, std::vector<Value>& args) -> Value {
    std::vector<std::optional<Json>> jargs;
    jargs.reserve(args.size());
    for (const auto& a : args) {
      if (a.isUndefined()) {
        jargs.emplace_back(std::nullopt);
      } else {
        jargs.emplace_back(toJson(a));
      }
    }
    try {
      std::optional<Json> r = fn(FunctionArgs(jargs.data(), jargs.size()));
      if (!r) return Value();
      // Values borrow JSON: keep the result alive for the whole evaluation.
      call.ctx.keepJson.push_back(std::move(*r));
      return Value::fromJson(call.ctx.keepJson.back());
    } catch (const Error& e) {
      JError j(e.code);
      j.position = e.position;
      if (!e.token.empty()) j.tok(e.token);
      j.detail = e.message;
      throw j;
    }
  };
  put(Entry{std::move(name), nullptr, std::move(f)});
}

namespace {

std::string describe(const Value& v) {
  if (v.isUndefined()) return "undefined";
  if (v.isString()) return std::string(v.str());
  try {
    return stringify(v, false, 0);
  } catch (...) {
    return "?";
  }
}

std::string messageFor(const JError& e) {
  if (!e.detail.empty() && (e.code == "U1001" || e.code == "D3137" || e.code == "D3141")) {
    return e.detail;
  }
  const std::string& c = e.code;
  std::string v = e.hasValue ? describe(e.value) : "";
  std::string t = e.token;
  std::string idx = std::to_string(e.index);
  if (c == "S0101") return "String literal must be terminated by a matching quote";
  if (c == "S0102") return "Number out of range: " + t;
  if (c == "S0103") return "Unsupported escape sequence: \\" + t;
  if (c == "S0104") return "The escape sequence \\u must be followed by 4 hex digits";
  if (c == "S0105") return "Quoted property name must be terminated with a backquote (`)";
  if (c == "S0106") return "Comment has no closing tag";
  if (c == "S0201") return "Syntax error: " + t;
  if (c == "S0202") return "Expected " + v + ", got " + t;
  if (c == "S0203") return "Expected " + v + " before end of expression";
  if (c == "S0204") return "Unknown operator: " + t;
  if (c == "S0205") return "Unexpected token: " + t;
  if (c == "S0206") return "Unknown expression type: " + t;
  if (c == "S0207") return "Unexpected end of expression";
  if (c == "S0208")
    return "Parameter " + idx + " of function definition must be a variable name (start with $)";
  if (c == "S0209") return "A predicate cannot follow a grouping expression in a step";
  if (c == "S0210") return "Each step can only have one grouping expression";
  if (c == "S0211") return "The symbol " + t + " cannot be used as a unary operator";
  if (c == "S0212") return "The left side of := must be a variable name (start with $)";
  if (c == "S0213")
    return "The literal value " + t + " cannot be used as a step within a path expression";
  if (c == "S0214") return "The right side of " + t + " must be a variable name (start with $)";
  if (c == "S0215") return "A context variable binding must precede any predicates on a step";
  if (c == "S0216")
    return "A context variable binding must precede the 'order-by' clause on a step";
  if (c == "S0217")
    return "The object representing the 'parent' cannot be derived from this expression";
  if (c == "S0301") return "Empty regular expressions are not allowed";
  if (c == "S0302") return "No terminating / in regular expression";
  if (c == "S0303") return "Invalid regular expression";
  if (c == "S0401") return "Type parameters can only be applied to functions and arrays";
  if (c == "S0402") return "Choice groups containing parameterized types are not supported";
  if (c == "T0410")
    return "Argument " + idx + " of function " + t + " does not match function signature";
  if (c == "T0411")
    return "Context value is not a compatible type with argument " + idx + " of function " + t;
  if (c == "T0412")
    return "Argument " + idx + " of function " + t + " must be an array of " + e.detail;
  if (c == "D1001") return "Number out of range: " + v;
  if (c == "D1002") return "Cannot negate a non-numeric value: " + v;
  if (c == "T1003") return "Key in object structure must evaluate to a string; got: " + v;
  if (c == "D1004") return "Regular expression matches zero length string";
  if (c == "T1005") return "Attempted to invoke a non-function. Did you mean ${" + t + "}?";
  if (c == "T1006") return "Attempted to invoke a non-function";
  if (c == "T1007")
    return "Attempted to partially apply a non-function. Did you mean ${" + t + "}?";
  if (c == "T1008") return "Attempted to partially apply a non-function";
  if (c == "D1009") return "Multiple key definitions evaluate to same key: " + v;
  if (c == "T1010")
    return "The matcher function argument passed to function " + t +
           " does not return the correct object structure";
  if (c == "T2001") return "The left side of the " + t + " operator must evaluate to a number";
  if (c == "T2002") return "The right side of the " + t + " operator must evaluate to a number";
  if (c == "T2003") return "The left side of the range operator (..) must evaluate to an integer";
  if (c == "T2004") return "The right side of the range operator (..) must evaluate to an integer";
  if (c == "D2005") return "The left side of := must be a variable name (start with $)";
  if (c == "T2006")
    return "The right side of the function application operator ~> must be a function";
  if (c == "T2007")
    return "Type mismatch when comparing values " + v + " and " + describe(e.value2) +
           " in order-by clause";
  if (c == "T2008")
    return "The expressions within an order-by clause must evaluate to numeric or string values";
  if (c == "T2009")
    return "The values " + v + " and " + describe(e.value2) + " either side of operator " + t +
           " must be of the same data type";
  if (c == "T2010")
    return "The expressions either side of operator " + t +
           " must evaluate to numeric or string values";
  if (c == "T2011")
    return "The insert/update clause of the transform expression must evaluate to an object: " + v;
  if (c == "T2012")
    return "The delete clause of the transform expression must evaluate to a string or array of "
           "strings: " +
           v;
  if (c == "T2013")
    return "The transform expression clones the input object using the $clone() function.  This "
           "has been overridden in the current scope by a non-function.";
  if (c == "D2014")
    return "The size of the sequence allocated by the range operator (..) must not exceed 1e7.  "
           "Attempted to allocate " +
           v;
  if (c == "D3001") return "Attempting to invoke string function on Infinity or NaN";
  if (c == "D3010") return "Second argument of replace function cannot be an empty string";
  if (c == "D3011") return "Fourth argument of replace function must evaluate to a positive number";
  if (c == "D3012") return "Attempted to replace a matched string with a non-string value";
  if (c == "D3020") return "Third argument of split function must evaluate to a positive number";
  if (c == "D3030") return "Unable to cast value to a number: " + v;
  if (c == "D3040") return "Third argument of match function must evaluate to a positive number";
  if (c == "D3050")
    return "The second argument of reduce function must be a function with at least two arguments";
  if (c == "D3060") return "The sqrt function cannot be applied to a negative number: " + v;
  if (c == "D3061")
    return "The power function has resulted in a value that cannot be represented as a JSON number";
  if (c == "D3070")
    return "The single argument form of the sort function can only be applied to an array of "
           "strings or an array of numbers.  Use the second argument to specify a comparison "
           "function";
  if (c == "D3080") return "The picture string must only contain a maximum of two sub-pictures";
  if (c == "D3100")
    return "The radix of the formatBase function must be between 2 and 36.  It was given " + v;
  if (c == "D3110") return "Unable to cast value to a date/time: " + v;
  if (c == "D3137") return e.detail.empty() ? "$error() function evaluated" : e.detail;
  if (c == "D3138")
    return "The $single() function expected exactly 1 matching result.  Instead it matched more.";
  if (c == "D3139")
    return "The $single() function expected exactly 1 matching result.  Instead it matched 0.";
  if (c == "D3140") return "Malformed URL passed to ${" + t + "}(): " + v;
  if (c == "D3141") return e.detail.empty() ? "$assert() statement failed" : e.detail;
  if (!e.detail.empty()) return e.detail;
  return "Error " + c;
}

Error toError(const JError& e) {
  Error out;
  out.code = e.code;
  out.position = e.position;
  out.token = e.token;
  out.message = messageFor(e);
  return out;
}

}  // namespace

std::variant<Expression, Error> Expression::compile(std::string_view text) {
  try {
    Expression e;
    e.text_ = std::string(text);
    e.ast_ = parseExpression(e.text_);
    return e;
  } catch (const JError& e) {
    return toError(e);
  } catch (const std::bad_alloc&) {
    return Error{"U1001", -1, "", "Out of memory"};
  } catch (const std::exception& ex) {
    return Error{"S0500", -1, "", ex.what()};
  }
}

std::variant<std::optional<Json>, Error> Expression::evaluate(const Json* input,
                                                              const Bindings& bindings,
                                                              const Limits& limits) const {
  try {
    Context ctx;
    char base;
    ctx.stackBase = &base;
    ctx.stackBytes = limits.stackBytes;
    ctx.maxDepth = limits.maxDepth;
    if (limits.timeLimit.count() > 0) {
      ctx.hasDeadline = true;
      ctx.deadline = std::chrono::steady_clock::now() + limits.timeLimit;
    }
    ctx.nowMillis = static_cast<double>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                            std::chrono::system_clock::now().time_since_epoch())
                                            .count());
    Env env = std::make_shared<Frame>(nullptr);
    for (const auto& b : bindings.entries()) {
      if (b.function) {
        env->bind(b.name, Value::function(b.function));
      } else if (b.ref) {
        env->bind(b.name, Value::fromJson(*b.ref));
      } else if (b.isObjectRef) {
        Value object = Value::object();
        for (const auto& [key, member] : b.members) {
          if (member) object.obj()->set(key, Value::fromJson(*member));
        }
        env->bind(b.name, std::move(object));
      } else {
        env->bind(b.name, Value::fromJson(b.value));
      }
    }
    Value in = input ? Value::fromJson(*input) : Value();
    if (in.isArray()) {
      in = makeSequence({in});
      in.arr()->outerWrapper = true;
    }
    env->bind("$", in);
    Value result = jsonata::evaluate(ast_->root, in, env, ctx);
    if (result.isUndefined()) return std::optional<Json>();
    // JS returns NaN/Infinity, which JSON renders as null.
    if (result.isNumber() && !std::isfinite(result.num()))
      return std::optional<Json>(Json(nullptr));
    return std::optional<Json>(toJson(result));
  } catch (const JError& e) {
    return toError(e);
  } catch (const std::bad_alloc&) {
    return Error{"U1001", -1, "", "Out of memory"};
  } catch (const std::exception& ex) {
    return Error{"U1002", -1, "", ex.what()};
  }
}

namespace {
// Numbers as JavaScript prints them; non-finite values become null, as
// JSON.stringify does.
void appendJsDouble(std::string& out, double d) {
  if (!std::isfinite(d)) {
    out += "null";
  } else {
    appendNumber(out, d);
  }
}

}  // namespace

std::string toJsText(const Json& value) {
  std::string out;
  appendJsonText(out, value, &appendJsDouble);
  return out;
}

Json errorToJson(const Error& e) {
  json::object o;
  o["code"] = e.code;
  o["position"] = e.position;
  o["token"] = e.token;
  o["message"] = e.message;
  return o;
}

}  // namespace sluice::asl::jsonata
