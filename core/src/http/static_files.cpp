#include "http/static_files.h"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "common/router.h"

namespace lexos::core {
namespace fs = std::filesystem;

StaticFiles::StaticFiles(std::string webDir) : root_(std::move(webDir)) {}

bool StaticFiles::handles(const std::string& path) {
  return path == "/" || path == "/app" || path == "/portal" || path.rfind("/app/", 0) == 0 ||
         path.rfind("/portal/", 0) == 0 || path.rfind("/shared/", 0) == 0 || path == "/favicon.ico";
}

std::string StaticFiles::contentType(const std::string& file) {
  static const std::map<std::string, std::string> types = {
      {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
      {".json", "application/json"}, {".svg", "image/svg+xml"}, {".png", "image/png"},
      {".jpg", "image/jpeg"}, {".ico", "image/x-icon"}, {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"}, {".webmanifest", "application/manifest+json"}};
  auto it = types.find(fs::path(file).extension().string());
  return it == types.end() ? "application/octet-stream" : it->second;
}

namespace {
void sendText(Poco::Net::HTTPServerResponse& res, int status, const std::string& text) {
  res.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  res.setContentType("text/plain; charset=utf-8");
  res.setContentLength(static_cast<std::streamsize>(text.size()));
  res.send() << text;
}
}  // namespace

int StaticFiles::serve(const std::string& path, Poco::Net::HTTPServerRequest& req,
                       Poco::Net::HTTPServerResponse& res) {
  if (req.getMethod() != "GET" && req.getMethod() != "HEAD") {
    res.set("Allow", "GET, HEAD");
    sendText(res, 405, "Method not allowed.\n");
    return 405;
  }
  if (path == "/" || path == "/app" || path == "/portal") {
    res.redirect(path == "/portal" ? "/portal/" : "/app/", Poco::Net::HTTPResponse::HTTP_FOUND);
    return 302;
  }
  // A firm's portal address, /portal/<slug> or /portal/<slug>/: the same portal page, which
  // reads the slug from the address (web/portal/js/main.js). The portal's own folders (css, js)
  // keep their meaning; a slug is 2-63 lower-case letters, digits and '-'.
  if (path.rfind("/portal/", 0) == 0) {
    std::string slug = path.substr(8);
    if (!slug.empty() && slug.back() == '/') slug.pop_back();
    bool isSlug = slug.size() >= 2 && slug.size() <= 63 && slug.front() != '-';
    for (char ch : slug) isSlug = isSlug && ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-');
    std::error_code ec;
    if (isSlug && !fs::exists(fs::path(root_) / "portal" / slug, ec))
      return serveFile(root_, "portal/index.html", req, res, false, false);
  }
  return serveFile(root_, path.substr(1), req, res, false, true);
}

int StaticFiles::serveFile(const std::string& root, const std::string& rel, Poco::Net::HTTPServerRequest& req,
                           Poco::Net::HTTPServerResponse& res, bool privateCache, bool directoryIndex) {
  if (req.getMethod() != "GET" && req.getMethod() != "HEAD") {
    res.set("Allow", "GET, HEAD");
    sendText(res, 405, "Method not allowed.\n");
    return 405;
  }
  // Refuse anything that could climb out of the web root before touching the file system.
  for (const auto& seg : Router::split("/" + rel))
    if (seg == ".." || seg == "." || seg.find('\\') != std::string::npos || seg.find('\0') != std::string::npos ||
        (!seg.empty() && seg[0] == '.')) {
      sendText(res, 404, "Not found.\n");
      return 404;
    }
  fs::path file = fs::path(root) / rel;
  std::error_code ec;
  if (fs::is_directory(file, ec)) {
    if (!directoryIndex) {
      sendText(res, 404, "Not found.\n");
      return 404;
    }
    file /= "index.html";
  }
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    sendText(res, 404, "Not found.\n");
    return 404;
  }
  // The canonical path must still be inside the canonical root (symlinks included).
  const auto canon = fs::weakly_canonical(file, ec).string();
  const auto rootCanon = fs::weakly_canonical(root, ec).string();
  if (canon.compare(0, rootCanon.size() + 1, rootCanon + "/") != 0) {
    sendText(res, 404, "Not found.\n");
    return 404;
  }
  const std::string etag = "\"" + std::to_string(st.st_mtime) + "-" + std::to_string(st.st_size) + "\"";
  res.set("ETag", etag);
  // No build step means no content-hashed names: revalidate every time (cheap 304s).
  res.set("Cache-Control", privateCache ? "private, no-cache" : "no-cache");
  if (privateCache) res.set("Vary", "Cookie");
  if (req.get("If-None-Match", "") == etag) {
    res.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NOT_MODIFIED);
    res.setContentLength(0);
    res.send();
    return 304;
  }
  std::ifstream in(file, std::ios::binary);
  res.setContentType(contentType(file.string()));
  res.setContentLength(static_cast<std::streamsize>(st.st_size));
  auto& out = res.send();
  if (req.getMethod() == "GET") out << in.rdbuf();
  return 200;
}

}  // namespace lexos::core
