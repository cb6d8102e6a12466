// JSONata's internal value: JSON plus `undefined`, sequences (arrays with
// flags) and functions. Objects and arrays coming from the input document are
// borrowed (a pointer into the boost::json tree) so navigation copies nothing;
// values built during evaluation are owned and shared by reference, as in JS.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/json.hpp"

namespace sluice::asl::jsonata {

enum class Type : uint8_t { Undefined, Null, Boolean, Number, String, Array, Object, Function };

struct Heap {
  virtual ~Heap() = default;
};

class Value;
struct ArrayData;
struct ObjectData;
struct FunctionData;

class Value {
 public:
  Value() : type_(Type::Undefined), borrowed_(false), n_(0) {}
  static Value null() {
    Value v;
    v.type_ = Type::Null;
    return v;
  }
  static Value boolean(bool b) {
    Value v;
    v.type_ = Type::Boolean;
    v.b_ = b;
    return v;
  }
  static Value number(double d) {
    Value v;
    v.type_ = Type::Number;
    v.n_ = d;
    return v;
  }
  static Value string(std::string s);
  static Value array();  // empty owned plain array
  static Value sequence();
  static Value object();
  static Value function(std::shared_ptr<FunctionData> f);
  // Borrows `j` (which must outlive the value); scalars are copied.
  static Value fromJson(const Json& j);

  Type type() const { return type_; }
  bool isUndefined() const { return type_ == Type::Undefined; }
  bool isDefined() const { return type_ != Type::Undefined; }
  bool isNull() const { return type_ == Type::Null; }
  bool isBool() const { return type_ == Type::Boolean; }
  bool isNumber() const { return type_ == Type::Number; }
  bool isString() const { return type_ == Type::String; }
  bool isArray() const { return type_ == Type::Array; }
  bool isObject() const { return type_ == Type::Object; }
  bool isFunction() const { return type_ == Type::Function; }
  bool isBorrowed() const { return borrowed_; }

  bool boolValue() const { return b_; }
  double num() const { return n_; }
  std::string_view str() const;

  // Arrays (owned or borrowed).
  size_t size() const;
  Value at(size_t i) const;
  // Owned array data; nullptr when borrowed or not an array.
  ArrayData* arr() const;
  bool isSequence() const;
  bool keepSingleton() const;
  bool isCons() const;
  bool isTupleStream() const;
  bool isOuterWrapper() const;

  // Objects (owned or borrowed).
  Value get(std::string_view key) const;
  size_t objectSize() const;
  ObjectData* obj() const;
  template <class F>
  void forEachEntry(F&& f) const;

  FunctionData* fn() const { return type_ == Type::Function ? fnPtr() : nullptr; }
  const std::shared_ptr<Heap>& heap() const { return h_; }
  const Json* json() const { return borrowed_ ? j_ : nullptr; }
  // Identity for JS `===` on objects/arrays/functions.
  const void* identity() const { return borrowed_ ? static_cast<const void*>(j_) : h_.get(); }

 private:
  FunctionData* fnPtr() const;
  Type type_;
  bool borrowed_;
  union {
    bool b_;
    double n_;
    const Json* j_;
  };
  std::shared_ptr<Heap> h_;
};

struct StringData : Heap {
  std::string s;
  explicit StringData(std::string v) : s(std::move(v)) {}
};

struct ArrayData : Heap {
  std::vector<Value> items;
  bool sequence = false;
  bool keepSingleton = false;
  bool outerWrapper = false;
  bool tupleStream = false;
  bool cons = false;
};

struct ObjectData : Heap {
  std::vector<std::pair<std::string, Value>> entries;
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, size_t, Hash, std::equal_to<>> index;  // built when large

  Value get(std::string_view key) const;
  void set(std::string_view key, Value v);
  bool erase(std::string_view key);
  bool has(std::string_view key) const { return find(key) != npos; }
  static constexpr size_t npos = static_cast<size_t>(-1);
  size_t find(std::string_view key) const;

 private:
  void reindex();
};

inline std::string_view Value::str() const {
  if (borrowed_) return j_->get_string();
  return static_cast<StringData*>(h_.get())->s;
}
inline size_t Value::size() const {
  if (borrowed_) return j_->get_array().size();
  return static_cast<ArrayData*>(h_.get())->items.size();
}
inline Value Value::at(size_t i) const {
  if (borrowed_) return fromJson(j_->get_array()[i]);
  return static_cast<ArrayData*>(h_.get())->items[i];
}
inline ArrayData* Value::arr() const {
  return (type_ == Type::Array && !borrowed_) ? static_cast<ArrayData*>(h_.get()) : nullptr;
}
inline bool Value::isSequence() const {
  auto* a = arr();
  return a && a->sequence;
}
inline bool Value::keepSingleton() const {
  auto* a = arr();
  return a && a->keepSingleton;
}
inline bool Value::isCons() const {
  auto* a = arr();
  return a && a->cons;
}
inline bool Value::isTupleStream() const {
  auto* a = arr();
  return a && a->tupleStream;
}
inline bool Value::isOuterWrapper() const {
  auto* a = arr();
  return a && a->outerWrapper;
}
inline ObjectData* Value::obj() const {
  return (type_ == Type::Object && !borrowed_) ? static_cast<ObjectData*>(h_.get()) : nullptr;
}
inline Value Value::get(std::string_view key) const {
  if (type_ != Type::Object) return Value();
  if (borrowed_) {
    const auto& o = j_->get_object();
    if (o.size() <= 16) {
      // Small objects: a length check first skips most key comparisons.
      for (const auto& kv : o) {
        std::string_view k = kv.key();
        if (k.size() == key.size() && k == key) return fromJson(kv.value());
      }
      return Value();
    }
    auto it = o.find(key);
    return it == o.end() ? Value() : fromJson(it->value());
  }
  return static_cast<ObjectData*>(h_.get())->get(key);
}
inline size_t Value::objectSize() const {
  if (borrowed_) return j_->get_object().size();
  return static_cast<ObjectData*>(h_.get())->entries.size();
}
template <class F>
void Value::forEachEntry(F&& f) const {
  if (type_ != Type::Object) return;
  if (borrowed_) {
    for (const auto& kv : j_->get_object()) f(std::string_view(kv.key()), fromJson(kv.value()));
  } else {
    // Copy: the callback may mutate the object.
    auto* o = static_cast<ObjectData*>(h_.get());
    for (size_t i = 0; i < o->entries.size(); ++i) {
      f(std::string_view(o->entries[i].first), o->entries[i].second);
    }
  }
}

// Builders.
Value makeSequence(std::vector<Value> items);
Value makeArray(std::vector<Value> items);
// A copy of `v`'s items (borrowed or owned).
std::vector<Value> itemsOf(const Value& v);

// JS-style number to string (Number.prototype.toString).
std::string formatNumber(double d);
void appendNumber(std::string& out, double d);
// JSON.stringify-like text; numbers rounded to 15 significant digits when
// `round15` (as $string does); functions print as "". indent>0 pretty-prints.
std::string stringify(const Value& v, bool round15, int indent = 0);
void appendQuoted(std::string& out, std::string_view s);

// Conversions at the API boundary.
Json toJson(const Value& v);
// Deep structural equality (JSONata `=`).
bool deepEqual(const Value& a, const Value& b);
// Deep copy into owned structures (for $clone / transforms).
Value deepClone(const Value& v);

}  // namespace sluice::asl::jsonata
