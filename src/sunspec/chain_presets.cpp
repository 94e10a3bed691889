// Simulator presets that mirror SunSpec devices in the field (anchors-wave2 §1): where they
// serve SunSpec, the models they carry, and their quirks.
#include "sunspec/chain_image.hpp"

namespace regpoll::sunspec {

namespace {

ModelSpec common(const char* mn, const char* md, const char* sn, const char* vr) {
    ModelSpec m;
    m.id = 1;
    m.values = {{"Mn", mn}, {"Md", md}, {"SN", sn}, {"Vr", vr}, {"DA", 1}};
    return m;
}

ModelSpec model(std::uint16_t id, std::size_t repeats = 1) {
    ModelSpec m;
    m.id = id;
    m.repeats = repeats;
    return m;
}

// Fronius: a 65-register common model, float inverter and MPPT models, and its smart meter
// (float 213) on unit 200 as a GEN24 has it.
std::vector<ChainSpec> fronius() {
    auto inverter = common("Fronius", "Symo 8.2-3-M", "31415926", "3.17.2-1");
    inverter.length = 65;
    auto meter = common("Fronius", "Smart Meter TS 65A-3", "27182818", "1.3");
    meter.length = 65;
    return {ChainSpec{1, 40000, ChainEnd::ffff, {inverter, model(113), model(160, 2)}},
            ChainSpec{200, 40000, ChainEnd::ffff, {meter, model(213)}}};
}

// SMA: SunSpec on unit 126 only, models 11 and 12 (Ethernet, IPv4) before the inverter.
std::vector<ChainSpec> sma() {
    return {ChainSpec{126,
                      40000,
                      ChainEnd::ffff,
                      {common("SMA", "STP 10.0-3AV-40", "3005012345", "3.10.10.R"), model(11),
                       model(12), model(103), model(120), model(160, 2)}}};
}

// SolarEdge: the meter behind the inverter is a subdevice with its own common model.
std::vector<ChainSpec> solaredge() {
    return {ChainSpec{1,
                      40000,
                      ChainEnd::ffff,
                      {common("SolarEdge", "SE7600H-US", "7E123456", "0004.0014.0032"), model(101),
                       common("SolarEdge", "WND-3Y-400-MB", "7E123457", "2.2"), model(203)}}};
}

// Kostal: no end marker; reading past the battery model (802) is refused.
std::vector<ChainSpec> kostal() {
    return {ChainSpec{1,
                      40000,
                      ChainEnd::exception,
                      {common("KOSTAL", "PLENTICORE plus 10", "90123456", "01.26"), model(103),
                       model(113), model(160, 3), model(802)}}};
}

}  // namespace

std::vector<ChainSpec> chain_preset(const std::string& name) {
    if (name == "fronius") return fronius();
    if (name == "sma") return sma();
    if (name == "solaredge") return solaredge();
    if (name == "kostal") return kostal();
    return {};
}

}  // namespace regpoll::sunspec
