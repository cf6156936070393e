#include "voirie/core/plugin_host/anonymizer_set.hpp"

#include "voirie/core/plugin_host/plugin_registry.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace voirie {

void blurRegions(cv::Mat& image, const std::vector<BlurRegion>& regions)
{
    const cv::Rect frame(0, 0, image.cols, image.rows);
    for (const auto& r : regions) {
        const double margin_x = std::max(4.0, r.box.width / 4), margin_y = std::max(4.0, r.box.height / 4);
        cv::Rect area(int(std::floor(r.box.x - margin_x)), int(std::floor(r.box.y - margin_y)),
                      int(std::ceil(r.box.width + 2 * margin_x)), int(std::ceil(r.box.height + 2 * margin_y)));
        area &= frame;
        if (area.width < 1 || area.height < 1)
            continue;
        cv::Mat roi = image(area);
        const int cell = std::max(6, int(std::min(area.width, area.height) / 10));
        cv::Mat small;
        cv::resize(roi, small, cv::Size(std::max(1, area.width / cell), std::max(1, area.height / cell)), 0, 0,
                   cv::INTER_AREA);
        cv::Mat blocks;
        cv::resize(small, blocks, area.size(), 0, 0, cv::INTER_NEAREST);
        const int k = (cell | 1);
        cv::GaussianBlur(blocks, roi, cv::Size(k, k), 0);
    }
}

void blurEverything(cv::Mat& image)
{
    blurRegions(image, {BlurRegion{"face", 1, {0, 0, double(image.cols), double(image.rows)}, {}, ""}});
}

std::vector<std::string> AnonymizerSet::chosenIds(const std::vector<std::filesystem::path>& plugin_dirs,
                                                 const std::optional<std::vector<std::string>>& ids)
{
    if (ids)
        return *ids;
    return PluginRegistry(PluginRegistry::defaultSearchPath(plugin_dirs)).usableIds("anonymizer");
}

Result<AnonymizerSet> AnonymizerSet::open(const std::vector<std::filesystem::path>& plugin_dirs,
                                          const std::optional<std::vector<std::string>>& ids,
                                          const ParameterOverrides& overrides)
{
    PluginRegistry registry(PluginRegistry::defaultSearchPath(plugin_dirs));
    const std::vector<std::string> chosen = ids ? *ids : registry.usableIds("anonymizer");
    AnonymizerSet set;
    std::vector<std::string> problems;
    for (const auto& id : chosen) {
        auto library = registry.load(id);
        if (!library) {
            problems.push_back(library.error());
            continue;
        }
        if ((*library)->manifest().kind != "anonymizer") {
            problems.push_back("plugin '" + id + "' is a " + (*library)->manifest().kind + ", not an anonymizer");
            continue;
        }
        auto it = overrides.find(id);
        auto params = resolveParameters((*library)->manifest(),
                                        it == overrides.end() ? std::map<std::string, std::string>{} : it->second);
        if (!params) {
            problems.push_back(params.error());
            continue;
        }
        auto instance = AnonymizerInstance::create(*library, *params);
        if (!instance) {
            problems.push_back(instance.error());
            continue;
        }
        set.libraries_.push_back(*library);
        set.parameters_.push_back(*params);
        set.instances_.push_back(std::move(*instance));
    }
    // A named anonymizer that cannot run is an error; so is having none at all.
    if (ids && !problems.empty())
        return fail(problems.front());
    if (set.instances_.empty())
        return fail("no anonymizer plugin can be used" + (problems.empty() ? std::string(" (none was found)")
                                                                           : ": " + problems.front()));
    return set;
}

Result<std::vector<BlurRegion>> AnonymizerSet::find(const cv::Mat& image, const FrameContext& context)
{
    std::vector<BlurRegion> all;
    for (auto& instance : instances_) {
        auto out = instance->anonymize(image, context);
        if (!out)
            return fail(out.error());
        all.insert(all.end(), out->regions.begin(), out->regions.end());
    }
    return all;
}

Result<std::vector<BlurRegion>> AnonymizerSet::apply(cv::Mat& image, const FrameContext& context)
{
    auto regions = find(image, context);
    if (!regions) {
        blurEverything(image);
        return fail(regions.error());
    }
    blurRegions(image, *regions);
    return regions;
}

std::vector<std::string> AnonymizerSet::describe() const
{
    std::vector<std::string> out;
    for (const auto& l : libraries_)
        out.push_back(l->manifest().id + " " + l->manifest().version);
    return out;
}

} // namespace voirie
