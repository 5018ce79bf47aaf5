// An ordinary shared library: no LexOS gate.
extern "C" int just_a_function() { return 42; }
