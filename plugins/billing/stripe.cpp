#include "stripe.h"

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cctype>
#include <cstdlib>
#include <memory>
#include <sstream>

#include "lexos/sdk/json.h"

namespace lexos::billing::stripe {

namespace {

std::string urlEncode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char ch : s) {
    if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
      out += static_cast<char>(ch);
    } else {
      out += '%';
      out += hex[ch >> 4];
      out += hex[ch & 15];
    }
  }
  return out;
}

// Equal-length strings compared without an early exit: the time taken tells nothing of where
// they differ.
bool constantTimeEquals(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

std::string formEncode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [k, v] : fields) {
    if (!out.empty()) out += '&';
    out += urlEncode(k);
    out += '=';
    out += urlEncode(v);
  }
  return out;
}

std::optional<SignatureHeader> parseSignatureHeader(const std::string& header) {
  SignatureHeader h;
  bool haveT = false;
  std::stringstream ss(header);
  std::string item;
  while (std::getline(ss, item, ',')) {
    const auto eq = item.find('=');
    if (eq == std::string::npos) continue;
    std::string k = item.substr(0, eq), v = item.substr(eq + 1);
    while (!k.empty() && k.front() == ' ') k.erase(0, 1);
    if (k == "t") {
      if (v.empty() || v.size() > 12 || v.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
      h.timestamp = std::stoll(v);
      haveT = true;
    } else if (k == "v1") {
      h.v1.push_back(v);
    }
  }
  if (!haveT || h.v1.empty()) return std::nullopt;
  return h;
}

std::string hmacSha256Hex(const std::string& key, const std::string& message) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(message.data()),
       message.size(), mac, &len);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += hex[mac[i] >> 4];
    out += hex[mac[i] & 15];
  }
  return out;
}

Verdict verify(const std::string& payload, const std::string& header, const std::string& secret, long toleranceSeconds,
               std::int64_t now) {
  const auto h = parseSignatureHeader(header);
  if (!h) return Verdict::Malformed;
  const std::string expected = hmacSha256Hex(secret, std::to_string(h->timestamp) + "." + payload);
  bool match = false;
  for (const auto& sig : h->v1) match |= constantTimeEquals(sig, expected);
  if (!match) return Verdict::Mismatch;
  // Checked after the signature, as Stripe's libraries do: an old but genuine event is a
  // replay, told apart from a forgery in the log.
  if (toleranceSeconds > 0 && std::llabs(now - h->timestamp) > toleranceSeconds) return Verdict::OutsideTolerance;
  return Verdict::Valid;
}

namespace {

// POST {api_base}{path}, form-encoded, with the secret key and an Idempotency-Key; the JSON
// answer of a 200, else ProviderError.
sdk::Json postForm(const Settings& s, const std::string& apiPath,
                   const std::vector<std::pair<std::string, std::string>>& fields, const std::string& idempotencyKey) {
  Poco::URI base;
  try {
    base = Poco::URI(s.api_base);
  } catch (const Poco::Exception&) {
    throw ProviderError{0, "config", "plugin.billing.stripe_api_base is not a URL"};
  }
  std::unique_ptr<Poco::Net::HTTPClientSession> session;
  if (base.getScheme() == "https") {
    // Certificates verified against the system's CAs.
    static Poco::Net::Context::Ptr context =
        new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", "", Poco::Net::Context::VERIFY_RELAXED, 9, true);
    session = std::make_unique<Poco::Net::HTTPSClientSession>(base.getHost(), base.getPort(), context);
  } else if (base.getScheme() == "http" &&
             (base.getHost() == "127.0.0.1" || base.getHost() == "localhost" || base.getHost() == "::1")) {
    // Plain HTTP only to this machine (a local stand-in): the secret key never crosses a network
    // in clear.
    session = std::make_unique<Poco::Net::HTTPClientSession>(base.getHost(), base.getPort());
  } else {
    throw ProviderError{0, "config", "plugin.billing.stripe_api_base must be an https URL (http only to this machine)"};
  }
  session->setTimeout(Poco::Timespan(s.timeout_seconds, 0));
  std::string path = base.getPath();
  while (!path.empty() && path.back() == '/') path.pop_back();
  path += apiPath;
  const std::string body = formEncode(fields);
  Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_POST, path, Poco::Net::HTTPMessage::HTTP_1_1);
  req.set("Authorization", "Bearer " + s.secret_key);
  req.set("Idempotency-Key", idempotencyKey);
  req.setContentType("application/x-www-form-urlencoded");
  req.setContentLength(static_cast<std::streamsize>(body.size()));
  std::string answer;
  Poco::Net::HTTPResponse res;
  try {
    session->sendRequest(req) << body;
    std::istream& in = session->receiveResponse(res);
    // At most 1 MiB of answer: a Checkout Session or a refund is a few KiB.
    char buf[8192];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
      answer.append(buf, static_cast<std::size_t>(in.gcount()));
      if (answer.size() > 1024 * 1024) throw ProviderError{static_cast<int>(res.getStatus()), "bad_answer", "the provider's answer is too long"};
    }
  } catch (const Poco::Exception& e) {
    throw ProviderError{0, "unreachable", e.displayText()};
  }
  sdk::Json j;
  try {
    j = sdk::parseJson(answer);
  } catch (const std::exception&) {
    throw ProviderError{static_cast<int>(res.getStatus()), "bad_answer", "the provider's answer is not JSON"};
  }
  if (res.getStatus() != Poco::Net::HTTPResponse::HTTP_OK) {
    ProviderError e{static_cast<int>(res.getStatus()), "", ""};
    if (j.isObject())
      if (const sdk::Json* err = j.find("error"); err && err->isObject()) {
        if (const auto* c = err->find("code"); c && c->isString()) e.code = c->asString();
        if (const auto* t = err->find("type"); t && t->isString() && e.code.empty()) e.code = t->asString();
        if (const auto* m = err->find("message"); m && m->isString()) e.message = m->asString();
      }
    throw e;
  }
  if (!j.isObject()) throw ProviderError{static_cast<int>(res.getStatus()), "bad_answer", "the provider's answer is not an object"};
  return j;
}

std::string textOf(const sdk::Json& o, const char* key) {
  const auto* v = o.find(key);
  return v && v->isString() ? v->asString() : std::string();
}

}  // namespace

CheckoutSession createCheckoutSession(const Settings& s, const std::vector<std::pair<std::string, std::string>>& fields,
                                      const std::string& idempotencyKey) {
  const sdk::Json j = postForm(s, "/v1/checkout/sessions", fields, idempotencyKey);
  CheckoutSession cs{textOf(j, "id"), textOf(j, "url")};
  if (cs.id.empty() || cs.url.empty()) throw ProviderError{200, "bad_answer", "the provider's answer has no session id or url"};
  return cs;
}

Refund createRefund(const Settings& s, const std::string& paymentIntent, std::int64_t amount,
                    const std::string& idempotencyKey) {
  const sdk::Json j = postForm(s, "/v1/refunds", {{"payment_intent", paymentIntent}, {"amount", std::to_string(amount)}},
                               idempotencyKey);
  Refund r{textOf(j, "id"), textOf(j, "status")};
  if (r.id.empty()) throw ProviderError{200, "bad_answer", "the provider's answer has no refund id"};
  if (r.status == "failed" || r.status == "canceled")
    throw ProviderError{200, "refund_" + r.status, "the provider did not make the refund (" + r.status + ")"};
  return r;
}

}  // namespace lexos::billing::stripe
