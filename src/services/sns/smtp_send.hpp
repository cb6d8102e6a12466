// A blocking SMTP client for SNS email deliveries (run on the engine's worker
// pool, never on the loop thread): one message to one recipient over plain
// SMTP (RFC 5321: EHLO, falling back to HELO; MAIL FROM; RCPT TO; DATA with
// dot-stuffing; QUIT). No authentication and no TLS: it hands mail to a
// relay on a trusted network (a local MTA, a CI mail catcher).
#pragma once

#include <chrono>
#include <string>

namespace sluice::services::sns {

struct SmtpResult {
  bool ok = false;
  // The server refused for good (a 5xx reply): retrying cannot help.
  bool permanent = false;
  std::string error;  // the failing step and the server's reply, when not ok
};

// `server` is "host:port" (port 25 when absent). `message` is an RFC 5322
// message (headers, blank line, body) with CRLF line endings.
SmtpResult smtpSend(const std::string& server, const std::string& from, const std::string& to,
                    const std::string& message, std::chrono::seconds timeout);

}  // namespace sluice::services::sns
