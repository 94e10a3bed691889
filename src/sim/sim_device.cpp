#include "sim/sim_device.hpp"

#include <map>

#include "sim/default_generator.hpp"
#include "sim/value_order.hpp"

namespace regpoll::sim {

SimDevice::SimDevice(const DeviceSpec& spec, LocalZone zone, std::uint64_t seed,
                     const TermResolver& resolve)
    : name_(spec.name),
      unit_(spec.unit),
      profile_ref_(spec.profile_ref),
      manufacturer_(spec.profile->manufacturer),
      model_(spec.profile->model),
      writer_(spec.profile->points, spec.profile->limits),
      engine_(std::make_shared<std::mt19937_64>(seed)) {
    const auto& points = writer_.points();
    const DeviceFacts facts{manufacturer_, model_, unit_};
    specs_.resize(points.size());
    generators_.resize(points.size());
    values_.resize(points.size());
    std::map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < points.size(); ++i) index.emplace(points[i].name, i);
    for (std::size_t i = 0; i < points.size(); ++i) {
        const auto configured = spec.points.find(points[i].name);
        if (writer_.is_derived(i)) continue;
        if (configured == spec.points.end()) {
            if (writer_.is_scale_factor(i)) continue;
            auto identifying = identify_generator(i, *spec.profile);
            specs_[i] = identifying ? *identifying : default_generator(points[i], points, facts);
        } else {
            specs_[i] = configured->second;
            if (writer_.is_scale_factor(i)) writer_.set_scale_factor_given(i);
        }
        GeneratorContext context;
        context.zone = zone;
        context.random = [engine = engine_] {
            return std::generate_canonical<double, 53>(*engine);
        };
        if (specs_[i].kind == GeneratorKind::energy) {
            if (auto src = index.find(specs_[i].source); src != index.end()) {
                context.source = [this, s = src->second] { return codec::to_double(values_[s]); };
            }
        }
        for (const auto& term : specs_[i].terms) {
            const auto own = index.find(term.ref);
            if (resolve) {
                context.terms.push_back(resolve(term.ref));
            } else if (own != index.end()) {
                context.terms.push_back(
                    [this, s = own->second] { return codec::to_double(values_[s]); });
            } else {
                context.terms.emplace_back();
            }
        }
        generators_[i] = make_generator(specs_[i], std::move(context));
    }
    ValueOwner self{name_, {}, {}};
    for (std::size_t i = 0; i < points.size(); ++i) {
        self.names.push_back(points[i].name);
        self.specs.push_back(generator_spec(i));
    }
    for (const auto& ref : order_values({self}).order) order_.push_back(ref.index);
}

void SimDevice::attach(server::UnitTables& tables) const {
    writer_.map(tables);
    tables.identity().set_object(server::ObjectId::vendor_name, manufacturer_);
    tables.identity().set_object(server::ObjectId::product_code, model_);
    tables.identity().set_object(server::ObjectId::major_minor_revision, "regpoll simulate");
    tables.identity().set_object(server::ObjectId::model_name, model_);
}

void SimDevice::refresh(SimTime t, server::UnitTables& tables, std::vector<std::string>& problems) {
    for (std::size_t i : order_) generate(i, t);
    write(tables, problems);
}

void SimDevice::generate(std::size_t i, SimTime t) {
    if (generators_[i]) values_[i] = generators_[i]->next(t);
}

void SimDevice::write(server::UnitTables& tables, std::vector<std::string>& problems) {
    std::vector<std::string> found;
    intended_ = writer_.write(values_, tables, found);
    for (auto& problem : found) problems.push_back(name_ + ": " + problem);
}

std::vector<std::string> SimDevice::plan() const {
    std::vector<std::string> lines;
    const auto& points = writer_.points();
    for (std::size_t i = 0; i < points.size(); ++i) {
        std::string line = points[i].name + ": ";
        if (writer_.is_derived(i)) {
            line += "read back (shares its registers with another point)";
        } else if (!generators_[i]) {
            line += "scale factor, the smallest exponent that fits its values";
        } else {
            line += describe(specs_[i]);
        }
        lines.push_back(std::move(line));
    }
    return lines;
}

}  // namespace regpoll::sim
