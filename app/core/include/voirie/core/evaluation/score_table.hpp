// Precision / recall / F1 per class and overall, shared by `voirie eval` and `voirie eval-boxes`.
#pragma once

#include <map>
#include <optional>
#include <vector>
#include <nlohmann/json.hpp>
#include <string>

namespace voirie {

struct ClassScore {
    int tp = 0, fp = 0, fn = 0;
    double precision() const { return tp + fp ? double(tp) / (tp + fp) : 0.0; }
    double recall() const { return tp + fn ? double(tp) / (tp + fn) : 0.0; }
    double f1() const
    {
        const double p = precision(), r = recall();
        return p + r > 0 ? 2 * p * r / (p + r) : 0.0;
    }
    void add(const ClassScore& o)
    {
        tp += o.tp;
        fp += o.fp;
        fn += o.fn;
    }
};

struct ScoreTable {
    std::map<std::string, ClassScore> classes;
    ClassScore overall() const
    {
        ClassScore total;
        for (const auto& [_, s] : classes)
            total.add(s);
        return total;
    }
    // {"classes":{"D00":{"tp":..,"fp":..,"fn":..,"precision":..,"recall":..,"f1":..}},"overall":{...}}
    nlohmann::ordered_json toJson() const;
    // A readable table, one line per class and one for all.
    std::string toText() const;
};

nlohmann::ordered_json scoreJson(const ClassScore& s);

// Nearest-rank percentile of unsorted values (p in [0, 100]); nothing for an empty list.
std::optional<double> percentile(std::vector<double> values, double p);

} // namespace voirie
