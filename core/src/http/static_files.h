#pragma once
// Serves the static web apps: /app/... from <web.dir>/app, /portal/... from <web.dir>/portal.
// No directory listings, no path traversal, ETag revalidation.

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
  /// Content type for a file name.
  static std::string contentType(const std::string& file);

 private:
  std::string root_;
};

}  // namespace lexos::core
