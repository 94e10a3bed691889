#include "plugin/plugin_library.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <cstdio>

#include "codec/types.hpp"

namespace regpoll::plugin {
namespace {

// dlopen hands back the same handle for a file it has loaded already, with a reference
// count: every successful dlopen is matched by exactly one dlclose.
struct Handle {
    void* ptr = nullptr;
    ~Handle() {
        if (ptr) dlclose(ptr);
    }
    void* release() {
        void* p = ptr;
        ptr = nullptr;
        return p;
    }
};

bool valid_name(const char* s, bool allow_dash) {
    if (!s || !*s) return false;
    for (const char* c = s; *c; ++c) {
        const bool ok = (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_' ||
                        (allow_dash && *c == '-');
        if (!ok) return false;
    }
    return true;
}

std::string hex(std::uint32_t v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%x", v);
    return buf;
}

// What is wrong with a description whose ABI version is right, or an empty string.
std::string check_sink(const regpoll_plugin& d) {
    const bool declared = (d.kinds & REGPOLL_PLUGIN_SINK) != 0;
    if (declared && !d.sink) return "it declares a sink but gives no sink operations";
    if (!declared && d.sink)
        return "it gives sink operations but its kinds do not include REGPOLL_PLUGIN_SINK";
    if (!d.sink) return {};
    const std::pair<const char*, bool> ops[] = {{"open", d.sink->open != nullptr},
                                                {"write", d.sink->write != nullptr},
                                                {"availability", d.sink->availability != nullptr},
                                                {"flush", d.sink->flush != nullptr},
                                                {"close", d.sink->close != nullptr}};
    for (const auto& [op, present] : ops) {
        if (!present) return std::string("its sink has no \"") + op + "\" operation";
    }
    return {};
}

std::string check_decoders(const regpoll_plugin& d) {
    const bool declared = (d.kinds & REGPOLL_PLUGIN_DECODER) != 0;
    if (declared && (!d.decoders || d.decoder_count == 0))
        return "it declares decoders but gives none";
    if (!declared && d.decoder_count != 0) {
        return "it gives decoders but its kinds do not include REGPOLL_PLUGIN_DECODER";
    }
    if (!declared) return {};
    for (std::size_t i = 0; i < d.decoder_count; ++i) {
        const regpoll_decoder& dec = d.decoders[i];
        const std::string which = "decoder " + std::to_string(i);
        if (!valid_name(dec.type, false) || !(dec.type[0] >= 'a' && dec.type[0] <= 'z')) {
            return which +
                   ": its type name must be lower-case letters, digits and _, starting with a "
                   "letter";
        }
        const std::string type = dec.type;
        if (codec::parse_type(type)) return which + ": type \"" + type + "\" is a built-in type";
        if (dec.registers < 1 || dec.registers > 123) {
            return which + " (" + type + "): registers must be 1..123, not " +
                   std::to_string(dec.registers);
        }
        if (!dec.decode) return which + " (" + type + "): it has no decode function";
        for (std::size_t j = 0; j < i; ++j) {
            if (type == d.decoders[j].type) return "it gives type \"" + type + "\" twice";
        }
    }
    return {};
}

}  // namespace

Expected<std::shared_ptr<PluginLibrary>, std::string> PluginLibrary::load(const std::string& path) {
    dlerror();
    Handle handle{dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL)};
    if (!handle.ptr) {
        const char* why = dlerror();
        return Unexpected{std::string("cannot load plugin ") + path + ": " +
                          (why ? why : "unknown dlopen error")};
    }
    dlerror();
    void* symbol = dlsym(handle.ptr, REGPOLL_PLUGIN_ENTRY);
    if (!symbol) {
        return Unexpected{path + " is not a regpoll plugin: it does not export " +
                          REGPOLL_PLUGIN_ENTRY + "()"};
    }
    // POSIX guarantees that a function's address survives the round trip through void*.
    using Describe = const regpoll_plugin* (*)();
    Describe describe;
    static_assert(sizeof describe == sizeof symbol);
    std::copy_n(reinterpret_cast<const char*>(&symbol), sizeof symbol,
                reinterpret_cast<char*>(&describe));
    const regpoll_plugin* d = describe();
    if (!d) return Unexpected{path + ": " + REGPOLL_PLUGIN_ENTRY + "() returned no description"};
    // The version comes first and is the only member read before it is known to match.
    if (d->abi_version != REGPOLL_PLUGIN_ABI_VERSION) {
        return Unexpected{path + " was built for plugin ABI version " +
                          std::to_string(d->abi_version) + "; this regpoll loads version " +
                          std::to_string(REGPOLL_PLUGIN_ABI_VERSION) +
                          " (rebuild the plugin against this regpoll's plugins/regpoll_plugin.h)"};
    }
    if (!valid_name(d->name, true)) {
        return Unexpected{path + ": the plugin's name must be lower-case letters, digits, _ and -"};
    }
    const std::string prefix = path + " (plugin " + d->name + "): ";
    const std::uint32_t known = REGPOLL_PLUGIN_SINK | REGPOLL_PLUGIN_DECODER;
    if (d->kinds == 0) return Unexpected{prefix + "it provides nothing (kinds is 0)"};
    if (d->kinds & ~known) return Unexpected{prefix + "unknown kinds " + hex(d->kinds & ~known)};
    if (auto why = check_sink(*d); !why.empty()) return Unexpected{prefix + why};
    if (auto why = check_decoders(*d); !why.empty()) return Unexpected{prefix + why};
    return std::shared_ptr<PluginLibrary>(new PluginLibrary(handle.release(), d, path));
}

PluginLibrary::~PluginLibrary() {
    dlclose(handle_);
}

std::string PluginLibrary::label() const {
    std::string out = "plugin " + name();
    if (description_->version && *description_->version)
        out += std::string(" ") + description_->version;
    return out + " (" + path_ + ")";
}

}  // namespace regpoll::plugin
