// Claims an ABI this host does not run in its gate, while its LexOS note is right: the note
// check passes, and the gate check (the second one, after dlopen) must refuse it before the
// host calls any C++ of it.
#include "lexos/sdk/lexos.h"

static void* createNothing() { return nullptr; }

LEXOS_PLUGIN_NOTE("badabi");

LEXOS_SDK_EXPORT const LexosPluginGate* lexos_plugin_gate() {
  static const LexosPluginGate gate = {LEXOS_PLUGIN_MAGIC,
                                       sizeof(LexosPluginGate),
                                       99,
                                       0,
                                       "badabi",
                                       "1.0",
                                       "99.0.0",
                                       LEXOS_SDK_COMPILER,
                                       LEXOS_SDK_STDLIB,
                                       &createNothing};
  return &gate;
}
