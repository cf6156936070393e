#include "voirie/core/evaluation/score_table.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace voirie {

nlohmann::ordered_json scoreJson(const ClassScore& s)
{
    auto round4 = [](double v) { return std::round(v * 10000.0) / 10000.0; };
    return {{"tp", s.tp},
            {"fp", s.fp},
            {"fn", s.fn},
            {"precision", round4(s.precision())},
            {"recall", round4(s.recall())},
            {"f1", round4(s.f1())}};
}

nlohmann::ordered_json ScoreTable::toJson() const
{
    nlohmann::ordered_json j;
    j["classes"] = nlohmann::ordered_json::object();
    for (const auto& [cls, s] : classes)
        j["classes"][cls] = scoreJson(s);
    j["overall"] = scoreJson(overall());
    return j;
}

std::string ScoreTable::toText() const
{
    std::string out = "class      tp    fp    fn  precision  recall     f1\n";
    char line[128];
    auto row = [&](const std::string& name, const ClassScore& s) {
        std::snprintf(line, sizeof(line), "%-8s %4d  %4d  %4d  %9.3f  %6.3f  %5.3f\n", name.c_str(), s.tp, s.fp, s.fn,
                      s.precision(), s.recall(), s.f1());
        out += line;
    };
    for (const auto& [cls, s] : classes)
        row(cls, s);
    row("overall", overall());
    return out;
}

std::optional<double> percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return std::nullopt;
    std::sort(values.begin(), values.end());
    const size_t rank = size_t(std::max(1.0, std::ceil(p / 100.0 * double(values.size()))));
    return values[std::min(values.size(), rank) - 1];
}

} // namespace voirie
