// The firm's public face and the portal's invitation fixes (issue 13 item 5), on both backends:
// the firm's logo (PUT/DELETE /api/v1/firm/logo, libmagic, ETag, nosniff), the public face of
// a portal address (GET /api/v1/public/firms/{slug}[/logo], /portal/<slug>/), the activation
// page's check of its link, and the invitation e-mail (expiry in the firm's time zone, logo,
// personal note, preview) as a real SMTP server receives it.
#include <Poco/Base64Decoder.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <ctime>
#include <regex>
#include <sstream>
#include <thread>

#include "data/connection.h"
#include "data/connection_pool.h"
#include "identity/accounts.h"
#include "smtp_receiver.h"
#include "test_host.h"

using namespace lexos::test;
using Poco::JSON::Object;

namespace {

Object::Ptr parse(const std::string& json) {
  Poco::JSON::Parser p;
  return p.parse(json).extract<Object::Ptr>();
}

std::string errorField(const HttpResult& r) {
  try {
    auto e = parse(r.body)->getObject("error");
    return e && e->has("field") ? e->getValue<std::string>("field") : "";
  } catch (...) {
    return "";
  }
}

std::string fromBase64(const std::string& s) {
  std::istringstream in(s);
  Poco::Base64Decoder d(in);
  std::string out((std::istreambuf_iterator<char>(d)), std::istreambuf_iterator<char>());
  return out;
}

// A real 1x1 PNG (what libmagic and libpng read as such).
std::string png() {
  return fromBase64("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==");
}

// The first 8 bytes of a JPEG/JFIF file, then padding: libmagic reads "image/jpeg".
std::string jpegHead() {
  std::string s("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00", 20);
  s.append(200, '\0');
  s += "\xFF\xD9";
  return s;
}

HttpResult putLogo(HttpClient& c, const std::string& bytes, const std::string& type = "image/png") {
  return c.request("PUT", "/api/v1/firm/logo", bytes, type);
}

std::string text(const Object::Ptr& o, const std::string& key) {
  return o->isNull(key) ? std::string("<null>") : o->getValue<std::string>(key);
}

// Quoted-printable soft breaks and "=3D" undone: the message as a reader sees it.
std::string flat(const std::string& mail) {
  return std::regex_replace(std::regex_replace(mail, std::regex("=\r?\n"), ""), std::regex("=3D"), "=");
}

// The bundled plugins, mail sent over SMTP to `smtp`, then `extra` sections.
std::string mailingConfig(TempDir& plugins, const SmtpReceiver& smtp, const std::string& extra = "") {
  return "[plugins]\ndir = " + bundledPluginsDir(plugins) + "\n[mail]\ntransport = smtp\nsmtp_host = 127.0.0.1\nsmtp_port = " +
         std::to_string(smtp.port()) + "\n" + extra;
}

std::vector<std::string> waitForMessages(SmtpReceiver& smtp, std::size_t n) {
  for (int i = 0; i < 100 && smtp.messages().size() < n; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  return smtp.messages();
}

// The expiry as glibc's own tz database words it (independent of ICU, which the portal uses).
std::string expectedWords(const std::string& utc, const char* zone) {
  std::tm tm{};
  strptime(utc.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  const std::time_t t = timegm(&tm);
  const char* old = std::getenv("TZ");
  const std::string saved = old ? old : "";
  setenv("TZ", zone, 1);
  tzset();
  std::tm local{};
  localtime_r(&t, &local);
  char buf[64];
  std::strftime(buf, sizeof buf, "%A, %B %-d at %-I:%M %p", &local);
  if (old) setenv("TZ", saved.c_str(), 1);
  else unsetenv("TZ");
  tzset();
  return std::string(buf) + " (" + zone + ")";
}

}  // namespace

TEST_CASE("the owner sets a PNG or JPEG logo that the firm's portal address serves with an ETag, and nothing else") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TestHost t(db);
  t.firm("alpha");
  t.firm("beta");
  t.staff("alpha", "owner@alpha.test", "owner");
  t.staff("alpha", "paralegal@alpha.test", "paralegal");
  HttpClient owner = t.signedIn("alpha", "owner@alpha.test");
  HttpClient anonymous = t.client();

  // No logo yet: the face has the name only, the logo address is 404, like an unknown firm's.
  auto r = anonymous.get("/api/v1/public/firms/alpha");
  REQUIRE(r.status == 200);
  auto face = parse(r.body);
  CHECK(text(face, "slug") == "alpha");
  CHECK(text(face, "logo_url") == "<null>");
  CHECK(face->getNames().size() == 3);  // slug, name, logo_url: nothing else
  CHECK(anonymous.get("/api/v1/public/firms/alpha/logo").status == 404);
  CHECK(anonymous.get("/api/v1/public/firms/no-such-firm").status == 404);
  CHECK(anonymous.get("/api/v1/public/firms/no-such-firm/logo").status == 404);
  CHECK(anonymous.get("/api/v1/public/firms/Bad%20Slug").status == 404);

  // Bad files: refused naming "logo", and nothing is stored.
  const std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>";
  for (const auto& [bytes, type] : std::vector<std::pair<std::string, std::string>>{
           {"", "image/png"},
           {"just some text, not a picture", "image/png"},
           {svg, "image/svg+xml"},
           {"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image/gif"},
           {png() + std::string(512 * 1024, 'x'), "image/png"}}) {
    INFO(bytes.substr(0, 20));
    r = putLogo(owner, bytes, type);
    CHECK(r.status == 400);
    CHECK(errorField(r) == "logo");
  }
  CHECK(anonymous.get("/api/v1/public/firms/alpha/logo").status == 404);
  CHECK(text(parse(owner.get("/api/v1/firm").body), "logo_url") == "<null>");

  // A paralegal cannot set it.
  HttpClient para = t.signedIn("alpha", "paralegal@alpha.test");
  CHECK(putLogo(para, png()).status == 403);

  // The owner sets a PNG (the Content-Type header does not matter: the bytes do).
  r = putLogo(owner, png(), "application/octet-stream");
  INFO(r.body);
  REQUIRE(r.status == 200);
  auto set = parse(r.body);
  CHECK(text(set, "content_type") == "image/png");
  const std::string url = text(set, "logo_url");
  CHECK(url.rfind("/api/v1/public/firms/alpha/logo?v=", 0) == 0);
  CHECK(text(parse(owner.get("/api/v1/firm").body), "logo_url") == url);
  CHECK(text(parse(anonymous.get("/api/v1/public/firms/alpha").body), "logo_url") == url);
  CHECK(text(parse(para.get("/api/v1/nav").body)->getObject("firm"), "logo_url") == url);

  r = anonymous.get(url);
  REQUIRE(r.status == 200);
  CHECK(r.body == png());
  CHECK(r.header("content-type") == "image/png");
  CHECK(r.header("x-content-type-options") == "nosniff");
  CHECK_THAT(r.header("cache-control"), Catch::Contains("public"));
  const std::string etag = r.header("etag");
  REQUIRE(etag.size() > 2);
  r = anonymous.request("GET", "/api/v1/public/firms/alpha/logo", "", "application/json", {{"If-None-Match", etag}});
  CHECK(r.status == 304);
  CHECK(r.body.empty());

  // The other firm has none; its face shows its own name only.
  face = parse(anonymous.get("/api/v1/public/firms/beta").body);
  CHECK(text(face, "slug") == "beta");
  CHECK(text(face, "logo_url") == "<null>");
  CHECK(anonymous.get("/api/v1/public/firms/beta/logo").status == 404);

  // A JPEG replaces it (new hash, new ETag); removing it leaves none.
  r = putLogo(owner, jpegHead(), "image/jpeg");
  REQUIRE(r.status == 200);
  CHECK(text(parse(r.body), "content_type") == "image/jpeg");
  CHECK(text(parse(r.body), "logo_url") != url);
  r = anonymous.get("/api/v1/public/firms/alpha/logo");
  CHECK(r.header("content-type") == "image/jpeg");
  CHECK(r.header("etag") != etag);
  CHECK(owner.request("DELETE", "/api/v1/firm/logo").status == 204);
  CHECK(owner.request("DELETE", "/api/v1/firm/logo").status == 404);
  CHECK(anonymous.get("/api/v1/public/firms/alpha/logo").status == 404);
}

TEST_CASE("a firm's portal address serves the portal page and keeps the portal's own files") {
  TestHost t(Db::SQLite);
  t.firm("alpha");
  HttpClient anonymous = t.client();
  const auto generic = anonymous.get("/portal/");
  REQUIRE(generic.status == 200);
  for (const char* path : {"/portal/alpha/", "/portal/alpha", "/portal/any-firm-slug/"}) {
    INFO(path);
    auto r = anonymous.get(path);
    CHECK(r.status == 200);
    CHECK(r.body == generic.body);
    CHECK_THAT(r.header("content-type"), Catch::Contains("text/html"));
  }
  CHECK_THAT(anonymous.get("/portal/css/portal.css").header("content-type"), Catch::Contains("text/css"));
  CHECK(anonymous.get("/portal/js/").status == 404);          // a folder of the portal, not a firm
  CHECK(anonymous.get("/portal/alpha/extra").status == 404);  // nothing below a firm's address
  CHECK(anonymous.get("/portal/..%2F..%2Fetc/").status == 404);
}

TEST_CASE("the activation check tells valid, used, replaced, revoked, expired and unknown links apart without using them") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  SmtpReceiver smtp;
  TempDir plugins;
  TestHost t(db, "clients,cases,portal", mailingConfig(plugins, smtp));
  t.firm("alpha");
  t.staff("alpha", "owner@alpha.test", "owner");
  HttpClient owner = t.signedIn("alpha", "owner@alpha.test");
  HttpClient anonymous = t.client();
  auto check = [&](const std::string& token) {
    auto r = anonymous.post("/api/v1/portal/activation/check", "{\"token\":\"" + token + "\"}");
    INFO(r.body);
    REQUIRE(r.status == 200);
    auto o = parse(r.body);
    CHECK(o->getNames().size() == 1);  // the state, nothing about the firm, client or user
    return text(o, "state");
  };
  auto tokenOf = [](const std::string& mail) {
    std::smatch m;
    const std::string f = flat(mail);
    REQUIRE(std::regex_search(f, m, std::regex("/portal/alpha/#/activate/([0-9]+\\.[A-Za-z0-9_-]+)")));
    return m[1].str();
  };
  const auto client = jsonField(owner.post("/api/v1/clients", R"({"name":"Ada Client","email":"ada@client.test"})").body, "id");
  const auto other = jsonField(owner.post("/api/v1/clients", R"({"name":"Bob Client","email":"bob@client.test"})").body, "id");

