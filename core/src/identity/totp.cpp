#include "identity/totp.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <qrencode.h>

#include <cctype>
#include <memory>
#include <stdexcept>

namespace lexos::core::totp {

namespace {

constexpr const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

std::string randomBytes(std::size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
    throw std::runtime_error("no random bytes from OpenSSL");
  return out;
}

std::string percentEncode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char ch : s) {
    if (std::isalnum(ch) || ch == '-' || ch == '.' || ch == '_' || ch == '~' || ch == '@') {
      out += static_cast<char>(ch);
    } else {
      out += '%';
      out += hex[ch >> 4];
      out += hex[ch & 15];
    }
  }
  return out;
}

std::string xmlEscape(const std::string& s) {
  std::string out;
  for (char ch : s) {
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += ch;
    }
  }
  return out;
}

}  // namespace

std::string base32Encode(const std::string& bytes) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char b : bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += kAlphabet[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (5 - bits)) & 31];
  return out;
}

std::optional<std::string> base32Decode(const std::string& text) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    if (c == ' ' || c == '=' || c == '-') continue;
    const char u = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    int v = -1;
    if (u >= 'A' && u <= 'Z')
      v = u - 'A';
    else if (u >= '2' && u <= '7')
      v = u - '2' + 26;
    if (v < 0) return std::nullopt;
    buffer = (buffer << 5) | static_cast<std::uint32_t>(v);
    bits += 5;
    if (bits >= 8) {
      out += static_cast<char>((buffer >> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return out;
}

std::string hotp(const std::string& key, std::uint64_t counter, int digits) {
  unsigned char msg[8];
  for (int i = 7; i >= 0; --i) {
    msg[i] = static_cast<unsigned char>(counter & 0xff);
    counter >>= 8;
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), msg, sizeof msg, md, &len) ||
      len < 20)
    throw std::runtime_error("HMAC-SHA1 is not available");
  // RFC 4226 section 5.3: dynamic truncation.
  const int offset = md[len - 1] & 0x0f;
  const std::uint32_t binary = (static_cast<std::uint32_t>(md[offset] & 0x7f) << 24) |
                               (static_cast<std::uint32_t>(md[offset + 1]) << 16) |
                               (static_cast<std::uint32_t>(md[offset + 2]) << 8) |
                               static_cast<std::uint32_t>(md[offset + 3]);
  std::uint32_t mod = 1;
  for (int i = 0; i < digits; ++i) mod *= 10;
  std::string out = std::to_string(binary % mod);
  return std::string(static_cast<std::size_t>(digits) - out.size(), '0') + out;
}

std::optional<std::int64_t> matchingStep(const std::string& key, const std::string& code,
                                         std::time_t now, std::int64_t lastUsedStep) {
  if (code.size() != static_cast<std::size_t>(kDigits)) return std::nullopt;
  const std::int64_t current = stepOf(now);
  std::optional<std::int64_t> found;
  for (std::int64_t s = current - 1; s <= current + 1; ++s) {
    const std::string want = hotp(key, static_cast<std::uint64_t>(s));
    if (CRYPTO_memcmp(want.data(), code.data(), want.size()) == 0 && s > lastUsedStep && !found)
      found = s;
  }
  return found;
}

std::string newSecret() { return randomBytes(kSecretBytes); }

std::string otpauthUri(const std::string& issuer, const std::string& account,
                       const std::string& secretBase32) {
  // Key Uri Format (google-authenticator wiki): the label is "issuer:account", both encoded.
  return "otpauth://totp/" + percentEncode(issuer) + ":" + percentEncode(account) +
         "?secret=" + secretBase32 + "&issuer=" + percentEncode(issuer) +
         "&algorithm=SHA1&digits=" + std::to_string(kDigits) +
         "&period=" + std::to_string(kStepSeconds);
}

std::string qrSvg(const std::string& text, const std::string& label) {
  std::unique_ptr<QRcode, void (*)(QRcode*)> qr(
      QRcode_encodeString(text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1), QRcode_free);
  if (!qr) throw std::runtime_error("libqrencode could not encode the enrolment URI");
  const int w = qr->width, quiet = 4, size = w + 2 * quiet;
  std::string path;
  for (int y = 0; y < w; ++y)
    for (int x = 0; x < w; ++x)
      if (qr->data[y * w + x] & 1)
        path += "M" + std::to_string(x + quiet) + " " + std::to_string(y + quiet) + "h1v1h-1z";
  const std::string n = std::to_string(size);
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + n + " " + n + "\" width=\"" +
         std::to_string(size * 5) + "\" height=\"" + std::to_string(size * 5) +
         "\" role=\"img\" aria-label=\"" + xmlEscape(label) +
         "\" shape-rendering=\"crispEdges\">"
         "<rect width=\"" +
         n + "\" height=\"" + n +
         "\" fill=\"#fff\"/>"
         "<path fill=\"#000\" d=\"" +
         path + "\"/></svg>";
}

std::vector<std::string> newRecoveryCodes(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    std::string code = base32Encode(randomBytes(7)).substr(0, 10);  // 50 bits
    for (auto& ch : code) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    out.push_back(code.substr(0, 5) + "-" + code.substr(5));
  }
  return out;
}

std::string normaliseRecoveryCode(const std::string& typed) {
  std::string out;
  for (char ch : typed) {
    if (ch == '-' || ch == ' ') continue;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  }
  return out;
}

}  // namespace lexos::core::totp
