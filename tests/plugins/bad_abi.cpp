// Claims an ABI this host does not run: the loader must refuse before calling any C++.
#include "lexos/sdk/lexos.h"

static void* createNothing() { return nullptr; }

LEXOS_SDK_EXPORT const LexosPluginGate* lexos_plugin_gate() {
  static const LexosPluginGate gate = {LEXOS_PLUGIN_MAGIC, sizeof(LexosPluginGate), 99, 0, "badabi", "1.0",
                                       "99.0.0", LEXOS_SDK_COMPILER, LEXOS_SDK_STDLIB, &createNothing};
  return &gate;
}