  REQUIRE(owner.post("/api/v1/clients/" + client + "/portal/invite", "{}").status == 201);
  const std::string first = tokenOf(waitForMessages(smtp, 1).at(0));
  CHECK(check(first) == "valid");
  CHECK(check(first) == "valid");  // checking uses nothing up
  REQUIRE(owner.post("/api/v1/clients/" + client + "/portal/invite", "{}").status == 201);
  const std::string second = tokenOf(waitForMessages(smtp, 2).at(1));
  CHECK(check(first) == "replaced");
  CHECK(check(second) == "valid");
  auto r = anonymous.post("/api/v1/portal/activate", "{\"token\":\"" + second + "\",\"password\":\"" + TestHost::kPassword + "\"}");
  REQUIRE(r.status == 200);
  CHECK(check(second) == "used");
  CHECK(check(first) == "used");  // the account is active: signing in is the way now

  REQUIRE(owner.post("/api/v1/clients/" + other + "/portal/invite", "{}").status == 201);
  const std::string third = tokenOf(waitForMessages(smtp, 3).at(2));
  REQUIRE(owner.request("DELETE", "/api/v1/clients/" + other + "/portal").status == 200);
  CHECK(check(third) == "revoked");

  // An expired link (its time moved back in the database): "expired", and the form would be refused too.
  const auto third2 = jsonField(owner.post("/api/v1/clients", R"({"name":"Cy Client","email":"cy@client.test"})").body, "id");
  REQUIRE(owner.post("/api/v1/clients/" + third2 + "/portal/invite", "{}").status == 201);
  const std::string fourth = tokenOf(waitForMessages(smtp, 4).at(3));
  CHECK(check(fourth) == "valid");
  {
    auto conn = t.host->pool().acquire();
    conn->begin(true);
    conn->setScope({lexos::core::Accounts(*t.host).firmId("alpha"), 0});
    conn->execute("UPDATE invitations SET expires_at = '2000-01-01T00:00:00Z' WHERE used_at IS NULL", {});
    conn->commit();
  }
  CHECK(check(fourth) == "expired");
  CHECK(anonymous.post("/api/v1/portal/activate", "{\"token\":\"" + fourth + "\",\"password\":\"" + TestHost::kPassword + "\"}").status == 410);

