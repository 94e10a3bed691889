#include "app/identify_match.hpp"

namespace regpoll::app {
namespace {

std::string expected_text(const profile::IdentifyCheck& check) {
    if (check.pattern) return "/" + check.pattern->source + "/";
    if (check.min && check.max) return codec::format_value(*check.min) + " to " + codec::format_value(*check.max);
    if (check.min) return codec::format_value(*check.min) + " or more";
    if (check.max) return codec::format_value(*check.max) + " or less";
    std::string text;
    for (std::size_t i = 0; i < check.values.size(); ++i) {
        if (i > 0) text += i + 1 == check.values.size() ? " or " : ", ";
        const auto& v = check.values[i];
        if (const auto* d = std::get_if<double>(&v)) {
            text += codec::format_value(*d);
        } else {
            text += "\"" + std::get<std::string>(v) + "\"";
        }
    }
    if (check.mask) text += " (after & " + std::to_string(*check.mask) + ")";
    return text;
}

void note(Fit& fit, Evidence e) {
    if (e.outcome == Evidence::Outcome::matched) ++fit.score;
    if (e.outcome == Evidence::Outcome::failed && fit.reason.empty()) {
        fit.reason = e.what + " is " + e.value + ", expected " + e.expected;
    }
    fit.evidence.push_back(std::move(e));
}

// A text the device answered (FC43 object, SunSpec string) against a pattern; skipped when
// the device did not answer at all.
void text_check(Fit& fit, const std::string& what, const std::optional<profile::TextPattern>& pattern,
                const std::string* text) {
    if (!pattern) return;
    Evidence e{what, text ? "\"" + *text + "\"" : "not answered", "/" + pattern->source + "/",
               Evidence::Outcome::skipped};
    if (text) e.outcome = pattern->matches(*text) ? Evidence::Outcome::matched : Evidence::Outcome::failed;
    note(fit, std::move(e));
}

}  // namespace

Fit match_profile(const profile::Identify& identify, const std::vector<CheckReading>& readings,
                  const std::optional<BasicIdentification>& fc43,
                  const std::optional<SunspecIdentity>& sunspec) {
    Fit fit;
    for (std::size_t i = 0; i < identify.checks.size() && i < readings.size(); ++i) {
        const auto& check = identify.checks[i];
        const auto& r = readings[i];
        Evidence e{std::string(modbus::register_kind_name(r.kind)) + " " + std::to_string(r.address) + " " + check.point,
                   r.error.empty() ? profile::identify_text(r.value) : r.error, expected_text(check),
                   Evidence::Outcome::failed};
        if (r.error.empty() && std::holds_alternative<std::string>(r.value)) e.value = "\"" + e.value + "\"";
        if (r.error.empty() && profile::check_accepts(check, r.value)) e.outcome = Evidence::Outcome::matched;
        note(fit, std::move(e));
    }
    const bool fc43_answered = fc43 && fc43->answered;
    text_check(fit, "FC43 vendor", identify.fc43_vendor, fc43_answered ? &fc43->vendor : nullptr);
    text_check(fit, "FC43 product", identify.fc43_product, fc43_answered ? &fc43->product_code : nullptr);
    text_check(fit, "SunSpec Mn", identify.sunspec_manufacturer, sunspec ? &sunspec->manufacturer : nullptr);
    text_check(fit, "SunSpec Md", identify.sunspec_model, sunspec ? &sunspec->model : nullptr);
    fit.fits = fit.reason.empty() && fit.score > 0;
    if (fit.reason.empty() && fit.score == 0) fit.reason = "nothing it declares was answered";
    return fit;
}

}  // namespace regpoll::app
