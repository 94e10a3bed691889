#pragma once
// Writing one point, as pure code: what a command payload means for the point (a number, a
// boolean, one of the point's mapped texts, or {"value": …}), the checks that refuse it,
// and the Modbus requests that carry it out through the same profile that decodes it.
// The MQTT commands, Domoticz, Home Assistant and `regpoll write -c` all go through here.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "codec/value.hpp"
#include "common/expected.hpp"
#include "modbus/pdu.hpp"
#include "poll/sample.hpp"
#include "profile/site_config.hpp"

namespace regpoll::poll {

// How a write ended. `value` is the point read back after the write (monostate when the
// read-back failed; `warning` says why then). A write-only point ("read": false) is not
// read back: `read_back` is false and `value` is the value written.
struct WriteOutcome {
    bool ok = false;
    std::string error;
    codec::Value value;
    Quality quality = Quality::good;
    std::string warning;
    bool read_back = true;
};

// Why the site configuration or the profile forbid writing the point; nullopt if allowed.
std::optional<std::string> write_refusal(const profile::DeviceConfig& device,
                                         const profile::Point& point);

// The payload as a value of the point's type:
//   bool points (coils, bits, type bool)  ON/OFF, true/false, 1/0 (any case)
//   points with a map                     one of the map's texts (any case), or its raw number
//                                         (any integer in min..max when the map is partial)
//   numeric points                        a decimal number (finite)
//   strings                               the text
// or any of these as {"value": …}. Surrounding white space is ignored. The error quotes the
// payload and says what the point takes.
Expected<codec::Value, std::string> parse_write_payload(const profile::Point& point,
                                                        std::string_view payload);

// Whether a mapped point may be written numbers its map does not name: its min..max holds
// integers the map leaves out (omega cn7500 pattern links: {"8": "off"}, 0-8). Without
// min/max a mapped point takes its map's values only.
bool map_is_partial(const profile::Point& point);

// The point's min/max (engineering units); nullopt when the value may be written.
std::optional<std::string> check_write_range(const profile::Point& point,
                                             const codec::Value& value);

// What must be read before the request can be built: the register a bit or byte lives in
// (unless written with FC22), and the point holding the scale factor.
struct WriteInputs {
    bool current_register = false;
    const profile::Point* scale_point = nullptr;
};
WriteInputs write_inputs(const profile::DeviceConfig& device, const profile::Point& point);

// The write request: FC5 for a coil, FC6 for one register, FC16 for more, or the function
// the profile names (15, 16, or 22 to mask a bit or a byte). `scale_exponent` is the value
// of the point's scale register; `current_register` the register a bit or byte lives in.
Expected<modbus::Pdu, std::string> make_point_write(const profile::Point& point,
                                                    const codec::Value& value,
                                                    std::optional<std::int64_t> scale_exponent,
                                                    std::optional<std::uint16_t> current_register);

// The request that reads the point (its registers or its bit) back.
modbus::Pdu make_point_read(const profile::Point& point);

}  // namespace regpoll::poll
