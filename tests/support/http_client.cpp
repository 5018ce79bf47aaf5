#include "http_client.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <algorithm>
#include <sstream>

namespace lexos::test {

HttpResult HttpClient::request(const std::string& method, const std::string& path, const std::string& body,
                               const std::string& contentType, const std::map<std::string, std::string>& extra,
                               bool raw) {
  Poco::Net::HTTPClientSession s("127.0.0.1", static_cast<Poco::UInt16>(port_));
  s.setTimeout(Poco::Timespan(30, 0));
  Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  if (!raw && (!cookie.empty() || !device.empty()))
    req.set("Cookie", cookie + (cookie.empty() || device.empty() ? "" : "; ") + device);
  if (!raw && !csrf.empty() && method != "GET") req.set("X-CSRF-Token", csrf);
  for (const auto& [k, v] : extra) req.set(k, v);
  if (!body.empty() || method == "POST" || method == "PATCH" || method == "PUT") {
    req.setContentType(contentType);
    req.setContentLength(static_cast<std::streamsize>(body.size()));
  }
  auto& out = s.sendRequest(req);
  out << body;
  Poco::Net::HTTPResponse res;
  auto& in = s.receiveResponse(res);
  HttpResult r;
  r.status = static_cast<int>(res.getStatus());
  std::ostringstream ss;
  Poco::StreamCopier::copyStream(in, ss);
  r.body = ss.str();
  for (const auto& [k, v] : res) {
    std::string key = k;
    std::transform(key.begin(), key.end(), key.begin(), ::tolower);
    if (key == "set-cookie") {
      r.set_cookies.push_back(v);
      if (r.headers.count(key)) continue;  // the session's comes first
    }
    r.headers[key] = v;
  }
  return r;
}

HttpResult HttpClient::login(const std::string& firm, const std::string& email, const std::string& password) {
  Poco::JSON::Object o;
  o.set("firm", firm);
  o.set("email", email);
  o.set("password", password);
  std::ostringstream ss;
  o.stringify(ss);
  auto r = request("POST", "/api/v1/auth/login", ss.str());
  if (r.status == 200) {
    const std::string sc = r.header("set-cookie");
    cookie = sc.substr(0, sc.find(';'));
    csrf = jsonField(r.body, "csrf_token");
    for (const auto& c : r.set_cookies)
      if (c.rfind("__Host-lexos_device=", 0) == 0) device = c.substr(0, c.find(';'));
  }
  return r;
}

std::string jsonField(const std::string& json, const std::string& field) {
  try {
    Poco::JSON::Parser p;
    auto o = p.parse(json).extract<Poco::JSON::Object::Ptr>();
    if (!o || !o->has(field) || o->isNull(field)) return {};
    return o->get(field).toString();
  } catch (...) {
    return {};
  }
}

}  // namespace lexos::test
