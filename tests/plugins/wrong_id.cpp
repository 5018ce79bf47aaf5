// Built as wrongid.so but says it is "someoneelse".
#include "lexos/sdk/lexos.h"

using namespace lexos::sdk;

class WrongId : public Plugin {
 public:
  void registerWith(Registrar&) override {}
};

LEXOS_PLUGIN(WrongId, "someoneelse", "1.0")
