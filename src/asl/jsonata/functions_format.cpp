// Number formatting: $formatBase, $formatInteger, $parseInteger.
#include <cmath>
#include <numeric>

#include "asl/jsonata/format.hpp"
#include "asl/jsonata/function.hpp"
#include "core/encoding.hpp"

namespace sluice::asl::jsonata {

std::vector<uint32_t> decodeUtf8(std::string_view s) {
  std::vector<uint32_t> out;
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    uint32_t cp;
    size_t len;
    if (c < 0x80) {
      cp = c;
      len = 1;
    } else if ((c >> 5) == 6) {
      cp = c & 0x1F;
      len = 2;
    } else if ((c >> 4) == 14) {
      cp = c & 0x0F;
      len = 3;
    } else {
      cp = c & 0x07;
      len = 4;
    }
    for (size_t k = 1; k < len && i + k < s.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    }
    out.push_back(cp);
    i += len;
  }
  return out;
}

uint32_t digitFamily(uint32_t cp) {
  static const uint32_t zeros[] = {0x30,   0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6,
                                   0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66, 0x0DE6, 0x0E50, 0x0ED0,
                                   0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80,
                                   0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900,
                                   0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10};
  for (uint32_t z : zeros) {
    if (cp >= z && cp <= z + 9) return z;
  }
  return 0;
}

IntegerPicture analyseIntegerPicture(std::string_view picture) {
  IntegerPicture f;
  std::string_view primary = picture;
  auto semi = picture.rfind(';');
  if (semi != std::string_view::npos) {
    primary = picture.substr(0, semi);
    std::string_view modifier = picture.substr(semi + 1);
    if (!modifier.empty() && modifier[0] == 'o') f.ordinal = true;
  }
  if (primary == "A" || primary == "a") {
    f.primary = IntegerPicture::Primary::Letters;
    if (primary == "A") f.letterCase = IntegerPicture::Case::Upper;
    return f;
  }
  if (primary == "I" || primary == "i") {
    f.primary = IntegerPicture::Primary::Roman;
    if (primary == "I") f.letterCase = IntegerPicture::Case::Upper;
    return f;
  }
  if (primary == "W" || primary == "Ww" || primary == "w") {
    f.primary = IntegerPicture::Primary::Words;
    f.letterCase = primary == "W"    ? IntegerPicture::Case::Upper
                   : primary == "Ww" ? IntegerPicture::Case::Title
                                     : IntegerPicture::Case::Lower;
    return f;
  }
  uint32_t zero = 0;
  int position = 0;
  std::vector<IntegerPicture::Sep> seps;
  auto cps = decodeUtf8(primary);
  for (auto it = cps.rbegin(); it != cps.rend(); ++it) {
    uint32_t cp = *it;
    uint32_t fam = digitFamily(cp);
    if (fam) {
      f.mandatoryDigits++;
      position++;
      if (zero == 0) {
        zero = fam;
      } else if (fam != zero) {
        throw JError("D3131");
      }
    } else if (cp == '#') {
      position++;
      f.optionalDigits++;
    } else {
      std::string ch;
      appendUtf8(ch, cp);
      seps.push_back({position, ch});
    }
  }
  if (f.mandatoryDigits == 0) {
    f.primary = IntegerPicture::Primary::Sequence;
    f.token = std::string(primary);
    return f;
  }
  f.primary = IntegerPicture::Primary::Decimal;
  f.zeroCode = zero;
  int regular = 0;
  if (!seps.empty()) {
    bool same = true;
    for (const auto& s : seps) same = same && s.character == seps[0].character;
    if (same) {
      int factor = 0;
      for (const auto& s : seps) factor = std::gcd(factor, s.position);
      bool all = true;
      for (size_t k = 1; k <= seps.size(); ++k) {
        bool found = false;
        for (const auto& s : seps) found = found || s.position == static_cast<int>(k) * factor;
        all = all && found;
      }
      if (all) regular = factor;
    }
  }
  if (regular > 0) {
    f.regular = true;
    f.separators = {{regular, seps[0].character}};
  } else {
    f.separators = seps;
  }
  return f;
}

