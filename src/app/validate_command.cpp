// regpoll validate: load → validate → compile, print the plan or every error (exit 2).
#include <iostream>

#include "app/commands.hpp"
#include "app/plan_report.hpp"
#include "app/session.hpp"
#include "profile/site_config.hpp"

namespace regpoll::app {

int run_validate(const ValidateArgs& a) {
    profile::ProfileLibrary library;
    auto loaded = profile::load_site_config(a.config, library);
    for (const auto& w : loaded.diagnostics.warnings()) std::cerr << "warning: " << w << "\n";
    if (!loaded.config) {
        for (const auto& e : loaded.diagnostics.errors()) std::cerr << e << "\n";
        std::cerr << "regpoll: " << loaded.diagnostics.errors().size() << " error"
                  << (loaded.diagnostics.errors().size() == 1 ? "" : "s") << " in " << a.config << "\n";
        return exit_usage;
    }
    auto report = plan_report(*loaded.config, true);
    if (!a.quiet) {
        for (const auto& line : report.lines) std::cout << line << "\n";
    }
    for (const auto& w : report.warnings) std::cerr << "warning: " << w << "\n";
    if (!a.quiet) std::cout << a.config << ": OK\n";
    return exit_ok;
}

}  // namespace regpoll::app
