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

/// Stops the cluster's server the way `pg_ctl stop -m fast` does (every connection is ended),
/// keeping its data; pgClusterResume() starts it again on the same port. For fault tests.
/// Both throw std::runtime_error when pg_ctl fails.
void pgClusterHalt();
void pgClusterResume();

}  // namespace lexos::test
