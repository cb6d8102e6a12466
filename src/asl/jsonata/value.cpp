#include "asl/jsonata/value.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "asl/jsonata/ast.hpp"
#include "asl/jsonata/function.hpp"

namespace sluice::asl::jsonata {

namespace {
// Transforms can make an object contain itself (JS then refuses to
// serialise it); walks over owned containers track their path to stop there.
struct CycleGuard {
  std::vector<const void*>& path;
  bool pushed = false;
  CycleGuard(std::vector<const void*>& p, const Value& v) : path(p) {
    if (v.isBorrowed() || !(v.isArray() || v.isObject())) return;
    const void* id = v.identity();
    for (const void* q : path) {
      if (q == id) {
        JError e("U1002");
        e.detail = "Converting circular structure to JSON";
        throw e;
      }
    }
    path.push_back(id);
    pushed = true;
  }
  ~CycleGuard() {
    if (pushed) path.pop_back();
  }
  CycleGuard(const CycleGuard&) = delete;
  CycleGuard& operator=(const CycleGuard&) = delete;
};
}  // namespace

Value Value::string(std::string s) {
  Value v;
  v.type_ = Type::String;
  v.h_ = std::make_shared<StringData>(std::move(s));
  return v;
}
Value Value::array() {
  Value v;
  v.type_ = Type::Array;
  v.h_ = std::make_shared<ArrayData>();
  return v;
}
Value Value::sequence() {
  Value v = array();
  v.arr()->sequence = true;
  return v;
}
Value Value::object() {
  Value v;
  v.type_ = Type::Object;
  v.h_ = std::make_shared<ObjectData>();
  return v;
}
Value Value::function(std::shared_ptr<FunctionData> f) {
  Value v;
  v.type_ = Type::Function;
  v.h_ = std::move(f);
  return v;
}
FunctionData* Value::fnPtr() const {
  return static_cast<FunctionData*>(h_.get());
}

Value Value::fromJson(const Json& j) {
  Value v;
  switch (j.kind()) {
    case json::kind::null:
      v.type_ = Type::Null;
      break;
    case json::kind::bool_:
      v.type_ = Type::Boolean;
      v.b_ = j.get_bool();
      break;
    case json::kind::int64:
      v.type_ = Type::Number;
      v.n_ = static_cast<double>(j.get_int64());
      break;
    case json::kind::uint64:
      v.type_ = Type::Number;
      v.n_ = static_cast<double>(j.get_uint64());
      break;
    case json::kind::double_:
      v.type_ = Type::Number;
      v.n_ = j.get_double();
      break;
    case json::kind::string:
      v.type_ = Type::String;
      v.borrowed_ = true;
      v.j_ = &j;
      break;
    case json::kind::array:
      v.type_ = Type::Array;
      v.borrowed_ = true;
      v.j_ = &j;
      break;
    case json::kind::object:
      v.type_ = Type::Object;
      v.borrowed_ = true;
      v.j_ = &j;
      break;
  }
  return v;
}

size_t ObjectData::find(std::string_view key) const {
  if (!index.empty()) {
    auto it = index.find(key);
    return it == index.end() ? npos : it->second;
  }
  for (size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].first == key) return i;
  }
  return npos;
}
Value ObjectData::get(std::string_view key) const {
  size_t i = find(key);
  return i == npos ? Value() : entries[i].second;
}
void ObjectData::set(std::string_view key, Value v) {
  size_t i = find(key);
  if (i != npos) {
    entries[i].second = std::move(v);
    return;
  }
  entries.emplace_back(std::string(key), std::move(v));
  if (!index.empty()) {
    index.emplace(entries.back().first, entries.size() - 1);
  } else if (entries.size() > 16) {
    reindex();
  }
}
void ObjectData::reindex() {
  index.clear();
  if (entries.size() <= 16) return;
  index.reserve(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) index.emplace(entries[i].first, i);
}
bool ObjectData::erase(std::string_view key) {
  size_t i = find(key);
  if (i == npos) return false;
  entries.erase(entries.begin() + static_cast<long>(i));
  reindex();
  return true;
}

