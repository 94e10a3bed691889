#include "app/basic_identification.hpp"

#include "modbus/error.hpp"

namespace regpoll::app {

BasicIdentification read_basic_identification(Session& session) {
    BasicIdentification found;
    std::uint8_t next = 0;
    for (int round = 0; round < 4; ++round) {
        auto request = modbus::make_read_device_identification(1, next);
        auto response = session.transact(*request);
        if (!response) {
            found.timed_out = response.error() == modbus::Errc::timeout;
            return found;
        }
        auto id = modbus::parse_device_identification(*request, *response);
        if (!id) return found;
        found.answered = true;
        for (const auto& [object, text] : id->objects) {
            if (object == 0) found.vendor = text;
            if (object == 1) found.product_code = text;
            if (object == 2) found.revision = text;
        }
        if (!id->more_follows || id->next_object_id <= next) return found;
        next = id->next_object_id;
    }
    return found;
}

}  // namespace regpoll::app
