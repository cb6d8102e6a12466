// Email and email-json deliveries. Each message is composed once as an
// RFC 5322 message (CRLF lines); with an SMTP relay configured
// (`sluice server --smtp host:port` or SLUICE_SMTP) it is sent there (over
// STARTTLS when the relay offers it), with
// retries on transient failures (no answer, 4xx replies) and none on a 5xx
// refusal; otherwise it is written to <data-dir>/outbox/ as a .eml file.
#include <iostream>

#include "core/encoding.hpp"
#include "services/sns/smtp_send.hpp"
#include "services/sns/sns_service.hpp"
#include "store/data_dir.hpp"

namespace sluice::services::sns {

namespace {

constexpr std::string_view kFrom = "no-reply@sns.amazonaws.com";
constexpr std::chrono::seconds kSmtpTimeout{30};

// A header value with non-ASCII text as an RFC 2047 encoded word.
std::string headerText(const std::string& text) {
  for (unsigned char c : text) {
    if (c >= 0x80) return "=?UTF-8?B?" + base64Encode(text) + "?=";
  }
  return text;
}

std::string withCrlf(const std::string& text) {
  std::string out;
  out.reserve(text.size() + text.size() / 32);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out += '\r';
    out += text[i];
  }
  return out;
}

std::string composeEmail(const std::string& protocol, const std::string& to,
                         const std::string& subject, const std::string& body,
                         const std::string& messageId, TimePoint now) {
  std::string date = formatHttpDate(now);  // "..., 06 Nov 1994 08:49:37 GMT"
  if (date.ends_with(" GMT")) date = date.substr(0, date.size() - 4) + " +0000";
  return "From: AWS Notifications <" + std::string(kFrom) + ">\r\n" + "To: " + to + "\r\n" +
         "Subject: " + headerText(subject) + "\r\n" + "Date: " + date + "\r\n" + "Message-ID: <" +
         messageId + "@sns.amazonaws.com>\r\n" + "MIME-Version: 1.0\r\n" +
         "Content-Type: " + (protocol == "email-json" ? "application/json" : "text/plain") +
         "; charset=UTF-8\r\n" + "Content-Transfer-Encoding: 8bit\r\n\r\n" + withCrlf(body) +
         "\r\n";
}

}  // namespace

void SnsService::sendEmail(const Subscription& s, const std::string& subject,
                           const std::string& body, const std::string& messageId, Finished done) {
  std::string message =
      composeEmail(s.protocol, s.endpoint, subject, body, messageId, clock_.now());
  if (!outbound_.smtpServer.empty())
    return smtpWithRetries(s.endpoint, std::move(message), 0, std::move(done));
  if (dataDir_.empty()) return done();
  std::filesystem::path outbox = dataDir_ / "outbox";
  auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now().time_since_epoch())
          .count();
  std::filesystem::path file = outbox / (std::to_string(millis) + "-" + messageId + ".eml");
  engine_.loop.runBlocking(
      [outbox, file, message = std::move(message)] {
        auto made = store::createDirectoriesDurably(outbox);
        auto written = made ? store::writeFileDurably(file, message) : made;
        if (!written)
          std::cerr << "sns: cannot write " << file << ": " << written.error().message << "\n";
      },
      std::move(done));
}

void SnsService::smtpWithRetries(std::string to, std::string message, int attempt, Finished done) {
  auto result = std::make_shared<SmtpResult>();
  auto work = [result, server = outbound_.smtpServer, to, message, tls = tls()] {
    *result = smtpSend(server, std::string(kFrom), to, message, kSmtpTimeout, tls.get());
  };
  engine_.loop.runBlocking(
      std::move(work), [this, result, to, message, attempt, done = std::move(done)]() mutable {
        if (result->ok) return done();
        const RetryPolicy policy = customerManagedRetryPolicy();
        if (result->permanent || attempt >= policy.numRetries) {
          std::cerr << "sns: mail to " << to << " via " << outbound_.smtpServer << " failed after "
                    << attempt + 1 << " attempts: " << result->error << "\n";
          return done();
        }
        // AWS's SMTP back-off, on the server's clock (--clock virtual moves it).
        engine_.loop.schedule(engine_.loop.now() + policy.delayBefore(attempt + 1),
                              [this, to, message, attempt, done = std::move(done)]() mutable {
                                smtpWithRetries(std::move(to), std::move(message), attempt + 1,
                                                std::move(done));
                              });
      });
}

}  // namespace sluice::services::sns
