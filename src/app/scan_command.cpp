// regpoll scan: which unit ids answer on a bus, and who they are (FC43/14 when supported).
// An exception reply counts as present (the device is there, it just lacks the register),
// except a gateway's exceptions 10 and 11, which say the unit behind it is absent.
#include <iostream>

#include <nlohmann/json.hpp>

#include "app/basic_identification.hpp"
#include "app/commands.hpp"
#include "app/session.hpp"
#include "app/unit_list.hpp"
#include "common/duration.hpp"
#include "modbus/error.hpp"

namespace regpoll::app {
namespace {

struct Found {
    int unit;
    std::string answer;  // "ok" or the exception
    BasicIdentification id;
};

}  // namespace

int run_scan(const ScanArgs& a) {
    auto units = parse_units(a.units);
    if (!units) return exit_usage;
    auto kind = register_kind_arg(a.register_kind);
    if (!kind) return exit_usage;
    if (a.address < 0 || a.address > 65535) {
        print_error("--address " + std::to_string(a.address) + " is out of range (0-65535)");
        return exit_usage;
    }
    auto session = Session::open(a.link);
    if (!session) return exit_usage;
    auto probe = modbus::make_read_request(modbus::read_function(*kind), static_cast<std::uint16_t>(a.address), 1);

    std::vector<Found> found;
    bool identification_timed_out = false;
    for (int unit : *units) {
        session->set_unit(static_cast<std::uint8_t>(unit));
        auto response = session->transact(*probe);
        std::error_code ec = response ? modbus::check_response(*probe, *response) : response.error();
        // A device still busy with an identification it never answered may drop what comes
        // next (libmodbus's test server flushes its input): a probe lost right after one is
        // asked once more before the unit is called absent.
        if (ec == modbus::Errc::timeout && identification_timed_out) {
            if (a.link.debug) std::cerr << "unit " << unit << ": timeout right after an identification timeout; asking again\n";
            response = session->transact(*probe);
            ec = response ? modbus::check_response(*probe, *response) : response.error();
        }
        identification_timed_out = false;
        // A gateway's "target failed / path unavailable" says the unit is NOT there.
        const bool gateway_absent = ec == modbus::Errc::gateway_target_failed ||
                                    ec == modbus::Errc::gateway_path_unavailable;
        if (ec && (!modbus::is_exception(ec) || gateway_absent)) {
            if (modbus::policy_of(ec) == modbus::Policy::device_down && ec != modbus::Errc::timeout &&
                !gateway_absent) {
                // The bus itself is unreachable (refused, reset): no point asking other units.
                print_error(session->describe(ec));
                return exit_failure;
            }
            if (a.link.debug) std::cerr << "unit " << unit << ": " << session->describe(ec) << "\n";
            continue;
        }
        Found f{unit, ec ? ec.message() : "ok", {}};
        if (a.identify) {
            f.id = read_basic_identification(*session);
            identification_timed_out = f.id.timed_out;
        }
        if (!a.json) {
            std::cout << "unit " << unit << ": present (" << f.answer << ")";
            if (!f.id.empty()) {
                std::cout << ", vendor \"" << f.id.vendor << "\", product \"" << f.id.product_code
                          << "\", revision \"" << f.id.revision << "\"";
            }
            if (f.id.timed_out) std::cout << ", identification (FC43) timed out";
            std::cout << std::endl;
        }
        found.push_back(std::move(f));
    }
    if (a.json) {
        nlohmann::ordered_json out;
        auto& list = out["units"] = nlohmann::ordered_json::array();
        for (const auto& f : found) {
            nlohmann::ordered_json item;
            item["unit"] = f.unit;
            item["answer"] = f.answer;
            if (!f.id.vendor.empty()) item["vendor"] = f.id.vendor;
            if (!f.id.product_code.empty()) item["product_code"] = f.id.product_code;
            if (!f.id.revision.empty()) item["revision"] = f.id.revision;
            if (f.id.timed_out) item["identification"] = "timed out";
            list.push_back(std::move(item));
        }
        std::cout << out.dump() << "\n";
    }
    if (found.empty()) {
        print_error("no unit answered among " + a.units + " (timeout " +
                    format_duration(session->timeout()) + " each)");
        return exit_failure;
    }
    return exit_ok;
}

}  // namespace regpoll::app
