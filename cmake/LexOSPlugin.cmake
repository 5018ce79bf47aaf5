# lexos_add_plugin(<target> ID <id> SOURCES <src>... [LIBRARIES <lib>...] [WEB <dir>]
#                  [OUTPUT_DIRECTORY <dir>] [INSTALL_DIR <dir>] [WEB_INSTALL_DIR <dir>] [NO_INSTALL])
#
# Builds a LexOS plugin: a MODULE library named <id>.so, hidden visibility (only the gate is
# exported), -Wl,--no-undefined so that a missing library fails the build rather than the
# load, linked against LexOS::sdk, optimised (-O2) when no build type is chosen. Installs it
# into the plugin directory unless NO_INSTALL.
#
# WEB <dir>: the plugin's screens (ES modules, CSS, images; SDK 1.2 views and contributions).
# Installed into <WEB_INSTALL_DIR>/<id>/ (default: the web/plugins folder of the LexOS install
# the SDK came from, which lexosd serves at /plugins/<id>/). Inside the LexOS source tree the
# folder is also linked as <plugin output dir>/web/<id> so that a development lexosd (etc/lexos.ini,
# web.plugins_dir = ../build/plugins/web) serves the sources as they are edited.
include_guard(GLOBAL)

function(lexos_add_plugin target)
  cmake_parse_arguments(P "NO_INSTALL" "ID;OUTPUT_DIRECTORY;INSTALL_DIR;WEB;WEB_INSTALL_DIR" "SOURCES;LIBRARIES" ${ARGN})
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
  if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
    target_compile_options(${target} PRIVATE -O2)  # a plugin runs on every request: never -O0 by accident
  endif()
  if(P_WEB)
    get_filename_component(_web "${P_WEB}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    if(NOT IS_DIRECTORY "${_web}")
      message(FATAL_ERROR "lexos_add_plugin(${target}): WEB folder '${_web}' does not exist")
    endif()
    set(_out "${P_OUTPUT_DIRECTORY}")
    if(NOT _out AND DEFINED LEXOS_PLUGIN_OUTPUT_DIR)
      set(_out "${LEXOS_PLUGIN_OUTPUT_DIR}")
    endif()
    if(_out)
      file(MAKE_DIRECTORY "${_out}/web")
      file(CREATE_LINK "${_web}" "${_out}/web/${P_ID}" SYMBOLIC)
    endif()
  endif()
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
    if(P_WEB)
      set(_webdest "${P_WEB_INSTALL_DIR}")
      if(NOT _webdest AND DEFINED LEXOS_WEB_PLUGINS_INSTALL_DIR)
        set(_webdest "${LEXOS_WEB_PLUGINS_INSTALL_DIR}")
      endif()
      if(_webdest)
        install(DIRECTORY "${_web}/" DESTINATION "${_webdest}/${P_ID}")
      endif()
    endif()
  endif()
endfunction()