  // Bad input names the field; unknown links are counted like activation tries (10 an address).
  r = anonymous.post("/api/v1/portal/activation/check", "{}");
  CHECK(r.status == 400);
  CHECK(errorField(r) == "token");
  r = anonymous.post("/api/v1/portal/activation/check", R"({"token":42})");
  CHECK(r.status == 400);
  CHECK(errorField(r) == "token");
  for (int i = 0; i < 10; ++i) CHECK(check(std::to_string(i + 1) + ".no-such-token") == "invalid");
  r = anonymous.post("/api/v1/portal/activation/check", "{\"token\":\"" + second + "\"}");
  CHECK(r.status == 429);
  CHECK(!r.header("retry-after").empty());
}

TEST_CASE("the invitation e-mail names the expiry in the firm's time zone, shows the logo and the note, and the preview sends nothing") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  SmtpReceiver smtp;
  TempDir plugins;
  TestHost t(db, "clients,cases,portal",
             mailingConfig(plugins, smtp, "[server]\npublic_url = https://lexos.example\n"));
  t.firm("alpha");
  t.firm("beta");
  t.staff("alpha", "owner@alpha.test", "owner");
  t.staff("beta", "owner@beta.test", "owner");
  HttpClient owner = t.signedIn("alpha", "owner@alpha.test");
  HttpClient betaOwner = t.signedIn("beta", "owner@beta.test");
  REQUIRE(owner.request("PATCH", "/api/v1/firm", R"({"name":"Alpha & Partners","time_zone":"America/Chicago"})").status == 200);
  const auto logo = parse(putLogo(owner, png()).body);
  const std::string logoUrl = text(logo, "logo_url");
  const auto client = jsonField(owner.post("/api/v1/clients", R"({"name":"Ada Client","email":"ada@client.test"})").body, "id");
  const std::string note = "Dear Ada,\nhere is the portal we talked about. <b>Welcome</b>!";
  const std::string body = "{\"note\":\"Dear Ada,\\nhere is the portal we talked about. <b>Welcome</b>!\"}";

  // The preview: the message, not sent, no account made.
  auto r = owner.post("/api/v1/clients/" + client + "/portal/invite/preview", body);
  INFO(r.body);
  REQUIRE(r.status == 200);
  auto preview = parse(r.body);
  CHECK(text(preview, "to") == "ada@client.test");
  CHECK(text(preview, "subject") == "Alpha & Partners invites you to your secure client portal");
  CHECK_THAT(text(preview, "text"), Catch::Contains(note));
  CHECK_THAT(text(preview, "text"), Catch::Contains("(America/Chicago)"));
  CHECK_THAT(text(preview, "html"), Catch::Contains("&lt;b&gt;Welcome&lt;/b&gt;"));
  CHECK_THAT(text(preview, "html"), !Catch::Contains("<b>Welcome</b>"));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(smtp.messages().empty());
  CHECK(parse(owner.get("/api/v1/clients/" + client + "/portal").body)->getArray("items")->size() == 0);

  // Bad input names the field and sends nothing.
  r = owner.post("/api/v1/clients/" + client + "/portal/invite/preview", "{\"note\":\"" + std::string(1001, 'x') + "\"}");
  CHECK(r.status == 400);
  CHECK(errorField(r) == "note");
  r = owner.post("/api/v1/clients/" + client + "/portal/invite/preview", R"({"email":"not an address"})");
  CHECK(r.status == 400);
  CHECK(errorField(r) == "email");
  r = owner.post("/api/v1/clients/" + client + "/portal/invite", R"({"note":"hi","colour":"red"})");
  CHECK(r.status == 400);
  CHECK(errorField(r) == "colour");
  // Another firm's client is not found, for the preview as for the invitation.
  CHECK(betaOwner.post("/api/v1/clients/" + client + "/portal/invite/preview", "{}").status == 404);
  CHECK(smtp.messages().empty());

  // The real invitation, as the SMTP server receives it.
  r = owner.post("/api/v1/clients/" + client + "/portal/invite", body);
  REQUIRE(r.status == 201);
  const std::string expires = jsonField(r.body, "expires_at");
  const auto msgs = waitForMessages(smtp, 1);
  REQUIRE(msgs.size() == 1);
  const std::string mail = flat(msgs[0]);
  CHECK_THAT(mail, Catch::Contains("multipart/alternative"));
  CHECK_THAT(mail, Catch::Contains("text/plain") && Catch::Contains("text/html"));
  // Expiry in words in the firm's zone, as the tz database (glibc) words it.
  const std::string words = expectedWords(expires, "America/Chicago");
  INFO(words);
  CHECK(std::regex_search(words, std::regex("^(Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day, [A-Z][a-z]+ [0-9]{1,2} at [0-9]{1,2}:[0-9]{2} [AP]M \\(America/Chicago\\)$")));
  CHECK_THAT(mail, Catch::Contains("works until " + words));
  // The firm's own portal address, the logo with the firm's name as its text, the note.
  CHECK_THAT(mail, Catch::Contains("https://lexos.example/portal/alpha/#/activate/"));
  CHECK_THAT(mail, Catch::Contains("<img src=\"https://lexos.example" + logoUrl + "\" alt=\"Alpha &amp; Partners\""));
  CHECK_THAT(mail, Catch::Contains("Dear Ada,"));
  CHECK_THAT(mail, Catch::Contains("&lt;b&gt;Welcome&lt;/b&gt;"));
  CHECK_THAT(mail, Catch::Contains("go to https://lexos.example/portal/alpha/"));
}

