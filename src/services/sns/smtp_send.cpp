#include "services/sns/smtp_send.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <istream>

#include "services/common/outbound.hpp"

namespace sluice::services::sns {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// One SMTP conversation on a connected socket. Replies are "NNN text" lines,
// "NNN-text" for every line but the last of a multi-line reply.
template <typename Stream>
class Conversation {
 public:
  explicit Conversation(Stream& stream) : socket_(stream) {}

  // Reads one (possibly multi-line) reply; its code, 0 on a broken reply.
  int reply(std::string& text) {
    text.clear();
    for (;;) {
      asio::read_until(socket_, buffer_, "\r\n");
      std::istream in(&buffer_);
      std::string line;
      std::getline(in, line);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.size() < 3) return 0;
      text += line + "\n";
      if (line.size() == 3 || line[3] == ' ') return std::atoi(line.substr(0, 3).c_str());
      if (line[3] != '-') return 0;
    }
  }

  void send(const std::string& data) { asio::write(socket_, asio::buffer(data)); }

  // Sends `command` and checks the reply's class (2 or 3): on failure the
  // result says which step failed and whether it is permanent. `text` gets
  // the reply (EHLO's lists the extensions).
  bool step(const std::string& command, int expectedClass, SmtpResult& result) {
    std::string text;
    return step(command, expectedClass, result, text);
  }
  bool step(const std::string& command, int expectedClass, SmtpResult& result, std::string& text) {
    if (!command.empty()) send(command + "\r\n");
    int code = reply(text);
    if (code / 100 == expectedClass) return true;
    std::string what = command.empty() ? "greeting" : command.substr(0, command.find(' '));
    result.error = what + ": " + (code ? text : "malformed reply");
    while (!result.error.empty() && result.error.back() == '\n') result.error.pop_back();
    result.permanent = code / 100 == 5;
    return false;
  }

 private:
  Stream& socket_;
  asio::streambuf buffer_;
};

// Lines starting with "." get one more (RFC 5321 4.5.2); the message ends
// with CRLF "." CRLF.
std::string dotStuffed(const std::string& message) {
  std::string out;
  out.reserve(message.size() + 8);
  bool lineStart = true;
  for (char c : message) {
    if (lineStart && c == '.') out += '.';
    out += c;
    lineStart = c == '\n';
  }
  if (!out.ends_with("\r\n")) out += "\r\n";
  return out + ".\r\n";
}

bool offersStartTls(const std::string& ehloReply) {
  std::string upper;
  for (char c : ehloReply) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return upper.find("STARTTLS") != std::string::npos;
}

// MAIL FROM, RCPT TO, DATA and the message, QUIT.
template <typename Stream>
SmtpResult transaction(Conversation<Stream>& smtp, const std::string& from, const std::string& to,
                       const std::string& message) {
  SmtpResult result;
  if (!smtp.step("MAIL FROM:<" + from + ">", 2, result)) return result;
  if (!smtp.step("RCPT TO:<" + to + ">", 2, result)) return result;
  if (!smtp.step("DATA", 3, result)) return result;
  smtp.send(dotStuffed(message));
  if (!smtp.step("", 2, result)) {
    result.error = "DATA" + result.error.substr(result.error.find(':'));
    return result;
  }
  smtp.send("QUIT\r\n");  // the message is accepted; the goodbye is a courtesy
  result.ok = true;
  return result;
}

}  // namespace

SmtpResult smtpSend(const std::string& server, const std::string& from, const std::string& to,
                    const std::string& message, std::chrono::seconds timeout,
                    asio::ssl::context* tls) {
  std::string host = server, port = "25";
  if (auto colon = server.rfind(':'); colon != std::string::npos) {
    host = server.substr(0, colon);
    port = server.substr(colon + 1);
  }
  SmtpResult result;
  try {
    asio::io_context io;
    tcp::socket socket(io);
    connectWithTimeout(socket, host, port, timeout);
    Conversation smtp(socket);
    if (!smtp.step("", 2, result)) return result;
    std::string extensions;
    if (!smtp.step("EHLO sluice", 2, result, extensions)) {
      if (!smtp.step("HELO sluice", 2, result)) return result;
      return transaction(smtp, from, to, message);
    }
    if (!tls || !offersStartTls(extensions)) return transaction(smtp, from, to, message);
    // The relay offers TLS: upgrade, verify its certificate, and start over
    // (RFC 3207: nothing learnt before the handshake is kept).
    if (!smtp.step("STARTTLS", 2, result)) return result;
    asio::ssl::stream<tcp::socket&> secure(socket, *tls);
    verifyHostName(secure, host);
    secure.handshake(asio::ssl::stream_base::client);
    Conversation<asio::ssl::stream<tcp::socket&>> over(secure);
    if (!over.step("EHLO sluice", 2, result)) return result;
    return transaction(over, from, to, message);
  } catch (const std::exception& e) {
    result.ok = false;
    result.permanent = false;
    result.error = e.what();
    return result;
  }
}

}  // namespace sluice::services::sns
