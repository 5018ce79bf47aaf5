// The rules of practice areas (plugins/cases/practice_areas.cpp): reading a phase list, keys made
// from labels, the templates, the progress of a phase. Compiled into unit_tests with the source.
#include <catch2/catch.hpp>

#include "cases/practice_areas.h"

namespace sdk = lexos::sdk;
using namespace lexos::cases;

namespace {

std::vector<AreaPhase> read(const std::string& json) {
  const auto o = sdk::JsonObject::parse(json, {"phases"});
  return readAreaPhases(o["phases"]);
}

// The field a refused list names ("" when it was accepted).
std::string refusedField(const std::string& json) {
  try {
    read(json);
  } catch (const sdk::BadRequest& e) {
    return e.field();
  }
  return "";
}

}  // namespace

TEST_CASE("a phase list is read in order with keys made from the labels") {
  const auto p = read(R"({"phases":[{"label":"Getting started","builtin_phase":"intake"},)"
                      R"({"label":"Drafting","key":"draft","builtin_phase":"active"},{"label":"Done!","builtin_phase":"closed"}]})");
  REQUIRE(p.size() == 3);
  CHECK(p[0].key == "getting_started");
  CHECK(p[0].label == "Getting started");
  CHECK(p[1].key == "draft");
  CHECK(p[1].builtin == "active");
  CHECK(p[2].key == "done");
}

TEST_CASE("a phase list naming a phase badly is refused naming the field") {
  CHECK(refusedField(R"({})") == "phases");
  CHECK(refusedField(R"({"phases":[]})") == "phases");
  CHECK(refusedField(R"({"phases":"intake"})") == "phases");
  CHECK(refusedField(R"({"phases":[{"label":"A","builtin_phase":"appeal"}]})") == "phases[0].builtin_phase");
  CHECK(refusedField(R"({"phases":[{"label":"A"}]})") == "phases[0].builtin_phase");
  CHECK(refusedField(R"({"phases":[{"label":"","builtin_phase":"intake"}]})") == "phases[0].label");
  CHECK(refusedField(R"({"phases":[{"label":"A","builtin_phase":"intake","colour":"red"}]})") == "phases[0].colour");
  CHECK(refusedField(R"({"phases":[{"label":"A","key":"Bad Key","builtin_phase":"intake"}]})") == "phases[0].key");
  CHECK(refusedField(R"({"phases":[{"label":"A","builtin_phase":"intake"},{"label":"a","key":"b","builtin_phase":"active"}]})") ==
        "phases[1].label");
  CHECK(refusedField(R"({"phases":[{"label":"A","builtin_phase":"intake"},{"label":"B","key":"a","builtin_phase":"active"}]})") ==
        "phases[1].key");
  std::string thirteen = R"({"phases":[)";
  for (int i = 0; i < 13; ++i) thirteen += std::string(i ? "," : "") + R"({"label":"P)" + std::to_string(i) + R"(","builtin_phase":"active"})";
  CHECK(refusedField(thirteen + "]}") == "phases");
  CHECK(refusedField(R"({"phases":[{"label":"!!!","builtin_phase":"intake"}]})") == "phases[0].label");
  CHECK(refusedField(R"({"phases":[{"label":"A","builtin_phase":"intake"}]})").empty());
}

TEST_CASE("phase keys are lower-case words joined by underscores") {
  CHECK(phaseKeyFromLabel("Pre-trial motions") == "pre_trial_motions");
  CHECK(phaseKeyFromLabel("  Review  ") == "review");
  CHECK(phaseKeyFromLabel("2nd review") == "p_2nd_review");
  CHECK(phaseKeyFromLabel("\xc3\x89tude") == "tude");
  CHECK(phaseKeyFromLabel("!!!").empty());
  CHECK(isPhaseKey("due_diligence"));
  CHECK_FALSE(isPhaseKey("Due"));
  CHECK_FALSE(isPhaseKey("_x"));
  CHECK_FALSE(isPhaseKey(std::string(31, 'a')));
}

TEST_CASE("every template maps each phase to a built-in phase and ends closed, and estate planning has no trial") {
  REQUIRE(areaTemplates().size() >= 5);
  for (const auto& t : areaTemplates()) {
    INFO(t.id);
    REQUIRE(!t.phases.empty());
    CHECK(t.phases.back().builtin == "closed");
    for (const auto& p : t.phases) {
      CHECK(isBuiltinPhase(p.builtin));
      CHECK(isPhaseKey(p.key));
    }
  }
  const AreaTemplate* estate = findAreaTemplate("estate_planning");
  REQUIRE(estate);
  for (const auto& p : estate->phases) {
    CHECK(p.key != "trial");
    CHECK(p.builtin != "trial");
  }
  CHECK(findAreaTemplate("space_law") == nullptr);
}

TEST_CASE("a phase's progress runs in even steps to 100 and a closed phase is always 100") {
  CHECK(areaProgressPercent(0, 4, "intake") == 25);
  CHECK(areaProgressPercent(1, 6, "active") == 33);
  CHECK(areaProgressPercent(3, 4, "closed") == 100);
  CHECK(areaProgressPercent(1, 4, "closed") == 100);
  CHECK(areaProgressPercent(5, 4, "active") == 0);
}
