#include "sim/generators.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace regpoll::sim {
namespace {

class Constant final : public Generator {
  public:
    explicit Constant(codec::Value value) : value_(std::move(value)) {}
    codec::Value next(SimTime) override { return value_; }

  private:
    codec::Value value_;
};

class Unavailable final : public Generator {
  public:
    codec::Value next(SimTime) override { return std::monostate{}; }
};

class RandomWalk final : public Generator {
  public:
    RandomWalk(const GeneratorSpec& spec, RandomSource random)
        : nominal_(spec.nominal),
          half_width_(std::fabs(spec.nominal) * spec.spread),
          step_(std::fabs(spec.nominal) * spec.step),
          random_(std::move(random)) {}

    codec::Value next(SimTime) override {
        if (!value_) {
            value_ = nominal_;
        } else {
            const double r = random_ ? random_() : 0.5;
            const double moved = *value_ + step_ * (2 * r - 1);
            value_ = std::clamp(moved, nominal_ - half_width_, nominal_ + half_width_);
        }
        return *value_;
    }

  private:
    double nominal_;
    double half_width_;
    double step_;
    RandomSource random_;
    std::optional<double> value_;
};

class Solar final : public Generator {
  public:
    Solar(const GeneratorSpec& spec, LocalZone zone, RandomSource random)
        : spec_(spec), zone_(zone), random_(std::move(random)) {}

    codec::Value next(SimTime t) override {
        const double h = zone_.hours(t);
        if (h <= spec_.sunrise || h >= spec_.sunset) return 0.0;
        const double phase = (h - spec_.sunrise) / (spec_.sunset - spec_.sunrise);
        double power = spec_.peak * std::sin(std::numbers::pi * phase);
        if (spec_.noise > 0 && random_) power *= 1 + spec_.noise * (2 * random_() - 1);
        return std::max(0.0, power);
    }

  private:
    GeneratorSpec spec_;
    LocalZone zone_;
    RandomSource random_;
};

// Trapezoidal integration of the source between refreshes. Power whose product with
// `factor` is below zero adds nothing: the counter never runs backwards, and a negative
// factor counts a meter's other direction (export).
class Energy final : public Generator {
  public:
    Energy(const GeneratorSpec& spec, LocalZone zone, std::function<std::optional<double>()> source)
        : spec_(spec), zone_(zone), source_(std::move(source)), value_(spec.start) {}

    codec::Value next(SimTime t) override {
        const double read = (source_ ? source_() : std::nullopt).value_or(0.0);
        const double power = spec_.factor < 0 ? std::min(0.0, read) : std::max(0.0, read);
        if (last_time_) {
            if (spec_.daily && zone_.day(t) != zone_.day(*last_time_)) {
                value_ = 0;
            } else {
                const double hours = std::max(0.0, seconds_between(*last_time_, t)) / 3600.0;
                value_ += (last_power_ + power) / 2 * hours * spec_.factor;
            }
        }
        last_time_ = t;
        last_power_ = power;
        return value_;
    }

  private:
    GeneratorSpec spec_;
    LocalZone zone_;
    std::function<std::optional<double>()> source_;
    double value_;
    std::optional<SimTime> last_time_;
    double last_power_ = 0;
};

class Counter final : public Generator {
  public:
    explicit Counter(const GeneratorSpec& spec) : start_(spec.start), rate_(spec.rate) {}

    codec::Value next(SimTime t) override {
        if (!first_) first_ = t;
        return start_ + rate_ * std::max(0.0, seconds_between(*first_, t));
    }

  private:
    double start_;
    double rate_;
    std::optional<SimTime> first_;
};

class Cycle final : public Generator {
  public:
    Cycle(std::vector<codec::Value> values, std::chrono::milliseconds period)
        : values_(std::move(values)),
          period_(std::max<std::chrono::milliseconds::rep>(1, period.count())) {}

    codec::Value next(SimTime t) override {
        if (values_.empty()) return std::monostate{};
        if (!first_) first_ = t;
        const auto elapsed =
            std::chrono::duration_cast<std::chrono::milliseconds>(t - *first_).count();
        const auto index = static_cast<std::size_t>(std::max<long long>(0, elapsed) / period_);
        return values_[index % values_.size()];
    }

  private:
    std::vector<codec::Value> values_;
    long long period_;
    std::optional<SimTime> first_;
};

class Derived final : public Generator {
  public:
    Derived(const GeneratorSpec& spec, std::vector<std::function<std::optional<double>()>> reads)
        : spec_(spec), reads_(std::move(reads)) {}

    codec::Value next(SimTime) override {
        double sum = spec_.offset;
        for (std::size_t i = 0; i < spec_.terms.size(); ++i) {
            const auto v = i < reads_.size() && reads_[i] ? reads_[i]() : std::nullopt;
            if (!v) return std::monostate{};
            sum += spec_.terms[i].factor * *v;
        }
        return spec_.magnitude ? std::abs(sum) : sum;
    }

  private:
    GeneratorSpec spec_;
    std::vector<std::function<std::optional<double>()>> reads_;
};

class Clamped final : public Generator {
  public:
    Clamped(std::unique_ptr<Generator> inner, std::optional<double> min, std::optional<double> max)
        : inner_(std::move(inner)), min_(min), max_(max) {}

    codec::Value next(SimTime t) override {
        codec::Value v = inner_->next(t);
        if (!std::holds_alternative<double>(v)) return v;  // texts, bools and exact integers pass
        double d = std::get<double>(v);
        if (min_) d = std::max(d, *min_);
        if (max_) d = std::min(d, *max_);
        return d;
    }

  private:
    std::unique_ptr<Generator> inner_;
    std::optional<double> min_;
    std::optional<double> max_;
};

std::unique_ptr<Generator> make_unclamped(const GeneratorSpec& spec, GeneratorContext& context) {
    switch (spec.kind) {
        case GeneratorKind::constant:
            return std::make_unique<Constant>(spec.value);
        case GeneratorKind::random_walk:
            return std::make_unique<RandomWalk>(spec, std::move(context.random));
        case GeneratorKind::solar:
            return std::make_unique<Solar>(spec, context.zone, std::move(context.random));
        case GeneratorKind::energy:
            return std::make_unique<Energy>(spec, context.zone, std::move(context.source));
        case GeneratorKind::counter:
            return std::make_unique<Counter>(spec);
        case GeneratorKind::cycle:
            return std::make_unique<Cycle>(spec.values, spec.period);
        case GeneratorKind::unavailable:
            return std::make_unique<Unavailable>();
        case GeneratorKind::derived:
            return std::make_unique<Derived>(spec, std::move(context.terms));
    }
    return std::make_unique<Unavailable>();
}

}  // namespace

std::unique_ptr<Generator> make_generator(const GeneratorSpec& spec, GeneratorContext context) {
    auto generator = make_unclamped(spec, context);
    if (!spec.min && !spec.max) return generator;
    return std::make_unique<Clamped>(std::move(generator), spec.min, spec.max);
}

}  // namespace regpoll::sim
