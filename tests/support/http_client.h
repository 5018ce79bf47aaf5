#pragma once
// A small HTTP client for tests: keeps the session cookie and CSRF token like a browser tab.
#include <map>
#include <string>
#include <vector>

namespace lexos::test {

struct HttpResult {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  ///< lower-case names; the first Set-Cookie only
  std::vector<std::string> set_cookies;        ///< every Set-Cookie, in order
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

class HttpClient {
 public:
  explicit HttpClient(int port) : port_(port) {}
  /// Sends a request; adds Cookie and X-CSRF-Token when known (unless `raw`).
  HttpResult request(const std::string& method, const std::string& path, const std::string& body = "",
                     const std::string& contentType = "application/json",
                     const std::map<std::string, std::string>& extraHeaders = {}, bool raw = false);
  HttpResult get(const std::string& path) { return request("GET", path); }
  HttpResult post(const std::string& path, const std::string& json) { return request("POST", path, json); }
  /// POST /api/v1/auth/login; keeps the cookie and csrf token on success.
  HttpResult login(const std::string& firm, const std::string& email, const std::string& password);
  std::string cookie;  ///< "__Host-lexos_session=..." or empty
  std::string device;  ///< "__Host-lexos_device=..." kept from the last sign-in, or empty (sent too)
  std::string csrf;

 private:
  int port_;
};

/// Value of a top-level JSON string or number field (tests only; not a JSON parser).
std::string jsonField(const std::string& json, const std::string& field);

}  // namespace lexos::test