std::string numberToWords(double value, bool ordinal) {
  static const char* few[] = {"Zero",    "One",     "Two",       "Three",    "Four",
                              "Five",    "Six",     "Seven",     "Eight",    "Nine",
                              "Ten",     "Eleven",  "Twelve",    "Thirteen", "Fourteen",
                              "Fifteen", "Sixteen", "Seventeen", "Eighteen", "Nineteen"};
  static const char* ordinals[] = {"Zeroth",    "First",       "Second",     "Third",
                                   "Fourth",    "Fifth",       "Sixth",      "Seventh",
                                   "Eighth",    "Ninth",       "Tenth",      "Eleventh",
                                   "Twelfth",   "Thirteenth",  "Fourteenth", "Fifteenth",
                                   "Sixteenth", "Seventeenth", "Eighteenth", "Nineteenth"};
  static const char* decades[] = {"Twenty",  "Thirty", "Forty",  "Fifty",  "Sixty",
                                  "Seventy", "Eighty", "Ninety", "Hundred"};
  static const char* magnitudes[] = {"Thousand", "Million", "Billion", "Trillion"};
  std::function<std::string(double, bool, bool)> lookup = [&](double num, bool prev,
                                                              bool ord) -> std::string {
    std::string words;
    if (num <= 19) {
      words = std::string(prev ? " and " : "") +
              (ord ? ordinals[static_cast<int>(num)] : few[static_cast<int>(num)]);
    } else if (num < 100) {
      int tens = static_cast<int>(num / 10);
      double remainder = std::fmod(num, 10);
      words = std::string(prev ? " and " : "") + decades[tens - 2];
      if (remainder > 0) {
        words += "-" + lookup(remainder, false, ord);
      } else if (ord) {
        words = words.substr(0, words.size() - 1) + "ieth";
      }
    } else if (num < 1000) {
      int hundreds = static_cast<int>(num / 100);
      double remainder = std::fmod(num, 100);
      words = std::string(prev ? ", " : "") + few[hundreds] + " Hundred";
      if (remainder > 0) {
        words += lookup(remainder, true, ord);
      } else if (ord) {
        words += "th";
      }
    } else {
      int mag = static_cast<int>(std::floor(std::log10(num) / 3));
      if (mag > 4) mag = 4;
      double factor = std::pow(10, mag * 3);
      double mant = std::floor(num / factor);
      double remainder = num - mant * factor;
      words =
          std::string(prev ? ", " : "") + lookup(mant, false, false) + " " + magnitudes[mag - 1];
      if (remainder > 0) {
        words += lookup(remainder, true, ord);
      } else if (ord) {
        words += "th";
      }
    }
    return words;
  };
  return lookup(value, false, ordinal);
}

std::string toRoman(double value) {
  static const std::pair<int, const char*> numerals[] = {
      {1000, "m"}, {900, "cm"}, {500, "d"}, {400, "cd"}, {100, "c"}, {90, "xc"}, {50, "l"},
      {40, "xl"},  {10, "x"},   {9, "ix"},  {5, "v"},    {4, "iv"},  {1, "i"}};
  std::string out;
  for (const auto& [v, s] : numerals) {
    while (value >= v) {
      out += s;
      value -= v;
    }
  }
  return out;
}

std::string toLetters(double value, char a) {
  std::string out;
  while (value > 0) {
    out.insert(out.begin(), static_cast<char>(std::fmod(value - 1, 26) + a));
    value = std::floor((value - 1) / 26);
  }
  return out;
}

