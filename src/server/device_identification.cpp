// FC43 / MEI 14, Read Device Identification (Modbus Application Protocol 1.1b3, 6.21).
#include <vector>

#include "server/request_handler.hpp"

namespace regpoll::server {
namespace {

using modbus::Errc;

constexpr std::uint8_t fc43 = static_cast<std::uint8_t>(modbus::Function::encapsulated_interface);
constexpr std::size_t header_size = 7;  // FC, MEI, code, conformity, more, next id, count

// Highest object id each stream code reaches: basic, regular (includes basic), extended.
std::uint8_t last_object_of(std::uint8_t read_code) {
    switch (read_code) {
        case 1:
            return 0x02;
        case 2:
            return 0x7F;
        default:
            return 0xFF;
    }
}

}  // namespace

modbus::Pdu read_device_identification(const DeviceIdentity& identity,
                                       std::span<const std::uint8_t> request) {
    if (request.size() != 4) return exception_response(fc43, Errc::illegal_data_value);
    if (request[1] != modbus::mei_read_device_id) {
        return exception_response(fc43, Errc::illegal_function);
    }
    const std::uint8_t code = request[2];
    const std::uint8_t wanted = request[3];
    if (code < 1 || code > 4) return exception_response(fc43, Errc::illegal_data_value);

    // Objects to send, in id order.
    std::vector<std::pair<std::uint8_t, const std::string*>> list;
    if (code == 4) {
        const std::string* text = identity.object(wanted);
        if (text == nullptr) return exception_response(fc43, Errc::illegal_data_address);
        list.emplace_back(wanted, text);
    } else {
        const std::uint8_t last = last_object_of(code);
        // An object id that is not there (or not in this category) restarts the stream.
        const bool known = wanted <= last && identity.object(wanted) != nullptr;
        const std::uint8_t first = known ? wanted : 0;
        for (const auto& [id, text] : identity.objects()) {
            if (id >= first && id <= last) list.emplace_back(id, &text);
        }
    }

    modbus::Pdu rsp{fc43, modbus::mei_read_device_id, code, identity.conformity(), 0x00, 0x00,
                    0x00};
    std::uint8_t count = 0;
    for (const auto& [id, text] : list) {
        if (rsp.size() + 2 + text->size() > modbus::max_pdu_size) {
            rsp[4] = 0xFF;  // more follows, from this object on
            rsp[5] = id;
            break;
        }
        rsp.push_back(id);
        rsp.push_back(static_cast<std::uint8_t>(text->size()));
        rsp.insert(rsp.end(), text->begin(), text->end());
        ++count;
    }
    rsp[header_size - 1] = count;
    return rsp;
}

}  // namespace regpoll::server
