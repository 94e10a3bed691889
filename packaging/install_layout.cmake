# Runs at install time (cmake --install, CPack), when the prefix is known. GNUInstallDirs'
# rule: with the prefix /usr the configuration lives in /etc, otherwise in <prefix>/etc.
# file(INSTALL) adds $DESTDIR itself.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(regpoll_etc "/etc/regpoll")
else()
  set(regpoll_etc "${CMAKE_INSTALL_PREFIX}/etc/regpoll")
endif()
file(INSTALL DESTINATION "${regpoll_etc}" TYPE FILE FILES "${REGPOLL_SITE_CONFIG}")

set(REGPOLL_BINARY "${CMAKE_INSTALL_PREFIX}/${REGPOLL_BINDIR}/regpoll")
set(REGPOLL_CONFIG "${regpoll_etc}/regpoll.json")
set(REGPOLL_DOC_DIR "${CMAKE_INSTALL_PREFIX}/${REGPOLL_DOCDIR}")
# The units' shared part (user, folders, sandbox), without its trailing newline.
file(READ "${REGPOLL_UNIT_SOURCE_DIR}/service-sandbox.in" REGPOLL_SERVICE_SANDBOX)
string(STRIP "${REGPOLL_SERVICE_SANDBOX}" REGPOLL_SERVICE_SANDBOX)
# One work file per prefix, so installs to different prefixes do not share it.
string(MD5 regpoll_prefix_hash "${CMAKE_INSTALL_PREFIX}")
# regpoll.service, and the template regpoll@.service whose instance is a shard (regpoll@2-3).
foreach(regpoll_unit_name regpoll.service regpoll@.service)
  set(regpoll_unit "${REGPOLL_UNIT_WORK_DIR}/${regpoll_prefix_hash}/${regpoll_unit_name}")
  configure_file("${REGPOLL_UNIT_SOURCE_DIR}/${regpoll_unit_name}.in" "${regpoll_unit}" @ONLY)
  file(INSTALL DESTINATION "${CMAKE_INSTALL_PREFIX}/${REGPOLL_SYSTEMD_UNIT_DIR}" TYPE FILE
    FILES "${regpoll_unit}")
endforeach()
