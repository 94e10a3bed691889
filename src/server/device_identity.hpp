#pragma once
// What a unit tells about itself: the FC43/14 (Read Device Identification) objects and
// the FC17 (Report Server ID) payload.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace regpoll::server {

// Object ids of the specification's basic (0x00-0x02) and regular (0x03-0x06) objects;
// 0x80-0xFF are product specific (extended).
enum class ObjectId : std::uint8_t {
    vendor_name = 0x00,
    product_code = 0x01,
    major_minor_revision = 0x02,
    vendor_url = 0x03,
    product_name = 0x04,
    model_name = 0x05,
    user_application_name = 0x06,
};

class DeviceIdentity {
  public:
    // An object must fit in one response next to the 7-byte header and its own id and
    // length bytes (253 - 7 - 2).
    static constexpr std::size_t max_object_length = 244;
    // FC17 data: byte count is one byte and the PDU holds at most 253 bytes.
    static constexpr std::size_t max_server_id_length = 251;

    // Sets object `id`; text longer than max_object_length is cut. Empty text removes the
    // object (the specification has no empty objects).
    void set_object(std::uint8_t id, std::string text);
    void set_object(ObjectId id, std::string text) {
        set_object(static_cast<std::uint8_t>(id), std::move(text));
    }
    const std::string* object(std::uint8_t id) const;
    const std::map<std::uint8_t, std::string>& objects() const { return objects_; }

    // Conformity level for FC43/14 responses: 0x81 basic, 0x82 regular, 0x83 extended, by
    // the highest category that holds an object; individual access (code 4) is always
    // supported, hence bit 0x80.
    std::uint8_t conformity() const;

    // FC17 payload after the byte count: server id, run indicator (0xFF = ON), then any
    // device-specific data. Cut to max_server_id_length.
    void set_server_id(std::vector<std::uint8_t> data);
    const std::vector<std::uint8_t>& server_id() const { return server_id_; }

  private:
    std::map<std::uint8_t, std::string> objects_;
    std::vector<std::uint8_t> server_id_;
};

}  // namespace regpoll::server
