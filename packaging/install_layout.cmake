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
# One work file per prefix, so installs to different prefixes do not share it.
string(MD5 regpoll_prefix_hash "${CMAKE_INSTALL_PREFIX}")
set(regpoll_unit "${REGPOLL_UNIT_WORK_DIR}/${regpoll_prefix_hash}/regpoll.service")
configure_file("${REGPOLL_UNIT_TEMPLATE}" "${regpoll_unit}" @ONLY)
file(INSTALL DESTINATION "${CMAKE_INSTALL_PREFIX}/${REGPOLL_SYSTEMD_UNIT_DIR}" TYPE FILE
  FILES "${regpoll_unit}")
