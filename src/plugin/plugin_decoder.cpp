#include "plugin/plugin_decoder.hpp"

#include <array>
#include <functional>

#include "plugin/plugin_value.hpp"

namespace regpoll::plugin {

codec::Value PluginDecoder::decode(std::span<const std::uint16_t> registers,
                                   std::string& error) const {
    if (registers.size() != decoder_.registers) {
        error = type_ + " needs " + std::to_string(decoder_.registers) + " registers, got " +
                std::to_string(registers.size());
        return std::monostate{};
    }
    // Scratch space for text results; thread_local because decoders may run on several
    // threads (and the poll loop should not allocate for every point).
    thread_local std::array<char, 4096> text;
    std::array<char, 256> message{};
    regpoll_value out{};
    const int rc = decoder_.decode(registers.data(), registers.size(), &out, text.data(),
                                   text.size(), message.data(), message.size());
    if (rc != 0) {
        message.back() = '\0';
        error = type_ + ": " + (message[0] ? message.data() : "decoding failed (no message)");
        return std::monostate{};
    }
    // A text in the scratch space cannot be longer than it (std::less: a total order even for
    // pointers into different objects).
    const std::less<const char*> before;
    const char* end = text.data() + text.size();
    if (out.kind == REGPOLL_VALUE_STRING && !before(out.as.string.data, text.data()) &&
        before(out.as.string.data, end) &&
        out.as.string.size > static_cast<std::size_t>(end - out.as.string.data)) {
        error = type_ + " (" + library_->path() + ") returned a text running past its buffer";
        return std::monostate{};
    }
    std::string why;
    auto value = from_plugin_value(out, why);
    if (!why.empty()) error = type_ + " (" + library_->path() + ") " + why;
    return value;
}

}  // namespace regpoll::plugin
