// Refuses to load by throwing from registerWith.
#include <stdexcept>

#include "lexos/sdk/lexos.h"

using namespace lexos::sdk;

class Throws : public Plugin {
 public:
  void registerWith(Registrar&) override { throw std::runtime_error("missing setting plugin.throwsreg.key"); }
};

LEXOS_PLUGIN(Throws, "throwsreg", "1.0")
