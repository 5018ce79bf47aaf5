# Debian packages with CPack (docs/packaging.md):
#   cmake --build build && (cd build && cpack -G DEB)
# gives build/lexos_<version>_amd64.deb (install component `server`: lexosd, lexosctl, the
# bundled plugins, the web apps, /etc/lexos/lexos.ini as a conffile, the systemd unit) and
# build/lexos-dev_<version>_all.deb (component `sdk`: the plugin SDK's headers, CMake package,
# guide and examples). The package's paths are the FHS ones of cmake/InstallConfig.cmake for
# the prefix /usr. tests/package/deb_test.sh builds both, runs lintian and installs them into a
# fresh Debian 12 root.

set(LEXOS_DEB_DIR ${CMAKE_CURRENT_SOURCE_DIR}/packaging/debian)

# Every Debian package carries its copyright file and changelog in /usr/share/doc/<package>/.
# The changelog is compressed at configure time, reproducibly (gzip -n: no name, no time).
find_program(LEXOS_GZIP gzip REQUIRED)
execute_process(COMMAND ${LEXOS_GZIP} -9nc ${LEXOS_DEB_DIR}/changelog
                OUTPUT_FILE ${CMAKE_BINARY_DIR}/changelog.gz RESULT_VARIABLE _gz)
if(NOT _gz EQUAL 0)
  message(FATAL_ERROR "could not compress ${LEXOS_DEB_DIR}/changelog")
endif()
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${LEXOS_DEB_DIR}/changelog)
install(FILES ${LEXOS_DEB_DIR}/copyright ${CMAKE_BINARY_DIR}/changelog.gz
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/lexos COMPONENT server)
install(FILES ${LEXOS_DEB_DIR}/copyright ${CMAKE_BINARY_DIR}/changelog.gz
        DESTINATION ${LEXOS_SDK_DOCDIR} COMPONENT sdk)

# Manual pages for lexosd(8) and lexosctl(8), made from their --help by help2man (Debian
# help2man) with the extra sections in packaging/man/, so they never drift from the programs.
find_program(LEXOS_HELP2MAN help2man)
if(LEXOS_HELP2MAN AND TARGET lexosd AND TARGET lexosctl)
  set(_pages "")
  foreach(_tool lexosd lexosctl)
    set(_page ${CMAKE_BINARY_DIR}/man/${_tool}.8.gz)
    add_custom_command(OUTPUT ${_page}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
      COMMAND sh -c "\"$0\" --no-info --section=8 --include=\"$1\" \"$2\" | gzip -9n > \"$3\""
              ${LEXOS_HELP2MAN} ${LEXOS_DEB_DIR}/../man/${_tool}.h2m $<TARGET_FILE:${_tool}> ${_page}
      DEPENDS ${_tool} ${LEXOS_DEB_DIR}/../man/${_tool}.h2m
      COMMENT "Manual page ${_tool}(8)" VERBATIM)
    list(APPEND _pages ${_page})
  endforeach()
  add_custom_target(lexos_manpages ALL DEPENDS ${_pages})
  install(FILES ${_pages} DESTINATION ${CMAKE_INSTALL_MANDIR}/man8 COMPONENT server)
else()
  message(STATUS "help2man not found: no manual pages (scripts/deps.sh installs it)")
endif()

# The changelog's first line names the version: the package must agree with it.
file(STRINGS ${LEXOS_DEB_DIR}/changelog _deb_head LIMIT_COUNT 1)
if(NOT _deb_head MATCHES "^lexos \\(${PROJECT_VERSION}\\) ")
  message(FATAL_ERROR "packaging/debian/changelog's first entry is not version ${PROJECT_VERSION} "
                      "(project(LexOS VERSION ...)); found: ${_deb_head}")
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME lexos)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "The LexOS developers")
set(CPACK_PACKAGE_CONTACT "LexOS developers <lexos@lexos.invalid>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)  # plain strip keeps the plugins' .note.lexos (docs/plugins-security.md)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL server sdk)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # <name>_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_RELEASE "")
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://lexos.invalid/")
set(CPACK_DEBIAN_PACKAGE_GENERATE_MD5SUMS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

# lexos: the server. Library dependencies come from dpkg-shlibdeps over every binary and plugin;
# the rest are what lexosd reads or runs at run time.
set(CPACK_DEBIAN_SERVER_PACKAGE_NAME lexos)
set(CPACK_DEBIAN_SERVER_PACKAGE_SECTION web)
set(CPACK_DEBIAN_SERVER_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_SERVER_PACKAGE_DEPENDS
    "adduser, init-system-helpers (>= 1.52), iso-codes, tzdata, libmagic-mgc")
set(CPACK_DEBIAN_SERVER_PACKAGE_RECOMMENDS "ca-certificates, systemd")
set(CPACK_DEBIAN_SERVER_PACKAGE_SUGGESTS "postgresql, postgresql-client")
set(CPACK_DEBIAN_SERVER_PACKAGE_CONTROL_EXTRA
    ${LEXOS_DEB_DIR}/conffiles ${LEXOS_DEB_DIR}/postinst ${LEXOS_DEB_DIR}/prerm ${LEXOS_DEB_DIR}/postrm)
# The synopsis, then the extended description: CPack indents each line by one space (a line
# of one "." is an empty line), so lines here start at the margin and stay under 80 columns.
set(CPACK_COMPONENT_SERVER_DESCRIPTION
    "legal practice management server with a client portal
LexOS keeps a law firm's clients, case files, schedules, secure messages,
documents, time and invoices, and gives each client a portal that shows only
their own records. Every firm is a tenant; isolation is enforced in the server
and again in the database (PostgreSQL row-level security, or its equivalent on
the embedded SQLite).
.
This package has the server lexosd (a systemd service), the administration
tool lexosctl, the bundled modules and the two web apps.")

# lexos-dev: the SDK (headers only, standard library only) for third-party plugins.
set(CPACK_DEBIAN_SDK_PACKAGE_NAME lexos-dev)
set(CPACK_DEBIAN_SDK_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_SDK_PACKAGE_ARCHITECTURE all)
set(CPACK_DEBIAN_SDK_PACKAGE_DEPENDS "lexos (= ${PROJECT_VERSION})")
set(CPACK_DEBIAN_SDK_PACKAGE_RECOMMENDS "cmake (>= 3.18), g++")
set(CPACK_COMPONENT_SDK_DESCRIPTION
    "plugin SDK for the LexOS legal practice management server
Headers, CMake package (find_package(LexOSSDK)) and examples to build modules
for LexOS as shared-library plugins against the SDK's stable interface.
Plugins are installed into /usr/lib/lexos/plugins.")

include(CPack)
