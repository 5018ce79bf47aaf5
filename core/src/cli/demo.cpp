#include "cli/demo.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "app/host.h"
#include "guard/guard.h"
#include "identity/accounts.h"

namespace lexos::core {
namespace fs = std::filesystem;

namespace {

// A signed-in API caller on the demo's own private server.
class Api {
 public:
  explicit Api(int port) : port_(port) {}
  Poco::JSON::Object::Ptr call(const std::string& method, const std::string& path, const std::string& body,
                               int expect) {
    Poco::Net::HTTPClientSession s("127.0.0.1", static_cast<Poco::UInt16>(port_));
    Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    if (!cookie_.empty()) req.set("Cookie", cookie_);
    if (!csrf_.empty()) req.set("X-CSRF-Token", csrf_);
    req.setContentType("application/json");
    req.setContentLength(static_cast<std::streamsize>(body.size()));
    s.sendRequest(req) << body;
    Poco::Net::HTTPResponse res;
    std::ostringstream out;
    Poco::StreamCopier::copyStream(s.receiveResponse(res), out);
    if (static_cast<int>(res.getStatus()) != expect)
      throw std::runtime_error("demo: " + method + " " + path + " answered " + std::to_string(res.getStatus()) + ": " + out.str());
    if (res.has("Set-Cookie")) cookie_ = res.get("Set-Cookie").substr(0, res.get("Set-Cookie").find(';'));
    Poco::JSON::Parser p;
    auto v = out.str().empty() ? Poco::Dynamic::Var() : p.parse(out.str());
    auto o = v.isEmpty() ? Poco::JSON::Object::Ptr(new Poco::JSON::Object) : v.extract<Poco::JSON::Object::Ptr>();
    if (o->has("csrf_token")) csrf_ = o->getValue<std::string>("csrf_token");
    return o;
  }
  std::string id(const std::string& path, const std::string& body) {
    return call("POST", path, body, 201)->get("id").toString();
  }

 private:
  int port_;
  std::string cookie_, csrf_;
};

std::string json(const std::map<std::string, Poco::Dynamic::Var>& fields) {
  Poco::JSON::Object o;
  for (const auto& [k, v] : fields) o.set(k, v);
  std::ostringstream ss;
  o.stringify(ss);
  return ss.str();
}

// The newest activation link in the outbox, written after `before`.
std::string newestToken(const fs::path& outbox, const std::set<std::string>& before) {
  std::string newest;
  for (const auto& e : fs::directory_iterator(outbox))
    if (e.path().extension() == ".eml" && !before.count(e.path().filename().string()) && e.path().filename().string() > newest)
      newest = e.path().filename().string();
  if (newest.empty()) throw std::runtime_error("demo: the invitation e-mail did not arrive in " + outbox.string());
  std::ifstream in(outbox / newest);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = std::regex_replace(ss.str(), std::regex("=\r?\n"), "");
  text = std::regex_replace(text, std::regex("=3D"), "=");
  std::smatch m;
  if (!std::regex_search(text, m, std::regex("#/activate/([0-9]+\\.[A-Za-z0-9_-]+)")))
    throw std::runtime_error("demo: no activation link in " + newest);
  return m[1].str();
}

std::set<std::string> listing(const fs::path& dir) {
  std::set<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) out.insert(e.path().filename().string());
  return out;
}

}  // namespace

void createDemo(const Config& base, const std::string& slug, std::ostream& out) {
  Config cfg = base;
  cfg.listen_host = "127.0.0.1";
  cfg.listen_port = 0;  // a private server for the demo's API calls
  cfg.mail_transport = "outbox";
  cfg.log_level = "warning";
  Host host(cfg);
  for (const char* needed : {"clients", "cases", "portal"})
    if (!host.registry().hasPlugin(needed))
      throw std::runtime_error("demo needs the clients, cases and portal modules: add them to plugins.enabled");
  host.prepareDatabase(true);
  Accounts accounts(host);
  accounts.createFirm(slug, "Demo Law LLP");
  const std::string ownerEmail = "owner@" + slug + ".example";
  const std::string ownerPassword = Guard::randomToken(12);
  accounts.createStaffUser(slug, ownerEmail, "owner", "Olivia Owner", ownerPassword);
  host.startServer();
  Api staff(host.port());
  staff.call("POST", "/api/v1/auth/login", json({{"firm", slug}, {"email", ownerEmail}, {"password", ownerPassword}}), 200);

  const std::string anderson = staff.id("/api/v1/clients", json({{"name", "Thomas Anderson"}, {"email", "anderson@" + slug + ".example"},
                                                                 {"phone", "+1 312 555 0101"}}));
  const std::string smith = staff.id("/api/v1/clients", json({{"name", "Smith Holdings Ltd"}, {"kind", "organisation"},
                                                             {"contact_person", "Agent Smith"}, {"email", "smith@" + slug + ".example"}}));
  const std::string fouchix = staff.id("/api/v1/cases", json({{"client_id", Poco::Dynamic::Var(std::stoll(anderson))},
                                                               {"title", "State vs. Fouchix"}, {"practice_area", "Criminal defence"},
                                                               {"phase", "discovery"}}));
  const std::string zion = staff.id("/api/v1/cases", json({{"client_id", Poco::Dynamic::Var(std::stoll(smith))},
                                                            {"title", "Smith Holdings v. Zion Logistics"}, {"practice_area", "Commercial"},
                                                            {"phase", "active"}}));
  auto update = [&](const std::string& c, const std::string& text, bool visible) {
    staff.id("/api/v1/cases/" + c + "/updates", json({{"text", text}, {"client_visible", visible}}));
  };
  update(fouchix, "We have received the prosecution's disclosure and are reviewing it.", true);
  update(fouchix, "Expert witness engaged; report expected within three weeks.", true);
  update(fouchix, "Consider challenging the search warrant (internal, not for the client).", false);
  update(zion, "Statement of claim filed.", true);
  staff.id("/api/v1/cases/" + fouchix + "/notes", json({{"text", "War room: the CCTV timeline does not match the arrest report."}}));

  const fs::path outbox = fs::path(cfg.state_dir) / "outbox";
  auto activate = [&](const std::string& client) {
    const auto before = listing(outbox);
    staff.call("POST", "/api/v1/clients/" + client + "/portal/invite", "{}", 201);
    const std::string password = Guard::randomToken(12);
    Api anon(host.port());
    anon.call("POST", "/api/v1/portal/activate", json({{"token", newestToken(outbox, before)}, {"password", password}}), 200);
    return password;
  };
  const std::string andersonPassword = activate(anderson);
  const std::string smithPassword = activate(smith);
  host.stopServer();

  out << "Demo firm '" << slug << "' is ready (passwords are random; they are shown only now).\n\n"
      << "  Staff app   " << base.public_url << "/app/\n"
      << "              firm " << slug << ", email " << ownerEmail << ", password " << ownerPassword << "\n\n"
      << "  Portal      " << base.public_url << "/portal/\n"
      << "    Mr. Anderson:        firm " << slug << ", email anderson@" << slug << ".example, password " << andersonPassword
      << "\n                         sees \"State vs. Fouchix\" and its two shared updates only\n"
      << "    Smith Holdings Ltd:  firm " << slug << ", email smith@" << slug << ".example, password " << smithPassword
      << "\n                         sees \"Smith Holdings v. Zion Logistics\" only\n\n"
      << "Internal notes and the unshared update of State vs. Fouchix are visible to staff only.\n";
}

}  // namespace lexos::core
