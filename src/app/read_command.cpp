// regpoll read: one-shot typed read with optional JSON output and frame dumps.
#include <algorithm>
#include <iostream>

#include <nlohmann/json.hpp>

#include "app/commands.hpp"
#include "app/format_args.hpp"
#include "app/read_items.hpp"
#include "app/session.hpp"
#include "poll/value_json.hpp"
#include "codec/types.hpp"
#include "codec/value_codec.hpp"

namespace regpoll::app {

int run_read(const ReadArgs& a) {
    auto kind = register_kind_arg(a.register_kind);
    if (!kind) return exit_usage;
    auto format = format_from_args({a.type, a.order, a.scale, a.offset, a.length, a.byte}, *kind);
    if (!format) return exit_usage;
    if (a.address < 0 || a.address > 65535) {
        print_error("--address " + std::to_string(a.address) + " is out of range (0-65535)");
        return exit_usage;
    }
    if (a.count < 1) {
        print_error("--count must be at least 1");
        return exit_usage;
    }
    const std::size_t per_value = modbus::is_bit_kind(*kind) ? 1 : codec::register_count(*format);
    if (per_value == 0 || per_value > modbus::max_read_registers) {
        print_error("--length must be 1-125 registers for strings");
        return exit_usage;
    }
    const std::size_t total = per_value * static_cast<std::size_t>(a.count);
    if (a.address + total > 65536) {
        print_error("--address " + std::to_string(a.address) + " + " + std::to_string(total) +
                    " items runs past address 65535");
        return exit_usage;
    }
    auto session = Session::open(a.link);
    if (!session) return exit_usage;

    auto result = read_items(*session, *kind, static_cast<std::uint32_t>(a.address), total, per_value);
    if (!result) return exit_failure;

    std::vector<codec::Value> values;
    values.reserve(static_cast<std::size_t>(a.count));
    for (std::size_t i = 0; i < static_cast<std::size_t>(a.count); ++i) {
        if (modbus::is_bit_kind(*kind)) {
            values.emplace_back(static_cast<bool>(result->bits[i]));
            continue;
        }
        auto words = std::span<const std::uint16_t>(result->registers).subspan(i * per_value, per_value);
        auto value = codec::decode(words, *format);
        if (!value) {
            print_error("value at address " + std::to_string(a.address + i * per_value) + ": " +
                        value.error());
            return exit_failure;
        }
        values.push_back(std::move(*value));
    }

    if (a.json) {
        nlohmann::ordered_json out;
        out["unit"] = session->unit();
        out["register"] = modbus::register_kind_name(*kind);
        out["address"] = a.address;
        out["type"] = codec::type_name(format->type);
        auto& list = out["values"] = nlohmann::ordered_json::array();
        for (const auto& v : values) list.push_back(poll::value_to_json(v));
        auto& raw = out["raw"] = nlohmann::ordered_json::array();
        if (modbus::is_bit_kind(*kind)) {
            for (bool b : result->bits) raw.push_back(b ? 1 : 0);
        } else {
            for (auto r : result->registers) raw.push_back(r);
        }
        std::cout << out.dump() << "\n";
    } else {
        for (std::size_t i = 0; i < values.size(); ++i) {
            std::cout << a.address + i * per_value << ": " << codec::format_value(values[i]) << "\n";
        }
    }
    return exit_ok;
}

}  // namespace regpoll::app
