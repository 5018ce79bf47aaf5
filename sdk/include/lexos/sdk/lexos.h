#pragma once
/// @file lexos.h
/// Umbrella header of the LexOS plugin SDK: include this one.
#include "lexos/sdk/context.h"
#include "lexos/sdk/db.h"
#include "lexos/sdk/errors.h"
#include "lexos/sdk/gate.h"
#include "lexos/sdk/http.h"
#include "lexos/sdk/identity.h"
#include "lexos/sdk/plugin.h"
#include "lexos/sdk/principal.h"
#include "lexos/sdk/registrar.h"
#include "lexos/sdk/version.h"
