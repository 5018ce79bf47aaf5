# lexos_add_plugin(<target> ID <id> SOURCES <src>... [LIBRARIES <lib>...]
#                  [OUTPUT_DIRECTORY <dir>] [INSTALL_DIR <dir>] [NO_INSTALL])
#
# Builds a LexOS plugin: a MODULE library named <id>.so, hidden visibility (only the gate is
# exported), -Wl,--no-undefined so that a missing library fails the build rather than the
# load, linked against LexOS::sdk. Installs it into the plugin directory unless NO_INSTALL.
include_guard(GLOBAL)

function(lexos_add_plugin target)
  cmake_parse_arguments(P "NO_INSTALL" "ID;OUTPUT_DIRECTORY;INSTALL_DIR" "SOURCES;LIBRARIES" ${ARGN})
  if(NOT P_ID)
    message(FATAL_ERROR "lexos_add_plugin(${target}): ID is required")
  endif()
  if(NOT P_ID MATCHES "^[a-z][a-z0-9_-]*$")
    message(FATAL_ERROR "lexos_add_plugin(${target}): ID '${P_ID}' must match [a-z][a-z0-9_-]*")
  endif()
  add_library(${target} MODULE ${P_SOURCES})
  target_link_libraries(${target} PRIVATE LexOS::sdk ${P_LIBRARIES})
  target_compile_features(${target} PRIVATE cxx_std_17)
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    OUTPUT_NAME ${P_ID}
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  target_link_options(${target} PRIVATE -Wl,--no-undefined)
  if(P_OUTPUT_DIRECTORY)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${P_OUTPUT_DIRECTORY})
  elseif(DEFINED LEXOS_PLUGIN_OUTPUT_DIR)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${LEXOS_PLUGIN_OUTPUT_DIR})
  endif()
  if(NOT P_NO_INSTALL)
    if(P_INSTALL_DIR)
      install(TARGETS ${target} LIBRARY DESTINATION ${P_INSTALL_DIR})
    elseif(DEFINED LEXOS_PLUGIN_INSTALL_DIR)
      install(TARGETS ${target} LIBRARY DESTINATION ${LEXOS_PLUGIN_INSTALL_DIR})
    endif()
  endif()
endfunction()
