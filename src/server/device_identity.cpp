#include "server/device_identity.hpp"

namespace regpoll::server {

void DeviceIdentity::set_object(std::uint8_t id, std::string text) {
    if (text.empty()) {
        objects_.erase(id);
        return;
    }
    if (text.size() > max_object_length) text.resize(max_object_length);
    objects_[id] = std::move(text);
}

const std::string* DeviceIdentity::object(std::uint8_t id) const {
    auto it = objects_.find(id);
    return it == objects_.end() ? nullptr : &it->second;
}

std::uint8_t DeviceIdentity::conformity() const {
    std::uint8_t level = 0x01;
    for (const auto& [id, text] : objects_) {
        if (id >= 0x80) return 0x83;
        if (id >= 0x03) level = 0x02;
    }
    return static_cast<std::uint8_t>(0x80 | level);
}

void DeviceIdentity::set_server_id(std::vector<std::uint8_t> data) {
    if (data.size() > max_server_id_length) data.resize(max_server_id_length);
    server_id_ = std::move(data);
}

}  // namespace regpoll::server
