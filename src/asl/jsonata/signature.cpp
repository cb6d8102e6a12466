// Function signatures (`<s-nn?:s>`) and argument validation.
#include <functional>

#include "asl/jsonata/function.hpp"

namespace sluice::asl::jsonata {

char typeSymbol(const Value& v) {
  switch (v.type()) {
    case Type::Function:
      return 'f';
    case Type::String:
      return 's';
    case Type::Number:
      return 'n';
    case Type::Boolean:
      return 'b';
    case Type::Null:
      return 'l';
    case Type::Array:
      return 'a';
    case Type::Object:
      return 'o';
    default:
      return 'm';
  }
}

namespace {

size_t closingBracket(std::string_view s, size_t start, char open, char close) {
  int depth = 1;
  size_t pos = start;
  while (pos < s.size()) {
    pos++;
    if (pos >= s.size()) break;
    char c = s[pos];
    if (c == close) {
      if (--depth == 0) break;
    } else if (c == open) {
      depth++;
    }
  }
  return pos;
}

using Params = std::vector<Signature::Param>;

bool accepts(const Signature::Param& p, char sym) {
  return p.symbols.find(sym) != std::string::npos;
}

// Matches params[i..] against sig[pos..] with JS-regex greedy backtracking.
// `anchored`: must consume the whole string. Records group spans.
bool matchFrom(const Params& params, size_t count, size_t i, std::string_view sig, size_t pos,
               bool anchored, std::vector<std::pair<size_t, size_t>>& spans, size_t& endPos) {
  if (i == count) {
    if (anchored && pos != sig.size()) return false;
    endPos = pos;
    return true;
  }
  const auto& p = params[i];
  size_t run = 0;
  while (pos + run < sig.size() && accepts(p, sig[pos + run])) run++;
  size_t maxTake = p.quant == '+' ? run : (run > 0 ? 1 : 0);
  size_t minTake = p.quant == '?' ? 0 : 1;
  for (size_t take = maxTake; take >= minTake; --take) {
    spans[i] = {pos, take};
    if (matchFrom(params, count, i + 1, sig, pos + take, anchored, spans, endPos)) return true;
    if (take == 0) break;
  }
  return false;
}

}  // namespace

std::shared_ptr<const Signature> parseSignature(std::string_view sig) {
  auto out = std::make_shared<Signature>();
  Signature::Param param;
  Signature::Param* prev = nullptr;
  size_t position = 1;
  auto next = [&] {
    out->params.push_back(param);
    prev = &out->params.back();
    param = Signature::Param();
  };
  while (position < sig.size()) {
    char symbol = sig[position];
    if (symbol == ':') break;
    switch (symbol) {
      case 's':
      case 'n':
      case 'b':
      case 'l':
      case 'o':
        param.symbols = std::string(1, symbol) + "m";
        param.type = symbol;
        next();
        break;
      case 'a':
        param.symbols = "asnblfom";
        param.type = 'a';
        next();
        break;
      case 'f':
        param.symbols = "f";
        param.type = 'f';
        next();
        break;
      case 'j':
        param.symbols = "asnblom";
        param.type = 'j';
        next();
        break;
      case 'x':
        param.symbols = "asnblfom";
        param.type = 'x';
        next();
        break;
      case '-':
        if (prev) {
          prev->context = true;
          prev->quant = '?';
        }
        break;
      case '?':
      case '+':
        if (prev) prev->quant = symbol;
        break;
      case '(': {
        size_t end = closingBracket(sig, position, '(', ')');
        std::string choice(sig.substr(position + 1, end - position - 1));
        if (choice.find('<') != std::string::npos) {
          JError e("S0402");
          e.index = static_cast<int>(position);
          throw e;
        }
        param.symbols = choice + "m";
        param.type = '(';
        position = end;
        next();
        break;
      }
      case '<': {
        if (prev && (prev->type == 'a' || prev->type == 'f')) {
          size_t end = closingBracket(sig, position, '<', '>');
          prev->subtype = std::string(sig.substr(position + 1, end - position - 1));
          position = end;
        } else {
          JError e("S0401");
          e.index = static_cast<int>(position);
          throw e;
        }
        break;
      }
      default:
        break;
    }
    position++;
  }
  return out;
}

std::vector<Value> Signature::validate(const std::vector<Value>& args, const Value& context) const {
  std::string sig;
  sig.reserve(args.size());
  for (const auto& a : args) sig += typeSymbol(a);
  std::vector<std::pair<size_t, size_t>> spans(params.size());
  size_t endPos = 0;
  if (matchFrom(params, params.size(), 0, sig, 0, true, spans, endPos)) {
    std::vector<Value> out;
    size_t argIndex = 0;
    for (size_t i = 0; i < params.size(); ++i) {
      const Param& p = params[i];
      auto [start, len] = spans[i];
      if (len == 0) {
        if (p.context) {
          char ct = typeSymbol(context);
          if (accepts(p, ct)) {
            out.push_back(context);
          } else {
            throw JError("T0411").val(context).idx(static_cast<int>(argIndex + 1));
          }
        } else {
          out.push_back(argIndex < args.size() ? args[argIndex] : Value());
          argIndex++;
        }
        continue;
      }
      for (size_t k = 0; k < len; ++k) {
        char single = sig[start + k];
        Value arg = argIndex < args.size() ? args[argIndex] : Value();
        if (p.type == 'a') {
          if (single == 'm') {
            arg = Value();
          } else {
            bool ok = true;
            if (!p.subtype.empty()) {
              if (single != 'a' && sig.substr(start, len) != p.subtype) {
                ok = false;
              } else if (single == 'a' && arg.size() > 0) {
                char itemType = typeSymbol(arg.at(0));
                if (itemType != p.subtype[0]) {
                  ok = false;
                } else {
                  size_t n = arg.size();
                  for (size_t j = 0; j < n; ++j) {
                    if (typeSymbol(arg.at(j)) != itemType) {
                      ok = false;
                      break;
                    }
                  }
                }
              }
            }
            if (!ok) {
              JError e("T0412");
              e.val(arg).idx(static_cast<int>(argIndex + 1));
              e.detail = p.subtype;
              throw e;
            }
            if (single != 'a') arg = makeArray({arg});
          }
          out.push_back(arg);
        } else {
          out.push_back(arg);
        }
        argIndex++;
      }
    }
    return out;
  }
  // Find how far the arguments matched to report the bad one.
  size_t goodTo = 0;
  for (size_t i = 0; i < params.size(); ++i) {
    std::vector<std::pair<size_t, size_t>> sp(params.size());
    size_t end = 0;
    if (!matchFrom(params, i + 1, 0, sig, 0, false, sp, end)) {
      throw JError("T0410")
          .val(goodTo < args.size() ? args[goodTo] : Value())
          .idx(static_cast<int>(goodTo + 1));
    }
    goodTo = end;
  }
  throw JError("T0410")
      .val(goodTo < args.size() ? args[goodTo] : Value())
      .idx(static_cast<int>(goodTo + 1));
}

}  // namespace sluice::asl::jsonata
