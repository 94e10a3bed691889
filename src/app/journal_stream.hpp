#pragma once
// Whether stderr goes straight to systemd's journal, and the log format for it. systemd sets
// $JOURNAL_STREAM to "<device>:<inode>" of the stream it connects to stdout/stderr; the
// journal then reads a "<N>" prefix on each line as the syslog priority N (sd-daemon(3)).
// Matching the device and inode, not only the variable's presence, keeps a child that
// inherited the variable but writes elsewhere (a pipe, a file) on the ordinary format.
#include <string_view>

namespace regpoll::app {

// True when $JOURNAL_STREAM names the file stderr is open on. Read once, then cached.
bool stderr_is_journal();

// "<3>" for errors, "<4>" warnings, "<6>" info, "<7>" debug and trace: the prefix a line
// of that spdlog level name carries in the journal.
std::string_view journal_priority_prefix(std::string_view level_name);

}  // namespace regpoll::app
