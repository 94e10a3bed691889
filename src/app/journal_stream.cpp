#include "app/journal_stream.hpp"

#include <sys/stat.h>

#include <charconv>
#include <cstdlib>
#include <string>

namespace regpoll::app {

namespace {

bool check_stderr() {
    const char* value = std::getenv("JOURNAL_STREAM");
    if (!value) return false;
    const std::string_view text(value);
    const auto colon = text.find(':');
    if (colon == std::string_view::npos) return false;
    unsigned long long device = 0, inode = 0;
    const auto* dev_end = text.data() + colon;
    const auto* ino_end = text.data() + text.size();
    if (std::from_chars(text.data(), dev_end, device).ptr != dev_end) return false;
    if (std::from_chars(dev_end + 1, ino_end, inode).ptr != ino_end) return false;
    struct stat st {};
    if (::fstat(2, &st) != 0) return false;
    return static_cast<unsigned long long>(st.st_dev) == device &&
           static_cast<unsigned long long>(st.st_ino) == inode;
}

}  // namespace

bool stderr_is_journal() {
    static const bool journal = check_stderr();
    return journal;
}

std::string_view journal_priority_prefix(std::string_view level_name) {
    if (level_name == "critical") return "<2>";
    if (level_name == "error") return "<3>";
    if (level_name == "warning" || level_name == "warn") return "<4>";
    if (level_name == "info") return "<6>";
    return "<7>";
}

}  // namespace regpoll::app
