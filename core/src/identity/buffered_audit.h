#pragma once
// The SDK's Audit for one request: events held until the host writes them into the audit log
// (AuditLog, identity/audit_log.h) inside the request's transaction.

#include <string>
#include <vector>

#include "lexos/sdk/context.h"

namespace lexos::core {

/// Audit events buffered by a request; written by the host (see AuditLog).
class BufferedAudit : public sdk::Audit {
 public:
  struct Event {
    std::string action, object_type, object_id, detail;
  };
  void record(const std::string& action, const std::string& object_type, const std::string& object_id,
              const std::string& detail) override {
    events.push_back({action, object_type, object_id, detail});
  }
  std::vector<Event> events;
};

}  // namespace lexos::core
