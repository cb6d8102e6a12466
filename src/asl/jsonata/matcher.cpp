#include "asl/jsonata/matcher.hpp"

#include "asl/jsonata/regex.hpp"

namespace sluice::asl::jsonata {

Value MatchResult::toValue(std::string_view subject) const {
  Value o = Value::object();
  o.obj()->set("match", Value::string(match));
  o.obj()->set("start",
               Value::number(static_cast<double>(codePointCount(subject.substr(0, start)))));
  o.obj()->set("end", Value::number(static_cast<double>(codePointCount(subject.substr(0, end)))));
  o.obj()->set("groups", makeArray(groups));
  return o;
}

namespace {
void fill(MatchResult& out, const RegexMatch& m, std::string_view s) {
  out.match = std::string(s.substr(m.start, m.end - m.start));
  out.start = m.start;
  out.end = m.end;
  out.groups.clear();
  for (const auto& g : m.groups) out.groups.push_back(g ? Value::string(*g) : Value());
  out.next = Value();
}
}  // namespace

size_t Matcher::byteOffset(double cpIndex) const {
  if (cpIndex <= 0) return 0;
  size_t count = 0;
  auto target = static_cast<size_t>(cpIndex);
  for (size_t i = 0; i < subject_.size(); ++i) {
    if ((static_cast<unsigned char>(subject_[i]) & 0xC0) != 0x80) {
      if (count == target) return i;
      count++;
    }
  }
  return subject_.size();
}

bool Matcher::fromValue(const Value& r) {
  if (r.isUndefined()) return false;
  Value start = r.get("start"), end = r.get("end"), groups = r.get("groups"), next = r.get("next");
  if (!r.isObject() || !(start.isNumber() || groups.isArray() || next.isFunction())) {
    throw JError("T1010");
  }
  Value match = r.get("match");
  cur_.match = match.isString() ? std::string(match.str()) : "";
  cur_.start = start.isNumber() ? byteOffset(start.num()) : 0;
  cur_.end = end.isNumber() ? byteOffset(end.num()) : cur_.start + cur_.match.size();
  cur_.groups = groups.isArray() ? itemsOf(groups) : std::vector<Value>{};
  cur_.next = next;
  return true;
}

bool Matcher::first() {
  FunctionData* f = fn_.fn();
  if (f && f->kind == FunctionData::Kind::Regex) {
    auto m = regexFind(*f->regex, subject_, 0);
    if (!m) return false;
    fill(cur_, *m, subject_);
    return true;
  }
  Value r =
      applyFunction(call_.ctx, fn_, {Value::string(std::string(subject_))}, Value(), call_.env);
  return fromValue(r);
}

bool Matcher::next() {
  FunctionData* f = fn_.fn();
  if (f && f->kind == FunctionData::Kind::Regex) {
    if (cur_.end >= subject_.size()) return false;
    auto m = regexFind(*f->regex, subject_, cur_.end);
    if (!m) return false;
    if (m->start == m->end) throw JError("D1004").val(Value::string(f->regex->source));
    fill(cur_, *m, subject_);
    return true;
  }
  if (!cur_.next.isFunction()) return false;
  Value nextFn = cur_.next;
  Value r = applyFunction(call_.ctx, nextFn, {}, Value(), call_.env);
  return fromValue(r);
}

}  // namespace sluice::asl::jsonata
