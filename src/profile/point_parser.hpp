#pragma once
// One point from its JSON object (a profile's "points" entry, or a device's inline point),
// with the profile's "defaults" filling what the point does not say.
#include <optional>

#include "profile/json_reader.hpp"
#include "profile/point.hpp"
#include "profile/point_types.hpp"

namespace regpoll::profile {

// nullopt when the point has errors (all reported to the reader's Diagnostics). `types`
// adds decoder plugins' point types to the codec's.
std::optional<Point> parse_point(JsonReader& reader, const PointTypes* types = nullptr);

// Checks a "defaults" object: any point field but name and address.
void check_point_defaults(const Json& defaults, const std::string& file, const std::string& path,
                          Diagnostics& diag);

// Checks a set of points together: unique names, scale_register targets, overlaps that
// disagree. `file` and each point's origin name the places.
void check_points(const std::vector<Point>& points, const std::string& file, Diagnostics& diag);

}  // namespace regpoll::profile
