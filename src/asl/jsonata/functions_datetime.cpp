// Date/time functions: $now, $millis, $fromMillis, $toMillis, with XPath
// F&O 9.8 picture strings.
#include <boost/regex.hpp>
#include <cmath>
#include <map>
#include <optional>

#include "asl/jsonata/format.hpp"
#include "asl/jsonata/function.hpp"
#include "core/regex_escape.hpp"

namespace sluice::asl::jsonata {

namespace {

using Args = std::vector<Value>;

const Value& arg(Args& a, size_t i) {
  static const Value undef;
  return i < a.size() ? a[i] : undef;
}

constexpr double kDay = 86400000.0;
constexpr double kWeek = 7 * kDay;

const char* kMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                         "July",    "August",   "September", "October", "November", "December"};
const char* kDays[] = {"",         "Monday", "Tuesday",  "Wednesday",
                       "Thursday", "Friday", "Saturday", "Sunday"};

// Days since 1970-01-01 of a proleptic Gregorian date (month 1-12).
double daysFromCivil(double y, double m, double d) {
  y -= m <= 2 ? 1 : 0;
  double era = std::floor(y / 400);
  double yoe = y - era * 400;
  double mp = std::fmod(m + 9, 12);
  double doy = std::floor((153 * mp + 2) / 5) + d - 1;
  double doe = yoe * 365 + std::floor(yoe / 4) - std::floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

// Date.UTC with month 0-based and JS overflow rules for month.
double utc(double y, double mon0, double d, double h = 0, double mi = 0, double s = 0,
           double ms = 0) {
  double ym = y + std::floor(mon0 / 12);
  double mn = std::fmod(mon0, 12);
  if (mn < 0) mn += 12;
  double days = daysFromCivil(ym, mn + 1, 1) + (d - 1);
  return days * kDay + h * 3600000 + mi * 60000 + s * 1000 + ms;
}

struct Civil {
  double year, month, day;  // month 1-12
  double hour, minute, second, millis;
  int weekday;  // 0 = Sunday (JS getUTCDay)
};

Civil toCivil(double t) {
  double days = std::floor(t / kDay);
  double rem = t - days * kDay;
  double z = days + 719468;
  double era = std::floor(z / 146097);
  double doe = z - era * 146097;
  double yoe = std::floor(
      (doe - std::floor(doe / 1460) + std::floor(doe / 36524) - std::floor(doe / 146096)) / 365);
  double y = yoe + era * 400;
  double doy = doe - (365 * yoe + std::floor(yoe / 4) - std::floor(yoe / 100));
  double mp = std::floor((5 * doy + 2) / 153);
  double d = doy - std::floor((153 * mp + 2) / 5) + 1;
  double m = mp < 10 ? mp + 3 : mp - 9;
  Civil c;
  c.year = m <= 2 ? y + 1 : y;
  c.month = m;
  c.day = d;
  c.hour = std::floor(rem / 3600000);
  c.minute = std::floor(std::fmod(rem, 3600000) / 60000);
  c.second = std::floor(std::fmod(rem, 60000) / 1000);
  c.millis = std::fmod(rem, 1000);
  double wd = std::fmod(days + 4, 7);
  if (wd < 0) wd += 7;
  c.weekday = static_cast<int>(wd);
  return c;
}

double startOfFirstWeek(double year, double month0) {
  double first = utc(year, month0, 1);
  int dow = toCivil(first).weekday;
  if (dow == 0) dow = 7;
  return dow > 4 ? first + (8 - dow) * kDay : first - (dow - 1) * kDay;
}

struct Marker {
  bool literal = false;
  std::string value;  // literal text
  char component = 0;
  std::string presentation1;
  char presentation2 = 0;
  bool ordinal = false;
  bool hasMin = false, hasMax = false;
  int minWidth = 0, maxWidth = 0;
  enum class Names { None, Lower, Upper, Title } names = Names::None;
  bool hasInteger = false;
  IntegerPicture integer;
  int n = -1;
};

std::string defaultPresentation(char c) {
  switch (c) {
    case 'Y':
    case 'M':
    case 'D':
    case 'd':
    case 'W':
    case 'w':
    case 'X':
    case 'x':
    case 'H':
    case 'h':
    case 'f':
      return "1";
    case 'F':
    case 'P':
    case 'C':
    case 'E':
      return "n";
    case 'm':
    case 's':
      return "01";
    case 'Z':
    case 'z':
      return "01:01";
    default:
      return "";
  }
}

std::vector<Marker> analyseDateTimePicture(std::string_view picture) {
  std::vector<Marker> spec;
  auto addLiteral = [&](size_t start, size_t end) {
    if (end <= start) return;
    std::string lit(picture.substr(start, end - start));
    std::string out;
    for (size_t i = 0; i < lit.size(); ++i) {
      out += lit[i];
      if (lit[i] == ']' && i + 1 < lit.size() && lit[i + 1] == ']') i++;
    }
    Marker m;
    m.literal = true;
    m.value = out;
    spec.push_back(m);
  };
  size_t start = 0, pos = 0;
  while (pos < picture.size()) {
    if (picture[pos] == '[') {
      if (pos + 1 < picture.size() && picture[pos + 1] == '[') {
        addLiteral(start, pos);
        Marker m;
        m.literal = true;
        m.value = "[";
        spec.push_back(m);
        pos += 2;
        start = pos;
        continue;
      }
      addLiteral(start, pos);
      start = pos;
      pos = picture.find(']', start);
      if (pos == std::string_view::npos) throw JError("D3135");
      std::string marker;
      for (char c : picture.substr(start + 1, pos - start - 1)) {
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') marker += c;
      }
      Marker def;
      def.component = marker.empty() ? '\0' : marker[0];
      auto comma = marker.rfind(',');
      std::string presMod;
      if (comma != std::string::npos) {
        std::string widthMod = marker.substr(comma + 1);
        auto dash = widthMod.find('-');
        std::string mn = dash == std::string::npos ? widthMod : widthMod.substr(0, dash);
        std::string mx = dash == std::string::npos ? "" : widthMod.substr(dash + 1);
        if (!mn.empty() && mn != "*") {
          def.hasMin = true;
          def.minWidth = std::atoi(mn.c_str());
        }
        if (dash != std::string::npos && !mx.empty() && mx != "*") {
          def.hasMax = true;
          def.maxWidth = std::atoi(mx.c_str());
        }
        presMod = marker.substr(1, comma - 1);
      } else {
        presMod = marker.size() > 1 ? marker.substr(1) : "";
      }
      if (presMod.size() == 1) {
        def.presentation1 = presMod;
      } else if (presMod.size() > 1) {
        char last = presMod.back();
        if (std::string_view("atco").find(last) != std::string_view::npos) {
          def.presentation2 = last;
          if (last == 'o') def.ordinal = true;
          def.presentation1 = presMod.substr(0, presMod.size() - 1);
        } else {
          def.presentation1 = presMod;
        }
      } else {
        def.presentation1 = defaultPresentation(def.component);
      }
      if (def.presentation1.empty()) {
        throw JError("D3132").val(Value::string(std::string(1, def.component)));
      }
      if (def.presentation1[0] == 'n') {
        def.names = Marker::Names::Lower;
      } else if (def.presentation1[0] == 'N') {
        def.names = def.presentation1.size() > 1 && def.presentation1[1] == 'n'
                        ? Marker::Names::Title
                        : Marker::Names::Upper;
      } else if (std::string_view("YMDdFWwXxHhmsf").find(def.component) != std::string_view::npos) {
        std::string pattern = def.presentation1;
        if (def.presentation2) pattern += std::string(";") + def.presentation2;
        def.integer = analyseIntegerPicture(pattern);
        def.hasInteger = true;
        if (def.hasMin && def.integer.mandatoryDigits < def.minWidth) {
          def.integer.mandatoryDigits = def.minWidth;
        }
        if (def.hasMax) {
          def.n = def.maxWidth;
          if (def.component == 'Y') def.integer.mandatoryDigits = def.n;
        } else {
          int w = def.integer.mandatoryDigits + def.integer.optionalDigits;
          if (w >= 2) def.n = w;
        }
      }
      if (def.component == 'Z' || def.component == 'z') {
        def.integer = analyseIntegerPicture(def.presentation1);
        def.hasInteger = true;
      }
      spec.push_back(def);
      start = pos + 1;
    }
    pos++;
  }
  addLiteral(start, pos);
  return spec;
}

std::optional<double> fragment(double t, char component) {
  Civil c = toCivil(t);
  switch (component) {
    case 'Y':
      return c.year;
    case 'M':
      return c.month;
    case 'D':
      return c.day;
    case 'd':
      return std::floor((t - utc(c.year, 0, 1)) / kDay) + 1;
    case 'F':
      return c.weekday == 0 ? 7 : c.weekday;
    case 'W': {
      double w1 = startOfFirstWeek(c.year, 0);
      double next = startOfFirstWeek(c.year + 1, 0);
      if (t < w1) return std::floor((t - startOfFirstWeek(c.year - 1, 0)) / kWeek) + 1;
      if (t >= next) return 1;
      return std::floor((t - w1) / kWeek) + 1;
    }
    case 'w': {
      double m0 = c.month - 1;
      double w1 = startOfFirstWeek(c.year, m0);
      double next = startOfFirstWeek(m0 == 11 ? c.year + 1 : c.year, m0 == 11 ? 0 : m0 + 1);
      if (t < w1) {
        double pm = m0 == 0 ? 11 : m0 - 1;
        double py = m0 == 0 ? c.year - 1 : c.year;
        return std::floor((t - startOfFirstWeek(py, pm)) / kWeek) + 1;
      }
      if (t >= next) return 1;
      return std::floor((t - w1) / kWeek) + 1;
    }
    case 'X': {
      if (t < startOfFirstWeek(c.year, 0)) return c.year - 1;
      if (t >= startOfFirstWeek(c.year + 1, 0)) return c.year + 1;
      return c.year;
    }
    case 'x': {
      double m0 = c.month - 1;
      double next = startOfFirstWeek(m0 == 11 ? c.year + 1 : c.year, m0 == 11 ? 0 : m0 + 1);
      if (t < startOfFirstWeek(c.year, m0)) return m0 == 0 ? 12 : m0;
      if (t >= next) return m0 == 11 ? 1 : m0 + 2;
      return m0 + 1;
    }
    case 'H':
      return c.hour;
    case 'h': {
      double h = std::fmod(c.hour, 12);
      return h == 0 ? 12 : h;
    }
    case 'm':
      return c.minute;
    case 's':
      return c.second;
    case 'f':
      return c.millis;
    default:
      return std::nullopt;
  }
}

std::string applyCase(std::string s, Marker::Names names) {
  if (names == Marker::Names::Upper) {
    for (auto& ch : s) {
      if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 32);
    }
  } else if (names == Marker::Names::Lower) {
    for (auto& ch : s) {
      if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch + 32);
    }
  }
  return s;
}

