#pragma once
// A decoder plugin's point type, as the profile layer sees point types.
#include <memory>

#include "plugin/plugin_library.hpp"
#include "profile/point_types.hpp"

namespace regpoll::plugin {

class PluginDecoder final : public profile::PointDecoder {
  public:
    // `decoder` is one of library's description's decoders.
    PluginDecoder(std::shared_ptr<const PluginLibrary> library, const regpoll_decoder& decoder)
        : library_(std::move(library)), decoder_(decoder), type_(decoder.type) {}

    const std::string& type_name() const override { return type_; }
    std::size_t registers() const override { return decoder_.registers; }
    std::string origin() const override { return "decoder " + library_->label(); }
    codec::Value decode(std::span<const std::uint16_t> registers,
                        std::string& error) const override;

  private:
    std::shared_ptr<const PluginLibrary> library_;
    const regpoll_decoder& decoder_;
    std::string type_;
};

}  // namespace regpoll::plugin