namespace {

// The parts of a message as the SMTP server received it, by content type, decoded by Python's
// own MIME parser (tests/integration/mail_parts.py), not by the Poco code that wrote them.
std::map<std::string, std::string> mailParts(const std::string& received) {
  TempDir tmp;
  const std::string file = tmp.path + "/message.eml";
  std::ofstream(file, std::ios::binary) << received;
  const std::string cmd = std::string("/usr/bin/python3 ") + LEXOS_SOURCE_DIR + "/tests/integration/mail_parts.py " + file + " 2>&1";
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p);
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  const int rc = ::pclose(p);
  INFO("python3 email: " << out);
  REQUIRE(rc == 0);
  std::map<std::string, std::string> parts;
  const auto o = parse(out);
  for (const auto& name : o->getNames()) parts[name] = o->getValue<std::string>(name);
  return parts;
}

// The activation link's token, which the preview cannot know, as one word.
std::string withoutToken(const std::string& s) {
  return std::regex_replace(s, std::regex("#/activate/[^\"\\s]+"), "#/activate/TOKEN");
}

}  // namespace

TEST_CASE("the invitation preview answers the HTML and text parts the client receives, apart from the link") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  SmtpReceiver smtp;
  TempDir plugins;
  TestHost t(db, "clients,cases,portal",
             mailingConfig(plugins, smtp, "[server]\npublic_url = https://lexos.example\n"));
  t.firm("alpha");
  t.staff("alpha", "owner@alpha.test", "owner");
  HttpClient owner = t.signedIn("alpha", "owner@alpha.test");
  REQUIRE(owner.request("PATCH", "/api/v1/firm", R"({"name":"Alpha & Partners","time_zone":"Europe/Berlin"})").status == 200);
  REQUIRE(putLogo(owner, png()).status == 200);
  const auto client = jsonField(owner.post("/api/v1/clients", R"({"name":"Ada <Client>","email":"ada@client.test"})").body, "id");
  // A note with markup and a line break, long enough for the encoder to break its lines.
  const std::string body =
      "{\"note\":\"<script>alert('hi')</script> Dear Ada,\\n" + std::string(120, 'x') + " .dot-led & done\"}";

  // The expiry is worded to the minute: a preview and an invitation either side of a minute's
  // turn would differ in it, so such a pair is tried again.
  std::string previewHtml, previewText, sentHtml, sentText;
  for (int attempt = 0; attempt < 3; ++attempt) {
    const std::time_t minute = std::time(nullptr) / 60;
    auto r = owner.post("/api/v1/clients/" + client + "/portal/invite/preview", body);
    INFO(r.body);
    REQUIRE(r.status == 200);
    const auto preview = parse(r.body);
    previewHtml = text(preview, "html");
    previewText = text(preview, "text");
    REQUIRE(owner.post("/api/v1/clients/" + client + "/portal/invite", body).status == 201);
    const auto msgs = waitForMessages(smtp, static_cast<std::size_t>(attempt) + 1);
    REQUIRE(msgs.size() == static_cast<std::size_t>(attempt) + 1);
    auto parts = mailParts(msgs.back());
    REQUIRE(parts.count("text/html") == 1);
    REQUIRE(parts.count("text/plain") == 1);
    sentHtml = parts["text/html"];
    sentText = parts["text/plain"];
    if (std::time(nullptr) / 60 == minute) break;
  }
  // The preview's link leads to the firm's portal, with the token still to be made.
  CHECK_THAT(previewHtml, Catch::Contains("href=\"https://lexos.example/portal/alpha/#/activate/\u2026\""));
  CHECK(std::regex_search(sentHtml, std::regex("href=\"https://lexos\\.example/portal/alpha/#/activate/[0-9]+\\.[A-Za-z0-9_-]+\"")));
  CHECK(withoutToken(sentHtml) == withoutToken(previewHtml));
  CHECK(withoutToken(sentText) == withoutToken(previewText));
  CHECK(withoutToken(sentHtml) != sentHtml);
  // Everything inserted is escaped: the note's markup is text, the client's name too.
  CHECK_THAT(sentHtml, Catch::Contains("&lt;script&gt;alert(&#39;hi&#39;)&lt;/script&gt; Dear Ada,<br>"));
  CHECK_THAT(sentHtml, !Catch::Contains("<script"));
  CHECK_THAT(sentHtml, Catch::Contains("Ada &lt;Client&gt; access"));
  CHECK_THAT(sentHtml, Catch::Contains(" .dot-led &amp; done"));
  CHECK_THAT(sentHtml, Catch::StartsWith("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>"
                                         "Alpha &amp; Partners invites you to your secure client portal</title>"));
  CHECK_THAT(sentHtml, Catch::Contains("<img src=\"https://lexos.example/api/v1/public/firms/alpha/logo?v="));
  CHECK_THAT(sentHtml, Catch::Contains("(Europe/Berlin)"));
  CHECK_THAT(sentText, Catch::Contains("<script>alert('hi')</script> Dear Ada,\n"));
}

