#include "voirie/core/base/comma_list.hpp"

#include <set>
#include <sstream>

namespace voirie {

std::string joinCommaLists(const std::string& a, const std::string& b)
{
    std::set<std::string> seen;
    std::string out;
    for (const std::string* list : {&a, &b}) {
        std::stringstream items(*list);
        for (std::string item; std::getline(items, item, ',');) {
            item.erase(0, item.find_first_not_of(' '));
            item.erase(item.find_last_not_of(' ') + 1);
            if (!item.empty() && seen.insert(item).second)
                out += (out.empty() ? "" : ",") + item;
        }
    }
    return out;
}

} // namespace voirie