std::string formatDateTime(double millis, const Value& picture, const Value& timezone) {
  double offsetHours = 0, offsetMinutes = 0;
  if (timezone.isString()) {
    std::string tz(timezone.str());
    double offset = std::strtod(tz.c_str(), nullptr);
    offsetHours = std::floor(offset / 100);
    offsetMinutes = std::fmod(offset, 100);
  }
  std::vector<Marker> spec = analyseDateTimePicture(
      picture.isString() ? picture.str() : "[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]");
  double t = millis + (60 * offsetHours + offsetMinutes) * 60000;
  std::string out;
  for (const Marker& m : spec) {
    if (m.literal) {
      out += m.value;
      continue;
    }
    char c = m.component;
    if (std::string_view("YMDdFWwXxHhms").find(c) != std::string_view::npos) {
      double v = fragment(t, c).value_or(0);
      if (c == 'Y' && m.n != -1) v = std::fmod(v, std::pow(10, m.n));
      if (m.names != Marker::Names::None) {
        std::string name;
        if (c == 'M' || c == 'x') {
          name = kMonths[static_cast<int>(v) - 1];
        } else if (c == 'F') {
          name = kDays[static_cast<int>(v)];
        } else {
          throw JError("D3133").val(Value::string(std::string(1, c)));
        }
        name = applyCase(name, m.names);
        if (m.hasMax && static_cast<int>(name.size()) > m.maxWidth) {
          name = name.substr(0, static_cast<size_t>(m.maxWidth));
        }
        out += name;
      } else {
        out += formatIntegerWith(v, m.integer);
      }
    } else if (c == 'f') {
      out += formatIntegerWith(fragment(t, c).value_or(0), m.integer);
    } else if (c == 'Z' || c == 'z') {
      double offset = offsetHours * 100 + offsetMinutes;
      std::string v;
      if (m.integer.regular) {
        v = formatIntegerWith(offset, m.integer);
      } else {
        int digits = m.integer.mandatoryDigits;
        if (digits == 1 || digits == 2) {
          v = formatIntegerWith(offsetHours, m.integer);
          if (offsetMinutes != 0) {
            IntegerPicture two = analyseIntegerPicture("00");
            v += ":" + formatIntegerWith(offsetMinutes, two);
          }
        } else if (digits == 3 || digits == 4) {
          v = formatIntegerWith(offset, m.integer);
        } else {
          throw JError("D3134").val(Value::number(digits));
        }
      }
      if (offset >= 0) v = "+" + v;
      if (c == 'z') v = "GMT" + v;
      if (offset == 0 && m.presentation2 == 't') v = "Z";
      out += v;
    } else if (c == 'P') {
      std::string v = toCivil(t).hour >= 12 ? "pm" : "am";
      if (m.names == Marker::Names::Upper) v = applyCase(v, Marker::Names::Upper);
      out += v;
    } else if (c == 'C' || c == 'E') {
      out += "ISO";
    }
  }
  return out;
}

