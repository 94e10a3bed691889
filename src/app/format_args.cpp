#include "app/format_args.hpp"

#include <cmath>

#include "app/session.hpp"
#include "codec/types.hpp"

namespace regpoll::app {

std::optional<codec::Format> format_from_args(const FormatArgs& args, modbus::RegisterKind kind) {
    codec::Format f;
    const std::string type_text = args.type.empty() ? (modbus::is_bit_kind(kind) ? "bool" : "uint16")
                                                    : args.type;
    auto type = codec::parse_type(type_text);
    if (!type) {
        std::string names;
        for (auto n : codec::type_names()) names += (names.empty() ? "" : ", ") + std::string(n);
        print_error("--type \"" + type_text + "\" is not a type (expected one of " + names + ")");
        return std::nullopt;
    }
    if (modbus::is_bit_kind(kind) && *type != codec::Type::boolean) {
        print_error("--type " + type_text + " cannot be used with --register " +
                    std::string(modbus::register_kind_name(kind)) + " (bits are bool)");
        return std::nullopt;
    }
    f.type = *type;
    auto order = codec::parse_order(args.order);
    if (!order) {
        print_error("--order \"" + args.order + "\" is not a byte/word order (expected ABCD, BADC, CDAB or DCBA)");
        return std::nullopt;
    }
    f.byte_order = order->byte;
    f.word_order = order->word;
    if (!std::isfinite(args.scale) || args.scale == 0.0) {
        print_error("--scale must be a finite number other than 0");
        return std::nullopt;
    }
    if (!std::isfinite(args.offset)) {
        print_error("--offset must be a finite number");
        return std::nullopt;
    }
    f.scale = args.scale;
    f.offset = args.offset;
    if (args.length < 0 || args.length > 123) {
        print_error("--length " + std::to_string(args.length) + " is out of range (1-123 registers)");
        return std::nullopt;
    }
    f.length = static_cast<std::size_t>(args.length);
    auto byte = codec::parse_register_byte(args.byte);
    if (!byte) {
        print_error("--byte \"" + args.byte + "\" is not high or low");
        return std::nullopt;
    }
    f.byte = *byte;
    return f;
}

}  // namespace regpoll::app
