#include "export_filters.hpp"

#include "voirie/core/vocabulary/severity_rules.hpp"

#include <cstdio>
#include <vector>

namespace voirie {

std::string sqlQuoted(const std::string& s)
{
    std::string out = "'";
    for (char c : s)
        out += c == '\'' ? std::string("''") : std::string(1, c);
    return out + "'";
}

std::string damageFilter(const ExportOptions& o)
{
    std::vector<std::string> terms;
    if (!o.classes.empty()) {
        std::string list;
        for (const auto& c : o.classes)
            list += (list.empty() ? "" : ", ") + sqlQuoted(c);
        terms.push_back("class IN (" + list + ")");
    }
    if (o.min_confidence) {
        char t[64];
        std::snprintf(t, sizeof(t), "confidence >= %.17g", *o.min_confidence);
        terms.push_back(t);
    }
    if (o.min_severity) {
        std::string list;
        for (Severity s : {Severity::Low, Severity::Medium, Severity::High})
            if (int(s) >= int(*o.min_severity))
                list += (list.empty() ? "" : ", ") + sqlQuoted(severityCode(s));
        terms.push_back("severity IN (" + list + ")");
    }
    if (o.review == ReviewFilter::Accepted)
        terms.push_back("review_state = 'accepted'");
    else if (o.review == ReviewFilter::NotRejected)
        terms.push_back("(review_state IS NULL OR review_state <> 'rejected')");
    std::string filter;
    for (const auto& t : terms)
        filter += (filter.empty() ? "" : " AND ") + t;
    return filter;
}

std::string describeFilters(const ExportOptions& o)
{
    std::string d;
    auto add = [&](const std::string& s) { d += (d.empty() ? "" : ", ") + s; };
    if (!o.classes.empty()) {
        std::string c;
        for (const auto& x : o.classes)
            c += (c.empty() ? "" : ",") + x;
        add("classes " + c);
    }
    if (o.min_confidence)
        add("confidence >= " + std::to_string(*o.min_confidence));
    if (o.min_severity)
        add("severity >= " + severityCode(*o.min_severity));
    if (o.review != ReviewFilter::All)
        add(o.review == ReviewFilter::Accepted ? "review accepted" : "review not rejected");
    return d.empty() ? "no filter" : d;
}

} // namespace voirie
