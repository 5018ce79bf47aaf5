#include "app/setup.h"

#include <Poco/Logger.h>

#include "app/host.h"
#include "common/time.h"
#include "http/request_context.h"

namespace lexos::core {

void announceSetupIfNeeded(Host& host) {
  auto c = host.pool().acquire();
  auto firms = c->query("SELECT count(*) FROM firms", {});
  if (sdk::asInt(firms.rows.at(0).at(0)) > 0) return;
  const std::string token = Guard::randomToken(32);
  c->begin(true);
  c->execute("INSERT INTO setup_tokens (token_hash, expires_at) VALUES ($1, $2)",
             {Guard::hashToken(token), utcTimestamp(24 * 3600)});
  c->commit();
  Poco::Logger::get("lexosd").notice(
      "No firm exists yet. Create the first firm and its owner within 24 hours at:\n    " +
      host.config().public_url + "/app/#/setup/" + token +
      "\n  (or from a shell: lexosctl firm create --slug SLUG --name NAME; lexosctl user create ...)");
}

}  // namespace lexos::core