namespace {
std::string upper(std::string s) {
  for (auto& c : s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
  }
  return s;
}
std::string lower(std::string s) {
  for (auto& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return s;
}
}  // namespace

std::string formatIntegerWith(double value, const IntegerPicture& f) {
  bool negative = value < 0;
  value = std::fabs(value);
  std::string out;
  switch (f.primary) {
    case IntegerPicture::Primary::Letters:
      out = toLetters(value, f.letterCase == IntegerPicture::Case::Upper ? 'A' : 'a');
      break;
    case IntegerPicture::Primary::Roman:
      out = toRoman(value);
      if (f.letterCase == IntegerPicture::Case::Upper) out = upper(out);
      break;
    case IntegerPicture::Primary::Words:
      out = numberToWords(value, f.ordinal);
      if (f.letterCase == IntegerPicture::Case::Upper) {
        out = upper(out);
      } else if (f.letterCase == IntegerPicture::Case::Lower) {
        out = lower(out);
      }
      break;
    case IntegerPicture::Primary::Decimal: {
      std::string digits = formatNumber(value);
      int pad = f.mandatoryDigits - static_cast<int>(digits.size());
      if (pad > 0) digits = std::string(static_cast<size_t>(pad), '0') + digits;
      std::vector<std::string> chars;
      for (char c : digits) {
        std::string ch;
        if (f.zeroCode != '0' && c >= '0' && c <= '9') {
          appendUtf8(ch, static_cast<uint32_t>(c - '0') + f.zeroCode);
        } else {
          ch = std::string(1, c);
        }
        chars.push_back(ch);
      }
      if (f.regular) {
        int every = f.separators[0].position;
        int n = (static_cast<int>(chars.size()) - 1) / every;
        for (int k = n; k > 0; --k) {
          size_t pos = chars.size() - static_cast<size_t>(k * every);
          chars.insert(chars.begin() + static_cast<long>(pos), f.separators[0].character);
        }
      } else {
        for (auto it = f.separators.rbegin(); it != f.separators.rend(); ++it) {
          long pos = static_cast<long>(chars.size()) - it->position;
          if (pos < 0) pos = 0;
          chars.insert(chars.begin() + pos, it->character);
        }
      }
      for (auto& c : chars) out += c;
      if (f.ordinal) {
        char last = out.empty() ? '0' : out.back();
        const char* suffix = last == '1' ? "st" : last == '2' ? "nd" : last == '3' ? "rd" : "th";
        if (out.size() > 1 && out[out.size() - 2] == '1') suffix = "th";
        out += suffix;
      }
      break;
    }
    case IntegerPicture::Primary::Sequence:
      throw JError("D3130").val(Value::string(f.token));
  }
  if (negative) out = "-" + out;
  return out;
}

double wordsToNumber(std::string_view text) {
  static const std::unordered_map<std::string, double> values = [] {
    std::unordered_map<std::string, double> m;
    const char* few[] = {"zero",    "one",     "two",       "three",    "four",
                         "five",    "six",     "seven",     "eight",    "nine",
                         "ten",     "eleven",  "twelve",    "thirteen", "fourteen",
                         "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"};
    const char* ords[] = {"zeroth",    "first",     "second",      "third",      "fourth",
                          "fifth",     "sixth",     "seventh",     "eighth",     "ninth",
                          "tenth",     "eleventh",  "twelfth",     "thirteenth", "fourteenth",
                          "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth"};
    for (int i = 0; i < 20; ++i) {
      m[few[i]] = i;
      m[ords[i]] = i;
    }
    const char* decades[] = {"twenty",  "thirty", "forty",  "fifty",  "sixty",
                             "seventy", "eighty", "ninety", "hundred"};
    for (int i = 0; i < 9; ++i) {
      std::string w = decades[i];
      m[w] = (i + 2) * 10;
      m[w.substr(0, w.size() - 1) + "ieth"] = (i + 2) * 10;
    }
    m["hundredth"] = 100;
    const char* mags[] = {"thousand", "million", "billion", "trillion"};
    for (int i = 0; i < 4; ++i) {
      double v = std::pow(10, (i + 1) * 3);
      m[mags[i]] = v;
      m[std::string(mags[i]) + "th"] = v;
    }
    return m;
  }();
  std::string t = lower(std::string(text));
  // Split on ", ", " and ", whitespace or '-'.
  std::vector<std::string> parts;
  std::string cur;
  size_t i = 0;
  while (i < t.size()) {
    if (t.compare(i, 2, ", ") == 0) {
      parts.push_back(cur);
      cur.clear();
      i += 2;
    } else if (t.compare(i, 5, " and ") == 0) {
      parts.push_back(cur);
      cur.clear();
      i += 5;
    } else if (t[i] == ' ' || t[i] == '-' || t[i] == '\t' || t[i] == '\n') {
      parts.push_back(cur);
      cur.clear();
      i += 1;
    } else {
      cur += t[i++];
    }
  }
  parts.push_back(cur);
  std::vector<double> segs{0};
  for (const auto& p : parts) {
    auto it = values.find(p);
    double v = it == values.end() ? NAN : it->second;
    if (v < 100) {
      double top = segs.back();
      segs.pop_back();
      if (top >= 1000) {
        segs.push_back(top);
        top = 0;
      }
      segs.push_back(top + v);
    } else {
      double top = segs.back();
      segs.pop_back();
      segs.push_back(top * v);
    }
  }
  double total = 0;
  for (double s : segs) total += s;
  return total;
}

double romanToDecimal(std::string_view roman) {
  auto val = [](char c) {
    switch (c) {
      case 'M':
        return 1000;
      case 'D':
        return 500;
      case 'C':
        return 100;
      case 'L':
        return 50;
      case 'X':
        return 10;
      case 'V':
        return 5;
      case 'I':
        return 1;
      default:
        return 0;
    }
  };
  double decimal = 0;
  int max = 1;
  for (size_t i = roman.size(); i-- > 0;) {
    char c = roman[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    int v = val(c);
    if (v < max) {
      decimal -= v;
    } else {
      max = v;
      decimal += v;
    }
  }
  return decimal;
}

double lettersToDecimal(std::string_view letters, char a) {
  double decimal = 0;
  for (size_t i = 0; i < letters.size(); ++i) {
    decimal += (letters[letters.size() - i - 1] - a + 1) * std::pow(26, static_cast<double>(i));
  }
  return decimal;
}

double parseIntegerWith(std::string_view text, const IntegerPicture& f) {
  switch (f.primary) {
    case IntegerPicture::Primary::Letters:
      return lettersToDecimal(text, f.letterCase == IntegerPicture::Case::Upper ? 'A' : 'a');
    case IntegerPicture::Primary::Roman:
      return romanToDecimal(text);
    case IntegerPicture::Primary::Words:
      return wordsToNumber(text);
    case IntegerPicture::Primary::Decimal: {
      double v = 0;
      bool any = false;
      for (uint32_t cp : decodeUtf8(text)) {
        uint32_t fam = digitFamily(cp);
        if (fam) {
          v = v * 10 + (cp - fam);
          any = true;
        } else if (f.ordinal && any && cp >= 'a' && cp <= 'z') {
          break;
        }
      }
      return any ? v : NAN;
    }
    case IntegerPicture::Primary::Sequence:
      throw JError("D3130").val(Value::string(f.token));
  }
  return NAN;
}

namespace {

using Args = std::vector<Value>;

const Value& arg(Args& a, size_t i) {
  static const Value undef;
  return i < a.size() ? a[i] : undef;
}

double jsRoundHalfEven(double x) {
  double r = std::floor(x + 0.5);
  if (std::fabs(r - x) == 0.5 && std::fabs(std::fmod(r, 2)) == 1) r -= 1;
  return r;
}

Value fnFormatBase(CallInfo&, Args& a) {
  const Value& v = arg(a, 0);
  if (v.isUndefined()) return Value();
  double value = jsRoundHalfEven(v.num());
  double radix = arg(a, 1).isDefined() ? jsRoundHalfEven(arg(a, 1).num()) : 10;
  if (radix < 2 || radix > 36) throw JError("D3100").val(Value::number(radix));
  bool neg = value < 0;
  double x = std::fabs(value);
  std::string digits;
  auto r = static_cast<long long>(radix);
  auto n = static_cast<unsigned long long>(x);
  if (n == 0) digits = "0";
  while (n > 0) {
    int d = static_cast<int>(n % static_cast<unsigned long long>(r));
    digits.insert(digits.begin(), static_cast<char>(d < 10 ? '0' + d : 'a' + d - 10));
    n /= static_cast<unsigned long long>(r);
  }
  return Value::string(neg ? "-" + digits : digits);
}

Value fnFormatInteger(CallInfo&, Args& a) {
  const Value& v = arg(a, 0);
  if (v.isUndefined()) return Value();
  IntegerPicture pic = analyseIntegerPicture(arg(a, 1).str());
  return Value::string(formatIntegerWith(std::floor(v.num()), pic));
}

Value fnParseInteger(CallInfo&, Args& a) {
  const Value& v = arg(a, 0);
  if (v.isUndefined()) return Value();
  IntegerPicture pic = analyseIntegerPicture(arg(a, 1).str());
  return Value::number(parseIntegerWith(v.str(), pic));
}

}  // namespace

Value fnFormatNumber(CallInfo& call, std::vector<Value>& a);

void addFormatFunctions(std::vector<NativeDef>& out) {
  out.push_back({"formatBase", "<n-n?:s>", 2, fnFormatBase});
  out.push_back({"formatInteger", "<n-s:s>", 2, fnFormatInteger});
  out.push_back({"parseInteger", "<s-s:n>", 2, fnParseInteger});
  out.push_back({"formatNumber", "<n-so?:s>", 3, fnFormatNumber});
}

}  // namespace sluice::asl::jsonata
