// libFuzzer target: the Shine record stream and record decoders, fed the way a datalogger
// connection is (reads of varying size).
//
// Input: one byte choosing the read size (1 + byte), then the bytes from the stick.
#include <algorithm>
#include <cstdint>
#include <span>

#include "fuzz_support.hpp"
#include "shine/record_stream.hpp"
#include "shine/records.hpp"

using namespace regpoll;

namespace {

void check_frame(const shine::Frame& f) {
    const auto again = shine::encode_frame(f.transaction, f.protocol, f.unit, f.type, f.body);
    fuzz::require(std::ranges::equal(again, f.raw), "a Shine frame re-encodes to its own bytes");
    for (std::size_t k = 0; k < f.raw.size(); ++k) {
        const auto r = shine::cut_frame(std::span(f.raw).first(k));
        fuzz::require(r.status == shine::CutResult::Status::need_more && r.consumed == 0,
                      "every proper prefix of a frame is need_more with nothing consumed");
        if (k > 64) break;  // the header decides; longer prefixes only cost time
    }
    if (shine::reply_to(f.type) == shine::Reply::ack) {
        const auto ack = shine::build_ack(f);
        fuzz::require(ack.size() == (shine::is_masked(f.protocol) ? 11U : 9U),
                      "an ack is 9 bytes plain, 11 masked");
    }
    (void)shine::datalogger_of(f);
    if (!shine::is_data_record(f.type)) return;
    const auto rec = shine::decode_data_record(f);
    if (!rec) {
        fuzz::require(!rec.error().empty(), "a decode error says what is wrong");
        return;
    }
    fuzz::require(!rec->blocks.empty(), "a decoded record has blocks");
    for (const auto& b : rec->blocks) {
        fuzz::require(!b.values.empty() && b.first + b.values.size() - 1 <= 0xFFFF,
                      "blocks stay inside the register space");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::ByteReader in(std::span<const std::uint8_t>(data, size));
    const std::size_t chunk = 1U + in.u8();
    auto rest = in.rest();
    shine::RecordStream stream;
    std::size_t consumed = 0;
    while (!rest.empty()) {
        const auto read = rest.first(std::min(chunk, rest.size()));
        rest = rest.subspan(read.size());
        stream.append(read);
        for (;;) {
            const std::size_t before = stream.buffered();
            const auto r = stream.next();
            fuzz::require(r.consumed <= before, "consumed <= buffered");
            if (r.status == shine::CutResult::Status::need_more) {
                fuzz::require(r.consumed == 0, "need_more consumes nothing");
                break;
            }
            fuzz::require(r.consumed > 0, "a frame or a drop consumes bytes");
            consumed += r.consumed;
            if (r.status == shine::CutResult::Status::frame) {
                fuzz::require(r.frame.raw.size() == r.consumed, "a frame consumes its bytes");
                check_frame(r.frame);
            } else {
                fuzz::require(r.error != shine::CutError::none, "a drop names its reason");
            }
        }
        fuzz::require(stream.buffered() < shine::header_size + shine::max_length + shine::crc_size,
                      "the receive buffer stays below one largest frame");
    }
    fuzz::require(consumed + stream.buffered() == size - std::min<std::size_t>(size, 1),
                  "every byte is consumed or still buffered");
    return 0;
}
