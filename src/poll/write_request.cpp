#include "poll/write_request.hpp"

#include <charconv>
#include <cmath>

#include <nlohmann/json.hpp>

#include "codec/value_codec.hpp"

namespace regpoll::poll {
namespace {

using profile::Point;

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string_view trim(std::string_view s) {
    const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!s.empty() && space(s.front())) s.remove_prefix(1);
    while (!s.empty() && space(s.back())) s.remove_suffix(1);
    return s;
}

bool is_bool_point(const Point& p) {
    return modbus::is_bit_kind(p.kind) || p.bit.has_value() ||
           p.format.type == codec::Type::boolean;
}

Expected<modbus::Pdu, std::string> message_of(Expected<modbus::Pdu> pdu) {
    if (!pdu) return Unexpected{pdu.error().message()};
    return std::move(*pdu);
}

std::optional<bool> parse_bool(std::string_view text) {
    const auto t = lower(text);
    if (t == "on" || t == "true" || t == "1") return true;
    if (t == "off" || t == "false" || t == "0") return false;
    return std::nullopt;
}

// The whole text as a number: integers exactly (so 64-bit values survive), others as double.
std::optional<codec::Value> parse_number(std::string_view text) {
    if (!text.empty() && text.front() == '+') text.remove_prefix(1);
    if (text.empty()) return std::nullopt;
    const char* first = text.data();
    const char* last = text.data() + text.size();
    std::int64_t i = 0;
    if (auto [p, ec] = std::from_chars(first, last, i); ec == std::errc{} && p == last)
        return codec::Value(i);
    std::uint64_t u = 0;
    if (auto [p, ec] = std::from_chars(first, last, u); ec == std::errc{} && p == last)
        return codec::Value(u);
    double d = 0;
    if (auto [p, ec] = std::from_chars(first, last, d); ec == std::errc{} && p == last)
        return codec::Value(d);
    return std::nullopt;
}

std::string quoted(std::string_view payload) {
    std::string shown(payload.substr(0, 60));
    if (payload.size() > 60) shown += "…";
    return "\"" + shown + "\"";
}

std::string map_choices(const Point& p) {
    std::string out;
    for (const auto& [raw, text] : p.map)
        out += (out.empty() ? "" : ", ") + text + " (" + std::to_string(raw) + ")";
    return out;
}

std::string expected_for(const Point& p) {
    if (map_is_partial(p)) {
        return "one of " + map_choices(p) + " or an integer from " +
               codec::format_value(codec::Value(*p.min)) + " to " +
               codec::format_value(codec::Value(*p.max));
    }
    if (!p.map.empty()) return "one of " + map_choices(p);
    if (is_bool_point(p)) return "ON/OFF, true/false or 1/0";
    if (p.format.type == codec::Type::string) return "a text";
    return "a number (type " + std::string(codec::type_name(p.format.type)) + ")";
}

// A payload is text, or a JSON bool (from {"value": true}).
Expected<codec::Value, std::string> interpret(const Point& p, const std::string& text,
                                              std::optional<bool> json_bool,
                                              std::string_view payload) {
    const auto refuse = [&] {
        return Unexpected{"payload " + quoted(payload) + " does not fit point " + p.name +
                          ": expected " + expected_for(p)};
    };
    if (!p.map.empty()) {
        std::optional<std::int64_t> key;
        for (const auto& [raw, t] : p.map) {
            if (t == text) key = raw;
        }
        if (!key) {
            for (const auto& [raw, t] : p.map) {
                if (lower(t) == lower(text)) key = raw;
            }
        }
        if (!key && !json_bool) {
            if (auto n = parse_number(text)) {
                // In a partial map's range any integer goes; check_write_range says if it is out.
                if (auto* i = std::get_if<std::int64_t>(&*n);
                    i && (p.map.count(*i) || map_is_partial(p)))
                    key = *i;
            }
        }
        if (!key && json_bool && is_bool_point(p)) key = *json_bool ? 1 : 0;
        if (!key) return refuse();
        if (is_bool_point(p)) return codec::Value(*key != 0);
        return codec::Value(*key);
    }
    if (is_bool_point(p)) {
        if (json_bool) return codec::Value(*json_bool);
        if (auto b = parse_bool(text)) return codec::Value(*b);
        return refuse();
    }
    if (p.format.type == codec::Type::string) {
        if (json_bool) return refuse();
        return codec::Value(text);
    }
    if (json_bool) return refuse();
    auto n = parse_number(text);
    if (!n) return refuse();
    if (auto* d = std::get_if<double>(&*n); d && !std::isfinite(*d)) {
        return Unexpected{"payload " + quoted(payload) + " is not a finite number"};
    }
    return *n;
}

}  // namespace

std::optional<std::string> write_refusal(const profile::DeviceConfig& device, const Point& point) {
    if (!point.writable) {
        return "point " + point.name + " of device " + device.name +
               " is not writable (its profile does not mark it \"writable\")";
    }
    if (!device.allows_write(point)) {
        return "writes to point " + point.name + " of device " + device.name +
               " are not allowed (the site configuration lists the points it allows in the "
               "device's \"writes\", or \"all\")";
    }
    return std::nullopt;
}

