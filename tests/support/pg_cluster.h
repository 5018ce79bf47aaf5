#pragma once
// A throwaway PostgreSQL cluster for one test process (tests/support/pg-cluster.sh).
#include <string>

namespace lexos::test {

struct PgUrls {
  std::string runtime;  ///< lexos_app: no superuser, no BYPASSRLS, owns nothing
  std::string owner;    ///< lexos_owner: owns the schema, runs migrations
};

/// Starts the cluster on first use (about a second) and stops it at process exit.
const PgUrls& pgCluster();

}  // namespace lexos::test
