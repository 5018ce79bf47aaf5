// A plugin whose static constructor leaves a mark: it appends its id to the file named by the
// environment variable LEXOS_TEST_CTOR_MARK, which the test checks. Built three times:
//   ctormark    a good plugin (the mark appears when it is loaded: the mark works);
//   ctorbadabi  its LexOS note claims ABI major 99 (LEXOS_TEST_ONLY_NOTE_ABI_MAJOR), its gate
//               is right: only the check before dlopen can refuse it without the mark;
//   ctornonote  no LexOS note, as a plugin built against an SDK before 1.2 (a hand-written
//               gate, CTOR_MARK_NO_NOTE), otherwise good.
#include <cstdio>
#include <cstdlib>

#include "lexos/sdk/lexos.h"

#ifndef CTOR_MARK_ID
#error "CTOR_MARK_ID must name the plugin id"
#endif

namespace {

struct Mark {
  Mark() {
    const char* file = std::getenv("LEXOS_TEST_CTOR_MARK");
    if (!file) return;
    if (std::FILE* f = std::fopen(file, "a")) {
      std::fputs(CTOR_MARK_ID "\n", f);
      std::fclose(f);
    }
  }
};
const Mark mark;

class CtorMark : public lexos::sdk::Plugin {
 public:
  void registerWith(lexos::sdk::Registrar&) override {}
};

}  // namespace

#ifdef CTOR_MARK_NO_NOTE
static void* createCtorMark() { return static_cast<lexos::sdk::Plugin*>(new CtorMark()); }
LEXOS_SDK_EXPORT const LexosPluginGate* lexos_plugin_gate() {
  static const LexosPluginGate gate = {LEXOS_PLUGIN_MAGIC,  sizeof(LexosPluginGate),
                                       LEXOS_SDK_ABI_MAJOR, LEXOS_SDK_ABI_MINOR,
                                       CTOR_MARK_ID,        "1.0",
                                       LEXOS_SDK_VERSION,   LEXOS_SDK_COMPILER,
                                       LEXOS_SDK_STDLIB,    &createCtorMark};
  return &gate;
}
#else
LEXOS_PLUGIN(CtorMark, CTOR_MARK_ID, "1.0")
#endif
