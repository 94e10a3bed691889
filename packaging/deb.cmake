# The Debian package, built from an install with the prefix /usr:
#   cpack -G DEB --config <build>/CPackConfig.cmake    (scripts/build-release.sh does it)
# Its dependencies come from the binary's shared libraries (dpkg-shlibdeps); the maintainer
# scripts in packaging/debian create the service user and tell systemd about the unit.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME regpoll)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "regpoll developers <regpoll@users.noreply.github.com>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Modbus poller: devices to MQTT, Home Assistant, Domoticz and SQLite")
# Lines of at most 79 columns (lintian: extended-description-line-too-long); CPack indents them.
set(CPACK_PACKAGE_DESCRIPTION "regpoll polls Modbus devices (inverters, meters, PLCs) over TCP and
serial lines using JSON device profiles, and publishes the values to MQTT
(plain topics, Domoticz, Home Assistant discovery) and a local SQLite history.
Runs as the systemd service regpoll.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Opened at run time by the PostgreSQL sink (not linked, so dpkg-shlibdeps cannot see it).
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libpq5")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "mosquitto")
# Install with DESTDIR and the real prefix, so /etc/regpoll lands in /etc.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${CMAKE_CURRENT_SOURCE_DIR}/debian/postinst
  ${CMAKE_CURRENT_SOURCE_DIR}/debian/prerm
  ${CMAKE_CURRENT_SOURCE_DIR}/debian/postrm
  ${CMAKE_CURRENT_SOURCE_DIR}/debian/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
