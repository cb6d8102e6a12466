// XPath-style integer pictures ($formatInteger, $parseInteger and the
// date/time component pictures).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sluice::asl::jsonata {

struct IntegerPicture {
  enum class Primary { Decimal, Letters, Roman, Words, Sequence } primary = Primary::Decimal;
  enum class Case { Lower, Upper, Title } letterCase = Case::Lower;
  bool ordinal = false;
  uint32_t zeroCode = '0';
  int mandatoryDigits = 0;
  int optionalDigits = 0;
  bool regular = false;
  struct Sep {
    int position;
    std::string character;
  };
  std::vector<Sep> separators;  // irregular, or the one repeating separator
  std::string token;            // for Sequence
};

IntegerPicture analyseIntegerPicture(std::string_view picture);
std::string formatIntegerWith(double value, const IntegerPicture& pic);
double parseIntegerWith(std::string_view text, const IntegerPicture& pic);
std::string numberToWords(double value, bool ordinal);
std::string toRoman(double value);
std::string toLetters(double value, char a);
double wordsToNumber(std::string_view text);
double romanToDecimal(std::string_view roman);
double lettersToDecimal(std::string_view letters, char a);

// UTF-8 helpers.
std::vector<uint32_t> decodeUtf8(std::string_view s);
// Zero code point of the Unicode decimal digit family containing cp, or 0.
uint32_t digitFamily(uint32_t cp);

}  // namespace sluice::asl::jsonata
