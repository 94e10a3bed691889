#pragma once
// What a profile says about the product rather than its registers: the product names it
// covers, the transports it speaks, and the unit id and TCP port it uses out of the box.
// Polling never needs it, so it is not part of Profile: the loader checks it, and the few
// readers (a site device without "unit", the catalogue) read it from the file on demand.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "profile/diagnostics.hpp"
#include "profile/json_reader.hpp"

namespace regpoll::profile {

struct ProfileMetadata {
    std::vector<std::string> models;      // "models": product names
    std::vector<std::string> transports;  // "transports": URI schemes, most common first
    std::optional<std::uint8_t> default_unit;   // "limits": {"default_unit": 3}
    std::optional<std::uint16_t> default_port;  // "limits": {"default_port": 502}
};

// The URI schemes "transports" may name.
const std::vector<std::string>& transport_schemes();

// Reads "models" and "transports" from the profile object `r`, and "default_unit" and
// "default_port" from its limits object `limits` (null when there is none), marking them
// known to both readers; mistakes go to their diagnostics under their JSON paths.
ProfileMetadata parse_profile_metadata(JsonReader& r, JsonReader* limits);

// The metadata of the profile file at `path`; nullopt after reporting why it cannot be read.
std::optional<ProfileMetadata> load_profile_metadata(const std::string& path, Diagnostics& diag);

}  // namespace regpoll::profile