Expected<codec::Value, std::string> parse_write_payload(const Point& p, std::string_view payload) {
    const auto text = trim(payload);
    if (text.empty())
        return Unexpected{"empty payload for point " + p.name + ": expected " + expected_for(p)};
    if (text.front() != '{') return interpret(p, std::string(text), std::nullopt, payload);
    const auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return Unexpected{"payload " + quoted(payload) + " is not valid JSON"};
    for (const auto& [key, v] : j.items()) {
        if (key != "value")
            return Unexpected{"payload " + quoted(payload) + ": unknown key \"" + key +
                              "\" (expected {\"value\": …})"};
    }
    if (!j.contains("value"))
        return Unexpected{"payload " + quoted(payload) +
                          " has no \"value\" (expected {\"value\": …})"};
    const auto& v = j["value"];
    if (v.is_boolean())
        return interpret(p, v.get<bool>() ? "true" : "false", v.get<bool>(), payload);
    if (v.is_string()) return interpret(p, v.get<std::string>(), std::nullopt, payload);
    if (v.is_number()) {
        if (p.format.type == codec::Type::string && p.map.empty()) {
            return Unexpected{"payload " + quoted(payload) + " does not fit point " + p.name +
                              ": expected a text"};
        }
        return interpret(p, v.dump(), std::nullopt, payload);
    }
    return Unexpected{"payload " + quoted(payload) +
                      ": \"value\" must be a number, a boolean or a text"};
}

bool map_is_partial(const Point& p) {
    if (p.map.empty() || !p.min || !p.max || is_bool_point(p)) return false;
    const double lo = std::ceil(*p.min), hi = std::floor(*p.max);
    if (hi - lo + 1 > static_cast<double>(p.map.size())) return true;
    for (double v = lo; v <= hi; v += 1) {
        if (!p.map.count(static_cast<std::int64_t>(v))) return true;
    }
    return false;
}

std::optional<std::string> check_write_range(const Point& p, const codec::Value& value) {
    // A full map's values, and booleans, are the only ones that get here.
    if ((!p.map.empty() && !map_is_partial(p)) || is_bool_point(p)) return std::nullopt;
    auto d = codec::to_double(value);
    if (!d) return std::nullopt;
    const auto shown = codec::format_value(value);
    if (p.min && *d < *p.min)
        return shown + " is below the minimum " + codec::format_value(codec::Value(*p.min)) +
               " of point " + p.name;
    if (p.max && *d > *p.max)
        return shown + " is above the maximum " + codec::format_value(codec::Value(*p.max)) +
               " of point " + p.name;
    return std::nullopt;
}

WriteInputs write_inputs(const profile::DeviceConfig& device, const Point& p) {
    WriteInputs in;
    const bool partial = p.bit.has_value() || p.format.type == codec::Type::int8 ||
                         p.format.type == codec::Type::uint8;
    in.current_register =
        p.kind == modbus::RegisterKind::holding && partial && p.write_function != 22;
    if (!p.scale_register.empty()) in.scale_point = device.point(p.scale_register);
    return in;
}

Expected<modbus::Pdu, std::string> make_point_write(const Point& p, const codec::Value& value,
                                                    std::optional<std::int64_t> scale_exponent,
                                                    std::optional<std::uint16_t> current_register) {
    const int fn = p.write_function.value_or(0);
    if (p.kind == modbus::RegisterKind::coil) {
        auto on = codec::to_double(value);
        if (!on) return Unexpected{"point " + p.name + " takes ON or OFF"};
        if (fn == 15) return message_of(modbus::make_write_multiple_coils(p.address, {*on != 0}));
        return modbus::make_write_single_coil(p.address, *on != 0);
    }
    // A bit or a byte: the rest of the register is kept, by FC22 or from the register as read.
    std::optional<std::pair<std::uint16_t, std::uint16_t>>
        keep_set;  // mask of bits to keep, bits to set
    if (p.bit) {
        auto on = codec::to_double(value);
        if (!on) return Unexpected{"point " + p.name + " takes ON or OFF"};
        const auto mask = static_cast<std::uint16_t>(1U << *p.bit);
        keep_set = {static_cast<std::uint16_t>(~mask), *on != 0 ? mask : std::uint16_t{0}};
    }
    std::vector<std::uint16_t> registers;
    if (!p.bit) {
        codec::Value v = value;
        if (scale_exponent) {
            auto d = codec::to_double(value);
            if (!d) return Unexpected{"point " + p.name + " takes a number"};
            v = *d / std::pow(10.0, static_cast<double>(*scale_exponent));
        }
        auto encoded = codec::encode(v, p.format);
        if (!encoded) return Unexpected{"point " + p.name + ": " + encoded.error()};
        registers = std::move(*encoded);
        if (p.format.type == codec::Type::int8 || p.format.type == codec::Type::uint8) {
            const std::uint16_t byte_mask =
                p.format.byte == codec::RegisterByte::high ? 0xFF00 : 0x00FF;
            keep_set = {static_cast<std::uint16_t>(~byte_mask),
                        static_cast<std::uint16_t>(registers[0] & byte_mask)};
        }
    }
    if (keep_set) {
        const auto [keep, set] = *keep_set;
        if (fn == 22) return modbus::make_mask_write_register(p.address, keep, set);
        if (!current_register)
            return Unexpected{"point " + p.name +
                              ": the register must be read before writing part of it"};
        registers = {static_cast<std::uint16_t>((*current_register & keep) | set)};
    }
    if (registers.size() == 1 && fn != 16)
        return modbus::make_write_single_register(p.address, registers[0]);
    return message_of(modbus::make_write_multiple_registers(p.address, registers));
}

modbus::Pdu make_point_read(const Point& p) {
    const auto count = static_cast<std::uint16_t>(modbus::is_bit_kind(p.kind) ? 1 : p.width());
    return *modbus::make_read_request(modbus::read_function(p.kind), p.address, count);
}

}  // namespace regpoll::poll