struct PartMatcher {
  char component;
  std::string regex;
  std::function<std::optional<double>(const std::string&)> parse;
};

PartMatcher integerMatcher(const Marker& m) {
  PartMatcher pm;
  pm.component = m.component;
  const IntegerPicture& f = m.integer;
  bool upper = f.letterCase == IntegerPicture::Case::Upper;
  switch (f.primary) {
    case IntegerPicture::Primary::Letters:
      pm.regex = upper ? "[A-Z]+" : "[a-z]+";
      pm.parse = [upper](const std::string& v) -> std::optional<double> {
        return lettersToDecimal(v, upper ? 'A' : 'a');
      };
      break;
    case IntegerPicture::Primary::Roman:
      pm.regex = upper ? "[MDCLXVI]+" : "[mdclxvi]+";
      pm.parse = [](const std::string& v) -> std::optional<double> { return romanToDecimal(v); };
      break;
    case IntegerPicture::Primary::Words: {
      static const char* words[] = {
          "zero",      "one",         "two",        "three",      "four",       "five",
          "six",       "seven",       "eight",      "nine",       "ten",        "eleven",
          "twelve",    "thirteen",    "fourteen",   "fifteen",    "sixteen",    "seventeen",
          "eighteen",  "nineteen",    "zeroth",     "first",      "second",     "third",
          "fourth",    "fifth",       "sixth",      "seventh",    "eighth",     "ninth",
          "tenth",     "eleventh",    "twelfth",    "thirteenth", "fourteenth", "fifteenth",
          "sixteenth", "seventeenth", "eighteenth", "nineteenth", "twenty",     "twentieth",
          "thirty",    "thirtieth",   "forty",      "fortieth",   "fifty",      "fiftieth",
          "sixty",     "sixtieth",    "seventy",    "seventieth", "eighty",     "eightieth",
          "ninety",    "ninetieth",   "hundred",    "hundredth",  "thousand",   "thousandth",
          "million",   "millionth",   "billion",    "billionth",  "trillion",   "trillionth"};
      std::string re = "(?:";
      // Longest first so alternation prefers full words.
      std::vector<std::string> ws(std::begin(words), std::end(words));
      std::sort(ws.begin(), ws.end(),
                [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
      for (const auto& w : ws) re += w + "|";
      re += "and|[\\-, ])+";
      pm.regex = re;
      pm.parse = [](const std::string& v) -> std::optional<double> { return wordsToNumber(v); };
      break;
    }
    case IntegerPicture::Primary::Decimal: {
      std::string occ = "+";
      if (m.n > 0) {
        occ = f.optionalDigits == 0
                  ? "{" + std::to_string(m.n) + "}"
                  : "{" + std::to_string(m.n - f.optionalDigits) + "," + std::to_string(m.n) + "}";
      }
      pm.regex = "[0-9]" + occ;
      if (f.ordinal) pm.regex += "(?:th|st|nd|rd)";
      pm.parse = [f](const std::string& v) -> std::optional<double> {
        double r = parseIntegerWith(v, f);
        if (std::isnan(r)) return std::nullopt;
        return r;
      };
      break;
    }
    case IntegerPicture::Primary::Sequence:
      throw JError("D3130").val(Value::string(f.token));
  }
  return pm;
}

std::optional<double> parseDateTime(CallInfo& call, std::string_view timestamp,
                                    std::string_view picture) {
  std::vector<Marker> spec = analyseDateTimePicture(picture);
  std::vector<PartMatcher> parts;
  std::string full = "^";
  for (const Marker& m : spec) {
    if (m.literal) {
      full += regexEscape(m.value);
      continue;
    }
    PartMatcher pm;
    pm.component = m.component;
    if (m.component == 'Z' || m.component == 'z') {
      std::string sep;
      if (m.integer.regular) sep = m.integer.separators[0].character;
      pm.regex = m.component == 'z' ? "GMT" : "";
      pm.regex += "[-+][0-9]+";
      if (!sep.empty()) pm.regex += regexEscape(sep) + "[0-9]+";
      char comp = m.component;
      pm.parse = [sep, comp](const std::string& in) -> std::optional<double> {
        std::string v = comp == 'z' ? in.substr(3) : in;
        double hours = 0, minutes = 0;
        if (!sep.empty()) {
          auto p = v.find(sep);
          hours = std::strtod(v.substr(0, p).c_str(), nullptr);
          minutes = std::strtod(v.substr(p + sep.size()).c_str(), nullptr);
        } else if (v.size() - 1 <= 2) {
          hours = std::strtod(v.c_str(), nullptr);
        } else {
          hours = std::strtod(v.substr(0, 3).c_str(), nullptr);
          minutes = std::strtod(v.substr(3).c_str(), nullptr);
        }
        return hours * 60 + minutes;
      };
    } else if (m.hasInteger) {
      pm = integerMatcher(m);
    } else {
      pm.regex = "[a-zA-Z]+";
      std::vector<std::pair<std::string, double>> lookup;
      if (m.component == 'M' || m.component == 'x') {
        for (int i = 0; i < 12; ++i) {
          std::string name = kMonths[i];
          if (m.hasMax) name = name.substr(0, static_cast<size_t>(m.maxWidth));
          lookup.emplace_back(name, i + 1);
        }
      } else if (m.component == 'F') {
        for (int i = 1; i < 8; ++i) {
          std::string name = kDays[i];
          if (m.hasMax) name = name.substr(0, static_cast<size_t>(m.maxWidth));
          lookup.emplace_back(name, i);
        }
      } else if (m.component == 'P') {
        lookup = {{"am", 0}, {"AM", 0}, {"pm", 1}, {"PM", 1}};
      } else {
        throw JError("D3133").val(Value::string(std::string(1, m.component)));
      }
      pm.parse = [lookup](const std::string& v) -> std::optional<double> {
        for (const auto& [k, n] : lookup) {
          if (k == v) return n;
        }
        return std::nullopt;
      };
    }
    full += "(" + pm.regex + ")";
    parts.push_back(std::move(pm));
  }
  full += "$";
  boost::regex re(full, boost::regex::perl | boost::regex::icase);
  boost::smatch info;
  std::string ts(timestamp);
  if (!boost::regex_match(ts, info, re)) return std::nullopt;
  std::map<char, double> comps;
  for (size_t i = 1; i < info.size() && i - 1 < parts.size(); ++i) {
    auto v = parts[i - 1].parse(info[i].str());
    if (v) comps[parts[i - 1].component] = *v;
  }
  if (comps.empty()) return std::nullopt;
  auto has = [&](char c) { return comps.count(c) > 0; };
  int mask = 0;
  auto shift = [&](char c) {
    mask <<= 1;
    auto it = comps.find(c);
    mask += (it != comps.end() && it->second != 0 && !std::isnan(it->second)) ? 1 : 0;
  };
  auto isType = [&](int type) { return !(~type & mask) && (type & mask); };
  for (char c : std::string("YXMxWwdD")) shift(c);
  bool dateA = isType(161);
  bool dateB = !dateA && isType(130);
  bool dateC = isType(84);
  bool dateD = !dateC && isType(72);
  mask = 0;
  for (char c : std::string("PHhmsf")) shift(c);
  bool timeA = isType(23);
  bool timeB = !timeA && isType(47);
  std::string dateComps = dateB ? "YB" : dateC ? "XxwF" : dateD ? "XWF" : "YMD";
  std::string timeComps = timeB ? "Phmsf" : "Hmsf";
  bool startSpecified = false, endSpecified = false;
  for (char c : dateComps + timeComps) {
    if (!has(c)) {
      if (startSpecified) {
        comps[c] = std::string_view("MDd").find(c) != std::string_view::npos ? 1 : 0;
        endSpecified = true;
      } else {
        comps[c] = fragment(call.ctx.nowMillis, c).value_or(0);
      }
    } else {
      startSpecified = true;
      if (endSpecified) throw JError("D3136");
    }
  }
  comps['M'] = comps['M'] > 0 ? comps['M'] - 1 : 0;
  if (dateB) {
    double t = utc(comps['Y'], 0, 1) + (comps['d'] - 1) * kDay;
    Civil c = toCivil(t);
    comps['M'] = c.month - 1;
    comps['D'] = c.day;
  }
  if (dateC || dateD) throw JError("D3136");
  if (timeB) {
    comps['H'] = comps['h'] == 12 ? 0 : comps['h'];
    if (comps['P'] == 1) comps['H'] += 12;
  }
  double millis =
      utc(comps['Y'], comps['M'], comps['D'], comps['H'], comps['m'], comps['s'], comps['f']);
  double tz = has('Z') ? comps['Z'] : has('z') ? comps['z'] : 0;
  if (tz != 0) millis -= tz * 60000;
  return millis;
}

std::optional<double> parseIso(std::string_view s) {
  static const boost::regex iso(
      "^(\\d{4})(?:-([01]\\d))?(?:-([0-3]\\d))?(?:T([0-2]\\d):([0-5]\\d):([0-5]\\d))?(\\.\\d+)?"
      "([+-][0-2]\\d:?[0-5]\\d|Z)?$");
  static const boost::regex check(
      "^\\d{4}(-[01]\\d)*(-[0-3]\\d)*(T[0-2]\\d:[0-5]\\d:[0-5]\\d)*(\\.\\d+)?([+-][0-2]\\d:?[0-5]"
      "\\d|Z)?$");
  std::string str(s);
  if (!boost::regex_match(str, check)) return std::nullopt;
  boost::smatch m;
  if (!boost::regex_match(str, m, iso)) return NAN;
  auto num = [&](int i, double def) {
    return m[i].matched ? std::strtod(m[i].str().c_str(), nullptr) : def;
  };
  double ms = 0;
  if (m[7].matched) ms = std::floor(std::strtod(("0" + m[7].str()).c_str(), nullptr) * 1000 + 0.5);
  double t = utc(num(1, 1970), num(2, 1) - 1, num(3, 1), num(4, 0), num(5, 0), num(6, 0), ms);
  if (m[8].matched && m[8].str() != "Z") {
    std::string z = m[8].str();
    int sign = z[0] == '-' ? -1 : 1;
    std::string digits;
    for (char c : z.substr(1)) {
      if (c != ':') digits += c;
    }
    double hh = std::strtod(digits.substr(0, 2).c_str(), nullptr);
    double mm = std::strtod(digits.substr(2).c_str(), nullptr);
    t -= sign * (hh * 60 + mm) * 60000;
  }
  return t;
}

Value fnNow(CallInfo& call, Args& a) {
  return Value::string(formatDateTime(call.ctx.nowMillis, arg(a, 0), arg(a, 1)));
}

Value fnMillis(CallInfo& call, Args&) {
  return Value::number(call.ctx.nowMillis);
}

Value fnFromMillis(CallInfo&, Args& a) {
  const Value& v = arg(a, 0);
  if (v.isUndefined()) return Value();
  return Value::string(formatDateTime(v.num(), arg(a, 1), arg(a, 2)));
}

Value fnToMillis(CallInfo& call, Args& a) {
  const Value& v = arg(a, 0);
  if (v.isUndefined()) return Value();
  if (arg(a, 1).isUndefined()) {
    auto t = parseIso(v.str());
    if (!t) throw JError("D3110").val(v);
    return Value::number(*t);
  }
  auto t = parseDateTime(call, v.str(), arg(a, 1).str());
  if (!t) return Value();
  return Value::number(*t);
}

}  // namespace

void addDateTimeFunctions(std::vector<NativeDef>& out) {
  out.push_back({"now", "<s?s?:s>", 2, fnNow});
  out.push_back({"millis", "<:n>", 0, fnMillis});
  out.push_back({"fromMillis", "<n-s?s?:s>", 3, fnFromMillis});
  out.push_back({"toMillis", "<s-s?:n>", 2, fnToMillis});
}

}  // namespace sluice::asl::jsonata
