#pragma once
// Serves the static web apps: /app/... from <web.dir>/app, /portal/... from <web.dir>/portal.
// No directory listings, no path traversal, ETag revalidation. Plugins' assets (/plugins/<id>/)
// go through serveFile() after the dispatcher checked the session and the firm's module switch.

#include <string>

namespace Poco::Net {
class HTTPServerRequest;
class HTTPServerResponse;
}  // namespace Poco::Net

namespace lexos::core {

class StaticFiles {
 public:
  explicit StaticFiles(std::string webDir);
  /// True when `path` (decoded) is one this class serves (/, /app..., /portal...).
  static bool handles(const std::string& path);
  /// Answers the request; returns the status sent.
  int serve(const std::string& path, Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res);
  /// Serves the file `rel` ("a/b.js", decoded) found under the folder `root`: GET and HEAD only,
  /// no listing, nothing outside the canonical `root` (symlinks resolved), ETag revalidation.
  /// `privateCache`: the answer depends on the session (plugin assets), so shared caches must
  /// not keep it. Returns the status sent.
  static int serveFile(const std::string& root, const std::string& rel, Poco::Net::HTTPServerRequest& req,
                       Poco::Net::HTTPServerResponse& res, bool privateCache, bool directoryIndex);
  /// Content type for a file name.
  static std::string contentType(const std::string& file);

 private:
  std::string root_;
};

}  // namespace lexos::core
