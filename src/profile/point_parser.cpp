#include "profile/point_parser.hpp"

#include <algorithm>
#include <map>

#include "codec/types.hpp"

namespace regpoll::profile {
namespace {

constexpr const char* point_keys =
    "name, address, register, type, length, endianness, word_order, order, byte, bit, scale, "
    "offset, scale_register, nan, map, bits, precision, unit, device_class, state_class, interval, "
    "writable, read, min, max, step, write_function, description";

bool valid_name(const std::string& name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

std::string type_list(const PointTypes* types) {
    std::string names;
    for (auto n : codec::type_names()) names += (names.empty() ? "" : ", ") + std::string(n);
    if (types) {
        for (const auto& n : types->names()) names += ", " + n;
    }
    return names;
}

std::size_t type_bits(codec::Type t) { return codec::register_count(t, 1) * 16; }

// "bits": {"0": "GROUND_FAULT", ...}: a bit field shown as the names of its set bits.
bool parse_bits(JsonReader& r, Point& p) {
    const Json* bits = r.get("bits");
    if (!bits) return true;
    if (!bits->is_object()) {
        r.error("bits", "expected an object of bit number → name, found " + shown(*bits));
        return false;
    }
    bool ok = true;
    for (const auto& [key, name] : bits->items()) {
        int bit = -1;
        try {
            std::size_t used = 0;
            bit = std::stoi(key, &used);
            if (used != key.size()) bit = -1;
        } catch (const std::exception&) {
        }
        if (bit < 0 || bit > 63 || !name.is_string()) {
            r.error("bits", "entry \"" + key + "\": expected a bit number 0-63 and a name");
            ok = false;
            continue;
        }
        p.bits[bit] = name.get<std::string>();
    }
    return ok;
}

// A raw value given as a number or a "0x.." string.
std::optional<std::int64_t> raw_integer(const Json& v) {
    if (v.is_number_integer()) return v.get<std::int64_t>();
    if (v.is_number_unsigned()) return static_cast<std::int64_t>(v.get<std::uint64_t>());
    if (v.is_string()) {
        const std::string s = v.get<std::string>();
        try {
            std::size_t used = 0;
            const auto n = std::stoull(s, &used, 0);
            if (used == s.size()) return static_cast<std::int64_t>(n);
        } catch (const std::exception&) {
        }
    }
    return std::nullopt;
}

void parse_format(JsonReader& r, Point& p, bool& ok, const PointTypes* types) {
    const std::string type_text = r.string("type").value_or("uint16");
    if (auto t = codec::parse_type(type_text)) {
        p.format.type = *t;
    } else if (auto decoder = types ? types->find(type_text) : nullptr) {
        p.decoder = std::move(decoder);
    } else if (r.has("type")) {
        r.error("type", shown(Json(type_text)) + " is not a type (expected one of " + type_list(types) + ")");
        ok = false;
    }
    // "order" and "endianness"/"word_order" are two spellings of one setting: a point's own
    // spelling wins over the other spelling in the profile's defaults.
    if (r.has("order", true)) {
        r.ignore_default("endianness");
        r.ignore_default("word_order");
    } else if (r.has("endianness", true) || r.has("word_order", true)) {
        r.ignore_default("order");
    }
    if (r.has("order") && (r.has("endianness") || r.has("word_order"))) {
        r.error("order", "give either \"order\" or \"endianness\"/\"word_order\", not both");
        ok = false;
    }
    if (auto o = r.string("order")) {
        if (auto order = codec::parse_order(*o)) {
            p.format.byte_order = order->byte;
            p.format.word_order = order->word;
        } else {
            r.error("order", shown(Json(*o)) + " is not an order (expected ABCD, BADC, CDAB or DCBA)");
            ok = false;
        }
    }
    if (auto e = r.choice("endianness", {"big", "little"})) {
        p.format.byte_order = *e == "big" ? codec::ByteOrder::big : codec::ByteOrder::little;
    } else if (r.has("endianness")) {
        ok = false;
    }
    if (auto w = r.choice("word_order", {"big", "little"})) {
        p.format.word_order = *w == "big" ? codec::WordOrder::big : codec::WordOrder::little;
    } else if (r.has("word_order")) {
        ok = false;
    }
    if (auto len = r.integer("length", 1, 123)) {
        p.format.length = static_cast<std::size_t>(*len);
    } else if (r.has("length")) {
        ok = false;
    }
    if (p.format.type == codec::Type::string && p.format.length == 0) {
        r.error_here("a string needs \"length\" (registers, two characters each)");
        ok = false;
    }
    if (auto b = r.choice("byte", {"high", "low"})) {
        p.format.byte = *b == "high" ? codec::RegisterByte::high : codec::RegisterByte::low;
    } else if (r.has("byte")) {
        ok = false;
    }
    if (auto s = r.number("scale")) {
        if (*s == 0) {
            r.error("scale", "scale 0 would make every value 0");
            ok = false;
        }
        p.format.scale = *s;
    } else if (r.has("scale")) {
        ok = false;
    }
    if (auto o = r.number("offset")) p.format.offset = *o;
    else if (r.has("offset")) ok = false;
}

// A decoder plugin's type reads the registers as the device sent them, one value from all
// of them: the settings that pick bytes, bits or orders, and writing, do not apply. Keys a
// profile's "defaults" set for every point are ignored here rather than refused.
void check_decoder_point(JsonReader& r, const Point& p, bool& ok) {
    const std::string what = "type " + p.decoder->type_name() + " of " + p.decoder->origin();
    if (modbus::is_bit_kind(p.kind)) {
        r.error("type", "a " + std::string(modbus::register_kind_name(p.kind)) + " is one bit: its type is bool, not " +
                            p.decoder->type_name());
        ok = false;
    }
    for (const char* key : {"bit", "length", "byte", "order", "endianness", "word_order"}) {
        if (r.has(key, true)) {
            r.error(key, "\"" + std::string(key) + "\" does not apply to " + what +
                             ": it decodes the registers as the device sends them");
            ok = false;
        }
    }
    if (p.writable) {
        r.error("writable", what + " can only be read");
        ok = false;
    }
}

// "read": false: the point can only be written, so it must be writable, and a write must not
// need to read it first (a bit or byte of a register is changed by FC22 only).
bool check_write_only(JsonReader& r, const Point& p) {
    if (!p.writable) {
        r.error("read", "\"read\": false makes a write-only point, but the point is not \"writable\" "
                        "(nothing could ever read or write it)");
        return false;
    }
    const bool partial = p.bit.has_value() || p.format.type == codec::Type::int8 || p.format.type == codec::Type::uint8;
    if (partial && !modbus::is_bit_kind(p.kind) && p.write_function != 22) {
        r.error("read", "a bit or byte of a write-only register can only be written with \"write_function\": 22 "
                        "(mask write): any other write reads the register first");
        return false;
    }
    return true;
}

}  // namespace

std::size_t Point::width() const {
    if (modbus::is_bit_kind(kind)) return 1;
    if (decoder) return decoder->registers();
    return codec::register_count(format);
}

std::string Point::type_label() const {
    return decoder ? decoder->type_name() : std::string(codec::type_name(format.type));
}

std::optional<Point> parse_point(JsonReader& r, const PointTypes* types) {
    if (!r.is_object()) return std::nullopt;
    Point p;
    bool ok = true;
    p.file = r.file();
    p.json_path = r.path();
    if (auto name = r.string("name")) {
        p.name = *name;
        if (!valid_name(p.name)) {
            r.error("name", shown(Json(p.name)) + " is not a valid name (lower-case letters, digits and _)");
            ok = false;
        }
    } else {
        if (!r.has("name")) r.error_here("a point needs a \"name\"");
        ok = false;
    }
    bool address_ok = false;
    if (auto a = r.integer("address", 0, 65535)) {
        p.address = static_cast<std::uint16_t>(*a);
        address_ok = true;
    } else {
        if (!r.has("address")) r.error_here("a point needs an \"address\" (0-based protocol address)");
        ok = false;
    }
    if (auto k = r.choice("register", {"holding", "input", "coil", "discrete"})) {
        p.kind = *modbus::parse_register_kind(*k);
    } else if (r.has("register")) {
        ok = false;
    }
    parse_format(r, p, ok, types);
    if (p.decoder) {
        // Checked once everything else is read (writable among it), below.
    } else if (modbus::is_bit_kind(p.kind) && r.has("type") && p.format.type != codec::Type::boolean) {
        r.error("type", "a " + std::string(modbus::register_kind_name(p.kind)) + " is one bit: its type is bool");
        ok = false;
    }
    if (modbus::is_bit_kind(p.kind) && !p.decoder) p.format.type = codec::Type::boolean;
    if (p.decoder) {
        r.get("bit");  // refused by check_decoder_point, not reported as unknown as well
    } else if (auto bit = r.integer("bit", 0, 15)) {
        p.bit = static_cast<int>(*bit);
        if (modbus::is_bit_kind(p.kind) || type_bits(p.format.type) != 16 || p.format.type == codec::Type::string) {
            r.error("bit", "\"bit\" picks one bit of a 16-bit register; type " +
                               std::string(codec::type_name(p.format.type)) + " is not 16-bit");
            ok = false;
        }
    } else if (r.has("bit")) {
        ok = false;
    }
    if (auto sr = r.string("scale_register")) p.scale_register = *sr;
    if (const Json* nan = r.get("nan")) {
        if (!nan->is_array()) {
            r.error("nan", "expected a list of raw values such as [65535], found " + shown(*nan));
            ok = false;
        } else {
            for (std::size_t i = 0; i < nan->size(); ++i) {
                auto v = raw_integer((*nan)[i]);
                if (!v) {
                    r.error("nan", "entry " + std::to_string(i) + " (" + shown((*nan)[i]) +
                                       ") is not a raw integer or \"0x..\" string");
                    ok = false;
                } else {
                    p.nan.push_back(static_cast<std::uint64_t>(*v));
                }
            }
        }
    }
    if (const Json* map = r.get("map")) {
        if (!map->is_object()) {
            r.error("map", "expected an object of raw value → text, found " + shown(*map));
            ok = false;
        } else {
            for (const auto& [key, text] : map->items()) {
                auto v = raw_integer(Json(key));
                if (!v && !key.empty() && key[0] == '-') {
                    try {
                        v = std::stoll(key);
                    } catch (const std::exception&) {
                    }
                }
                if (!v || !text.is_string()) {
                    r.error("map", "entry \"" + key + "\": expected an integer key and a text value");
                    ok = false;
                    continue;
                }
                p.map[*v] = text.get<std::string>();
            }
        }
    }
    if (!parse_bits(r, p)) ok = false;
    if (auto prec = r.integer("precision", 0, 15)) p.precision = static_cast<int>(*prec);
    else if (r.has("precision")) ok = false;
    p.unit = r.string("unit").value_or("");
    p.device_class = r.string("device_class").value_or("");
    if (auto sc = r.choice("state_class", {"measurement", "total", "total_increasing"})) p.state_class = *sc;
    else if (r.has("state_class")) ok = false;
    p.description = r.string("description").value_or("");
    if (auto iv = r.duration("interval")) {
        if (iv->count() <= 0) {
            r.error("interval", "an interval must be longer than 0");
            ok = false;
        }
        p.interval = *iv;
    } else if (r.has("interval")) {
        ok = false;
    }
    if (auto w = r.boolean("writable")) p.writable = *w;
    else if (r.has("writable")) ok = false;
    if (auto mn = r.number("min")) p.min = *mn;
    else if (r.has("min")) ok = false;
    if (auto mx = r.number("max")) p.max = *mx;
    else if (r.has("max")) ok = false;
    if (p.min && p.max && *p.min > *p.max) {
        r.error("min", "min " + shown(Json(*p.min)) + " is above max " + shown(Json(*p.max)));
        ok = false;
    }
    if (auto st = r.number("step")) {
        if (!(*st > 0)) {
            r.error("step", "a step must be above 0");
            ok = false;
        }
        p.step = *st;
    } else if (r.has("step")) {
        ok = false;
    }
    if (auto wf = r.integer("write_function", 0, 255)) {
        // Which function codes can write this point at all.
        const bool coil = p.kind == modbus::RegisterKind::coil;
        const bool one_register = !coil && p.width() == 1;
        const bool partial = p.bit.has_value() || p.format.type == codec::Type::int8 || p.format.type == codec::Type::uint8;
        std::string why;
        if (coil && *wf != 5 && *wf != 15) why = "coils are written with 5 or 15";
        else if (!coil && *wf != 6 && *wf != 16 && *wf != 22) why = "registers are written with 6, 16 or 22";
        else if (!coil && *wf == 6 && !one_register) why = "6 writes one register and this point has " + std::to_string(p.width());
        else if (!coil && *wf == 22 && !partial) why = "22 (mask write) is for a bit or a byte of a register";
        if (!why.empty()) {
            r.error("write_function", std::to_string(*wf) + " cannot write this point: " + why);
            ok = false;
        }
        p.write_function = static_cast<int>(*wf);
    } else if (r.has("write_function")) {
        ok = false;
    }
    if (p.writable && !modbus::is_writable_kind(p.kind)) {
        r.error("writable", std::string(modbus::register_kind_name(p.kind)) + " registers are read-only");
        ok = false;
    }
    if (p.decoder) check_decoder_point(r, p, ok);
    if (auto rd = r.boolean("read")) p.readable = *rd;
    else if (r.has("read")) ok = false;
    if (!p.readable && !check_write_only(r, p)) ok = false;
    if (address_ok && p.width() > 0 && p.address + p.width() > 65536) {
        r.error("address", "address " + std::to_string(p.address) + " + " + std::to_string(p.width()) +
                               " registers runs past 65535");
        ok = false;
    }
    r.reject_unknown(point_keys);
    if (!ok) return std::nullopt;
    return p;
}

void check_point_defaults(const Json& defaults, const std::string& file, const std::string& path,
                          Diagnostics& diag) {
    if (!defaults.is_object()) {
        diag.error(file, path, std::string("expected an object, found ") + json_type_name(defaults));
        return;
    }
    for (const auto& [key, value] : defaults.items()) {
        if (key == "name" || key == "address") {
            diag.error(file, path + "/" + key, "\"" + key + "\" cannot have a default");
        } else if (std::string(point_keys).find(key) == std::string::npos || key.find(',') != std::string::npos) {
            diag.error(file, path + "/" + key, "unknown key \"" + key + "\" (expected a point field: " + point_keys + ")");
        }
    }
}

void check_points(const std::vector<Point>& points, const std::string& file, Diagnostics& diag) {
    std::map<std::string, const Point*> by_name;
    for (const auto& p : points) {
        auto [it, fresh] = by_name.emplace(p.name, &p);
        if (!fresh) diag.error(p.file, p.json_path + "/name", "duplicate point name \"" + p.name + "\" (also at " + it->second->origin() + ")");
    }
    for (const auto& p : points) {
        if (p.scale_register.empty()) continue;
        auto it = by_name.find(p.scale_register);
        if (it == by_name.end()) {
            diag.error(p.file, p.json_path + "/scale_register", "no point named \"" + p.scale_register + "\" in " + file);
        } else if (codec::register_count(it->second->format) != 1 || modbus::is_bit_kind(it->second->kind)) {
            diag.error(p.file, p.json_path + "/scale_register", "\"" + p.scale_register + "\" must be a one-register integer point");
        } else if (!it->second->readable) {
            diag.error(p.file, p.json_path + "/scale_register", "\"" + p.scale_register + "\" is write-only (\"read\": false): a scale factor must be read");
        }
    }
    // Points that share registers must read them the same way; bits of one register may share.
    std::vector<const Point*> sorted;
    for (const auto& p : points) sorted.push_back(&p);
    std::sort(sorted.begin(), sorted.end(), [](const Point* a, const Point* b) {
        return std::tie(a->kind, a->address) < std::tie(b->kind, b->address);
    });
    for (std::size_t i = 0; i < sorted.size(); ++i) {
        const Point& a = *sorted[i];
        for (std::size_t j = i + 1; j < sorted.size(); ++j) {
            const Point& b = *sorted[j];
            if (b.kind != a.kind || b.address >= a.address + a.width()) break;
            const bool same_register_bits = a.bit && b.bit && a.address == b.address;
            const bool aliases = a.address == b.address && a.width() == b.width() &&
                                 a.format.type == b.format.type && a.decoder == b.decoder &&
                                 a.format.byte_order == b.format.byte_order &&
                                 a.format.word_order == b.format.word_order;
            const bool bit_in_16 = a.address == b.address && a.width() == 1 && b.width() == 1 && (a.bit || b.bit);
            if (!same_register_bits && !aliases && !bit_in_16) {
                diag.error(b.file, b.json_path + "/address",
                           "\"" + b.name + "\" (" + b.type_label() + " at " +
                               std::to_string(b.address) + ") overlaps \"" + a.name + "\" (" +
                               a.type_label() + " at " + std::to_string(a.address) +
                               ", " + std::to_string(a.width()) + " registers) and reads it differently");
            }
        }
    }
}

}  // namespace regpoll::profile
