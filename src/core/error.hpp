// The one error type of Sluice's service layer: an AWS error code, a message
// and the HTTP status the gateway answers with, plus any extra elements the
// error carries on AWS (S3's <Key>, <BucketName>, ...). Expected failures
// travel as values (Result<T>); exceptions are for bugs and start-up only.
#pragma once

#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace sluice {

// One extra element of an error, after Code and Message.
struct AwsErrorField {
  std::string name;
  std::string value;
};

struct AwsError {
  std::string code;
  std::string message;
  int httpStatus = 400;
  // In the order AWS writes them. Only the restXml error encoder renders
  // them (S3's <Error> body); other protocols have no place for them.
  std::vector<AwsErrorField> fields = {};

  // The error with one more field: `return errors::noSuchKey().with("Key", key);`.
  AwsError with(std::string name, std::string value) && {
    fields.push_back({std::move(name), std::move(value)});
    return std::move(*this);
  }

  static AwsError validation(std::string message) {
    return {"ValidationException", std::move(message), 400};
  }
  static AwsError internal(std::string message) {
    return {"InternalFailure", std::move(message), 500};
  }
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(AwsError error) : v_(std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const AwsError& error() const { return std::get<1>(v_); }
  AwsError&& takeError() { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, AwsError> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(AwsError error) : error_(std::move(error)), ok_(false) {}
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const AwsError& error() const { return error_; }

 private:
  AwsError error_;
  bool ok_ = true;
};

}  // namespace sluice