Value makeSequence(std::vector<Value> items) {
  Value v = Value::sequence();
  v.arr()->items = std::move(items);
  return v;
}
Value makeArray(std::vector<Value> items) {
  Value v = Value::array();
  v.arr()->items = std::move(items);
  return v;
}
std::vector<Value> itemsOf(const Value& v) {
  if (auto* a = v.arr()) return a->items;
  std::vector<Value> out;
  size_t n = v.size();
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out.push_back(v.at(i));
  return out;
}

void appendNumber(std::string& out, double d) {
  if (std::isnan(d)) {
    out += "NaN";
    return;
  }
  if (std::isinf(d)) {
    out += d < 0 ? "-Infinity" : "Infinity";
    return;
  }
  if (d == 0) {
    out += '0';
    return;
  }
  if (std::fabs(d) < 1e15 && d == std::floor(d)) {
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, static_cast<long long>(d));
    out.append(buf, r.ptr);
    return;
  }
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string_view s(buf, static_cast<size_t>(r.ptr - buf));
  bool neg = false;
  if (s[0] == '-') {
    neg = true;
    s.remove_prefix(1);
  }
  auto epos = s.find('e');
  std::string digits;
  for (char c : s.substr(0, epos)) {
    if (c != '.') digits += c;
  }
  int exp = std::atoi(std::string(s.substr(epos + 1)).c_str());
  int k = static_cast<int>(digits.size());
  int n = exp + 1;
  if (neg) out += '-';
  if (k <= n && n <= 21) {
    out += digits;
    out.append(static_cast<size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out.append(digits, 0, static_cast<size_t>(n));
    out += '.';
    out.append(digits, static_cast<size_t>(n));
  } else if (-6 < n && n <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-n), '0');
    out += digits;
  } else {
    out += digits[0];
    if (k > 1) {
      out += '.';
      out.append(digits, 1);
    }
    out += 'e';
    int e = n - 1;
    out += e < 0 ? '-' : '+';
    out += std::to_string(e < 0 ? -e : e);
  }
}

std::string formatNumber(double d) {
  std::string s;
  appendNumber(s, d);
  return s;
}

void appendQuoted(std::string& out, std::string_view s) {
  // JSON.stringify escapes exactly what JSON requires, as Sluice's own writer does.
  appendJsonString(out, s);
}

namespace {

double round15(double d) {
  if (std::fabs(d) < 1e15 && d == std::floor(d)) return d;  // already exact
  {
    // The shortest form with at most 15 significant digits needs no rounding.
    char sbuf[40];
    auto r = std::to_chars(sbuf, sbuf + sizeof sbuf, d, std::chars_format::scientific);
    int digits = 0;
    for (char* p = sbuf; p < r.ptr && *p != 'e'; ++p) digits += (*p >= '0' && *p <= '9') ? 1 : 0;
    if (digits <= 15) return d;
  }
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.14e", d);
  return std::strtod(buf, nullptr);
}

void stringifyInto(std::string& out, const Value& v, bool r15, int indent, int level,
                   std::vector<const void*>& path) {
  CycleGuard guard(path, v);
  auto newline = [&](int lvl) {
    if (indent <= 0) return;
    out += '\n';
    out.append(static_cast<size_t>(indent * lvl), ' ');
  };
  switch (v.type()) {
    case Type::Undefined:
    case Type::Null:
      out += "null";
      return;
    case Type::Boolean:
      out += v.boolValue() ? "true" : "false";
      return;
    case Type::Number: {
      double d = v.num();
      if (!std::isfinite(d)) {
        out += "null";
        return;
      }
      appendNumber(out, r15 ? round15(d) : d);
      return;
    }
    case Type::String:
      appendQuoted(out, v.str());
      return;
    case Type::Function:
      out += "\"\"";
      return;
    case Type::Array: {
      size_t n = v.size();
      if (n == 0) {
        out += "[]";
        return;
      }
      out += '[';
      for (size_t i = 0; i < n; ++i) {
        if (i) out += ',';
        newline(level + 1);
        Value item = v.at(i);
        if (item.isUndefined()) {
          out += "null";
        } else {
          stringifyInto(out, item, r15, indent, level + 1, path);
        }
      }
      newline(level);
      out += ']';
      return;
    }
    case Type::Object: {
      bool first = true;
      out += '{';
      v.forEachEntry([&](std::string_view k, const Value& item) {
        if (item.isUndefined()) return;
        if (!first) out += ',';
        first = false;
        newline(level + 1);
        appendQuoted(out, k);
        out += ':';
        if (indent > 0) out += ' ';
        stringifyInto(out, item, r15, indent, level + 1, path);
      });
      if (!first) newline(level);
      out += '}';
      return;
    }
  }
}

}  // namespace

