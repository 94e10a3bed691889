#pragma once
// Reading one model of a chain: its L (in a request of its own), then its body in pieces of
// at most 125 registers that end on point boundaries where the model's layout allows.
#include <string>
#include <vector>

#include "sunspec/chain_walker.hpp"

namespace regpoll::sunspec {

// The model whose ID `id` was read at `at`. Quirks (L differing from the specification,
// points that do not fit) go to `notes`.
Expected<DiscoveredModel> read_model(const RegisterReader& read, std::uint16_t id, std::uint16_t at,
                                     std::vector<std::string>& notes);

// Where the next read of a body may end: the furthest point boundary (`boundaries` sorted)
// within `max` registers after `start` (offsets from the model's ID register); start + max
// when a single point is longer than that (it is then read in pieces: nothing else can be
// done).
std::size_t piece_end(const std::vector<std::size_t>& boundaries, std::size_t start,
                      std::size_t max);

// A string point of the model as text ("" if missing).
std::string text_point(const DiscoveredModel& model, const std::string& name);

}  // namespace regpoll::sunspec
