#pragma once
// The billing module's screens (web/, served at /plugins/billing/; docs/web-kit.md): navigation,
// views and the cards it contributes to other modules' pages, in both apps.

#include "lexos/sdk/registrar.h"

namespace lexos::billing {

/// Declares the module's navigation entries, views and contributions.
void registerScreens(sdk::Registrar& r);

}  // namespace lexos::billing
