#pragma once
/// @file lexos.h
/// Umbrella header of the LexOS plugin SDK: include this one.
///
/// The interfaces (context.h, registrar.h, ...) are what crosses the plugin boundary. The
/// toolbox (builders.h, json.h, json_fields.h, params.h, lists.h) is header-only help built on
/// them: JSON in and out, parameters, list answers, route/table/migration builders. It is
/// compiled into each plugin and changes no ABI.
#include "lexos/sdk/builders.h"
#include "lexos/sdk/context.h"
#include "lexos/sdk/db.h"
#include "lexos/sdk/errors.h"
#include "lexos/sdk/gate.h"
#include "lexos/sdk/http.h"
#include "lexos/sdk/identity.h"
#include "lexos/sdk/json.h"
#include "lexos/sdk/json_fields.h"
#include "lexos/sdk/lists.h"
#include "lexos/sdk/params.h"
#include "lexos/sdk/plugin.h"
#include "lexos/sdk/principal.h"
#include "lexos/sdk/registrar.h"
#include "lexos/sdk/schema.h"
#include "lexos/sdk/vault.h"
#include "lexos/sdk/version.h"
