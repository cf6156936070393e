#include "voirie/core/rating/rating_scheme.hpp"

#include "builtin_rating_schemes.hpp"
#include "voirie/core/vocabulary/damage_classes.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

namespace voirie {

double DeductCurve::at(double density) const
{
    if (points.empty() || density <= 0)
        return 0;
    if (density <= points.front().first)
        return points.front().second * density / points.front().first;
    for (size_t i = 1; i < points.size(); ++i) {
        const auto& [x1, y1] = points[i];
        if (density <= x1) {
            const auto& [x0, y0] = points[i - 1];
            const double t = (std::log10(density) - std::log10(x0)) / (std::log10(x1) - std::log10(x0));
            return y0 + t * (y1 - y0);
        }
    }
    return points.back().second;
}

namespace {

const char* const kSeverityKeys[3] = {"L", "M", "H"};

Result<DeductCurve> parseCurve(const nlohmann::json& j, const std::string& where)
{
    if (!j.is_array() || j.empty())
        return fail(where + " must be a list of [density_percent, deduct] points");
    DeductCurve curve;
    for (const auto& p : j) {
        if (!p.is_array() || p.size() != 2 || !p[0].is_number() || !p[1].is_number())
            return fail(where + " must be a list of [density_percent, deduct] points, found " + p.dump());
        const double x = p[0].get<double>(), y = p[1].get<double>();
        if (x <= 0 || y < 0 || y > 100)
            return fail(where + ": densities must be above 0 and deducts within 0..100, found " + p.dump());
        if (!curve.points.empty() && (x <= curve.points.back().first || y < curve.points.back().second))
            return fail(where + ": densities must increase and deducts never decrease, point by point");
        curve.points.emplace_back(x, y);
    }
    return curve;
}

Result<ClassRule> parseClass(const std::string& code, const nlohmann::json& j, const std::string& origin)
{
    const std::string where = origin + ": class " + code;
    if (!j.is_object())
        return fail(where + " must be an object with \"quantity\" and \"deducts\"");
    ClassRule rule;
    rule.class_code = code;
    const std::string quantity = j.value("quantity", "");
    if (quantity == "length_m")
        rule.quantity = RatedQuantity::LengthM;
    else if (quantity == "area_m2")
        rule.quantity = RatedQuantity::AreaM2;
    else if (quantity == "count")
        rule.quantity = RatedQuantity::Count;
    else
        return fail(where + ": \"quantity\" must be \"length_m\", \"area_m2\" or \"count\"");
    if (!j.contains("deducts") || !j["deducts"].is_object())
        return fail(where + " needs \"deducts\": {\"L\": [...], \"M\": [...], \"H\": [...]}");
    for (int s = 0; s < 3; ++s) {
        if (!j["deducts"].contains(kSeverityKeys[s]))
            return fail(where + " has no deduct curve for severity " + kSeverityKeys[s]);
        auto curve = parseCurve(j["deducts"][kSeverityKeys[s]], where + " severity " + kSeverityKeys[s]);
        if (!curve)
            return fail(curve.error());
        rule.deducts[size_t(s)] = std::move(*curve);
    }
    // A worse severity never deducts less at the same density (checked at every point of both).
    for (int s = 1; s < 3; ++s) {
        std::vector<double> xs;
        for (int k : {s - 1, s})
            for (const auto& p : rule.deducts[size_t(k)].points)
                xs.push_back(p.first);
        for (double x : xs)
            if (rule.deducts[size_t(s)].at(x) + 1e-9 < rule.deducts[size_t(s - 1)].at(x))
                return fail(where + ": severity " + kSeverityKeys[s] + " deducts less than " + kSeverityKeys[s - 1] +
                            " at density " + std::to_string(x) + "%");
    }
    return rule;
}

} // namespace

Result<RatingScheme> parseRatingScheme(const std::string& text, const std::string& origin)
{
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const std::exception& e) {
        return fail("rating scheme " + origin + " is not valid JSON: " + e.what());
    }
    const std::string where = "rating scheme " + origin;
    if (!j.is_object())
        return fail(where + " must be a JSON object");
    RatingScheme s;
    s.text = text;
    s.source = origin;
    try {
        s.name = j.at("name").get<std::string>();
        s.title = j.value("title", s.name);
        s.description = j.value("description", "");
        const auto& index = j.at("index");
        s.index_min = index.at("min").get<double>();
        s.index_max = index.at("max").get<double>();
        s.integer_index = index.value("integer", false);
        s.weights = j.at("combine").at("weights").get<std::vector<double>>();
        for (const auto& [code, rule] : j.at("classes").items()) {
            if (!isKnownDamageClass(code))
                return fail(where + ": \"" + code + "\" is not a damage class code (D00, D10, D20, D40, ...)");
            auto parsed = parseClass(code, rule, where);
            if (!parsed)
                return fail(parsed.error());
            s.classes.push_back(std::move(*parsed));
        }
        for (const auto& band : j.at("grades"))
            s.grades.push_back({band.at("min").get<double>(), band.at("grade").get<std::string>(),
                                band.value("label", ""), band.at("treatment").get<std::string>()});
    } catch (const nlohmann::json::exception& e) {
        return fail(where + " is incomplete or mistyped: " + e.what() +
                    " (it needs name, index {min, max}, combine {weights}, classes and grades)");
    }
    if (s.name.empty())
        return fail(where + ": \"name\" is empty");
    if (!(s.index_max > s.index_min))
        return fail(where + ": index max must be above index min");
    if (s.classes.empty())
        return fail(where + ": \"classes\" rates no class");
    if (s.weights.empty() || s.weights.front() <= 0)
        return fail(where + ": combine weights must start with a positive weight");
    for (size_t i = 0; i < s.weights.size(); ++i)
        if (s.weights[i] < 0 || (i && s.weights[i] > s.weights[i - 1]))
            return fail(where + ": combine weights must be non-negative and never increase (largest deduct first)");
    if (s.grades.empty())
        return fail(where + ": \"grades\" is empty");
    std::sort(s.grades.begin(), s.grades.end(), [](const auto& a, const auto& b) { return a.min_index > b.min_index; });
    if (s.grades.back().min_index > s.index_min)
        return fail(where + ": no grade band reaches down to the index minimum " + std::to_string(s.index_min));
    for (size_t i = 1; i < s.grades.size(); ++i)
        if (s.grades[i].min_index == s.grades[i - 1].min_index)
            return fail(where + ": two grade bands start at " + std::to_string(s.grades[i].min_index));
    return s;
}

Result<RatingScheme> loadRatingScheme(const std::string& name_or_file)
{
    if (const std::string text = builtinRatingSchemeText(name_or_file); !text.empty()) {
        auto scheme = parseRatingScheme(text, name_or_file);
        if (scheme)
            scheme->source = "built-in";
        return scheme;
    }
    std::ifstream in(name_or_file);
    if (!in) {
        std::string names;
        for (const auto& n : builtinRatingSchemes())
            names += (names.empty() ? "" : ", ") + n;
        return fail("rating scheme " + name_or_file + " is neither a built-in scheme (" + names +
                    ") nor a readable file");
    }
    std::stringstream text;
    text << in.rdbuf();
    return parseRatingScheme(text.str(), name_or_file);
}

std::vector<std::string> builtinRatingSchemes()
{
    std::vector<std::string> names;
    for (const auto& s : kBuiltinRatingSchemes)
        names.emplace_back(s.name);
    return names;
}

std::string builtinRatingSchemeText(const std::string& name)
{
    for (const auto& s : kBuiltinRatingSchemes)
        if (name == s.name)
            return s.text;
    return {};
}

} // namespace voirie