namespace {
// How many pictures a PDF holds, as poppler's pdfimages lists them (Debian poppler-utils).
int pdfImages(const std::string& pdf) {
  if (std::system("command -v pdfimages >/dev/null 2>&1") != 0)
    FAIL("pdfimages not found: scripts/deps.sh installs Debian's poppler-utils");
  TempDir d;
  const std::string file = d.path + "/doc.pdf";
  {
    std::ofstream out(file, std::ios::binary);
    out << pdf;
  }
  FILE* p = ::popen(("pdfimages -list '" + file + "' 2>/dev/null").c_str(), "r");
  REQUIRE(p);
  std::string text;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, n);
  CHECK(::pclose(p) == 0);
  // Two heading lines, then one line per image ("image"), or per image's alpha ("smask").
  std::istringstream in(text);
  std::string line;
  int images = 0;
  while (std::getline(in, line)) {
    std::istringstream cols(line);
    std::string page, num, type;
    cols >> page >> num >> type;
    images += type == "image";
  }
  return images;
}
}  // namespace

TEST_CASE("invoices carry the firm's logo once it has one, for staff and in the portal") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TempDir plugins;
  TestHost t(db, "clients,cases,portal,billing", "[plugins]\ndir = " + bundledPluginsDir(plugins) + "\n");
  t.firm("alpha");
  t.staff("alpha", "owner@alpha.test", "owner");
  HttpClient owner = t.signedIn("alpha", "owner@alpha.test");
  const auto client = jsonField(owner.post("/api/v1/clients", R"({"name":"Ada Client","billing":{"currency":"EUR"}})").body, "id");
  t.portalUser("alpha", std::stoll(client), "ada@client.test");
  HttpClient ada = t.signedIn("alpha", "ada@client.test");
  auto r = owner.post("/api/v1/invoices", "{\"client_id\":" + client + ",\"lines\":[{\"description\":\"Advice\",\"unit_price_minor\":10000}]}");
  REQUIRE(r.status == 201);
  const std::string invoice = jsonField(r.body, "id");
  r = owner.get("/api/v1/invoices/" + invoice + "/pdf");
  REQUIRE(r.status == 200);
  CHECK(pdfImages(r.body) == 0);
  REQUIRE(putLogo(owner, png()).status == 200);
  r = owner.get("/api/v1/invoices/" + invoice + "/pdf");
  REQUIRE(r.status == 200);
  CHECK(pdfImages(r.body) == 1);
  REQUIRE(owner.post("/api/v1/invoices/" + invoice + "/issue", "{}").status == 200);
  r = ada.get("/api/v1/portal/invoices/" + invoice + "/pdf");
  REQUIRE(r.status == 200);
  CHECK(pdfImages(r.body) == 1);  // read through the SDK in the firm's scope, for a portal request too
  // A JPEG libharu cannot decode (only its header is real) is left out, not fatal.
  REQUIRE(putLogo(owner, jpegHead(), "image/jpeg").status == 200);
  r = owner.get("/api/v1/invoices/" + invoice + "/pdf");
  REQUIRE(r.status == 200);
  CHECK(pdfImages(r.body) == 0);
}
