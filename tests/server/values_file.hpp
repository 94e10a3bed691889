#pragma once
// Initial tables for regpoll-testserver in the values-file format of the pymodbus peer
// (tests/integration/peer/modbus_peer.py), so one file describes both servers:
//   {"holding": {"0": [1, 2], "100": ["0x47F1", -2]}, "input": {...}, "coils": {"0": [1, 0]},
//    "discrete": {...}, "sizes": {"holding": 200}, "units": {"2": {"holding": {"0": 5}}}}
// One extension: "ranges": {"holding": [[0, 100], [200, 10]]} maps exactly those ranges of
// a table instead of 0..size-1, to get unmapped gaps. Values outside what is mapped are
// dropped with a warning, as the peer does.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "server/data_tables.hpp"

namespace regpoll::server::testserver {

// The peer's built-in values (modbus_peer.py DEFAULT_VALUES).
nlohmann::json default_values();

// Adds every unit of `units` to `tables` and fills it from `values`. Throws
// std::runtime_error naming the JSON path on a bad file; warnings go to `warnings`.
void load_values(const nlohmann::json& values, const std::string& source,
                 const std::vector<std::uint8_t>& units, TableLayout layout, DataTables& tables,
                 std::vector<std::string>& warnings);

}  // namespace regpoll::server::testserver
