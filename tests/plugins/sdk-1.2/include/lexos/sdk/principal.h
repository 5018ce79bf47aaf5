#pragma once
/// @file principal.h
/// Who is making the request. Set by the host's guard from the session only, never from a
/// header, query or body. Plain data; copied freely.

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "lexos/sdk/version.h"

namespace lexos::sdk {
inline namespace v1 {

/// The kinds of principal. Operators act through lexosctl only and never reach a handler.
enum class PrincipalKind { Anonymous, Staff, Portal };

/// The staff roles every install knows. Plugins grant their permissions to these by default;
/// the role of every portal user is kRolePortal.
inline constexpr const char* kRoleOwner = "owner";
inline constexpr const char* kRoleAttorney = "attorney";
inline constexpr const char* kRoleParalegal = "paralegal";
inline constexpr const char* kRoleBilling = "billing";
inline constexpr const char* kRolePortal = "portal";

/// The authenticated (or anonymous) caller of a request.
struct Principal {
  PrincipalKind kind = PrincipalKind::Anonymous;
  std::int64_t user_id = 0;    ///< 0 for anonymous.
  std::int64_t firm_id = 0;    ///< The tenant; 0 for anonymous.
  std::int64_t client_id = 0;  ///< For portal users the client they belong to; else 0.
  std::string email;
  std::string display_name;
  std::vector<std::string> roles;        ///< Staff roles, or {"portal"}.
  std::vector<std::string> permissions;  ///< Effective permissions, sorted.

  /// True when the principal holds the permission.
  bool can(const std::string& permission) const {
    return std::binary_search(permissions.begin(), permissions.end(), permission);
  }
  bool isStaff() const { return kind == PrincipalKind::Staff; }
  bool isPortal() const { return kind == PrincipalKind::Portal; }
};

}  // namespace v1
}  // namespace lexos::sdk