std::string stringify(const Value& v, bool r15, int indent) {
  std::string out;
  std::vector<const void*> path;
  stringifyInto(out, v, r15, indent, 0, path);
  return out;
}

namespace {
Json toJsonImpl(const Value& v, std::vector<const void*>& path) {
  CycleGuard guard(path, v);
  switch (v.type()) {
    case Type::Undefined:
    case Type::Null:
      return nullptr;
    case Type::Boolean:
      return v.boolValue();
    case Type::Number: {
      double d = v.num();
      if (d == std::floor(d) && std::fabs(d) < 9.007199254740992e15) {
        return static_cast<std::int64_t>(d);
      }
      return d;
    }
    case Type::String:
      if (auto* j = v.json()) return *j;
      return json::string(v.str());
    case Type::Function:
      return json::string("");
    case Type::Array: {
      if (auto* j = v.json()) return *j;
      json::array a;
      a.reserve(v.size());
      for (const auto& item : v.arr()->items)
        a.push_back(toJsonImpl(item, path));  // undefined -> null
      return a;
    }
    case Type::Object: {
      if (auto* j = v.json()) return *j;
      json::object o;
      for (const auto& [k, item] : v.obj()->entries) {
        if (item.isUndefined()) continue;
        o[k] = toJsonImpl(item, path);
      }
      return o;
    }
  }
  return nullptr;
}

}  // namespace

Json toJson(const Value& v) {
  std::vector<const void*> path;
  return toJsonImpl(v, path);
}

bool deepEqual(const Value& a, const Value& b) {
  if (a.type() != b.type()) return false;
  if ((a.isArray() || a.isObject()) && a.identity() == b.identity()) return true;
  switch (a.type()) {
    case Type::Undefined:
    case Type::Null:
      return true;
    case Type::Boolean:
      return a.boolValue() == b.boolValue();
    case Type::Number:
      return a.num() == b.num();
    case Type::String:
      return a.str() == b.str();
    case Type::Function:
      return a.identity() == b.identity();
    case Type::Array: {
      size_t n = a.size();
      if (n != b.size()) return false;
      for (size_t i = 0; i < n; ++i) {
        if (!deepEqual(a.at(i), b.at(i))) return false;
      }
      return true;
    }
    case Type::Object: {
      if (a.objectSize() != b.objectSize()) return false;
      bool eq = true;
      a.forEachEntry([&](std::string_view k, const Value& v) {
        if (!eq) return;
        Value other = b.get(k);
        if (!deepEqual(v, other)) eq = false;
      });
      return eq;
    }
  }
  return false;
}

namespace {
Value deepCloneImpl(const Value& v, std::vector<const void*>& path) {
  CycleGuard guard(path, v);
  switch (v.type()) {
    case Type::Array: {
      Value out = Value::array();
      size_t n = v.size();
      out.arr()->items.reserve(n);
      for (size_t i = 0; i < n; ++i) {
        Value item = v.at(i);
        if (item.isUndefined()) continue;
        out.arr()->items.push_back(deepCloneImpl(item, path));
      }
      return out;
    }
    case Type::Object: {
      Value out = Value::object();
      v.forEachEntry([&](std::string_view k, const Value& item) {
        if (item.isUndefined() || item.isFunction()) return;
        out.obj()->set(k, deepCloneImpl(item, path));
      });
      return out;
    }
    case Type::String:
      return Value::string(std::string(v.str()));
    case Type::Function:
      return Value();
    default:
      return v;
  }
}

}  // namespace

Value deepClone(const Value& v) {
  std::vector<const void*> path;
  return deepCloneImpl(v, path);
}

}  // namespace sluice::asl::jsonata
