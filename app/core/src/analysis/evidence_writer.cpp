#include "evidence_writer.hpp"

#include "evidence_chip.hpp"

#include "voirie/core/base/atomic_output.hpp"

#include <opencv2/imgproc.hpp>

#include <cstdio>
#include <fstream>

namespace voirie {
namespace fs = std::filesystem;
namespace {

constexpr size_t kFailureExamples = 5;

// A region whose centre lies inside the damage's own outline on the road is the damage taken for
// a face or plate (dark potholes fool plate cascades): blurring it would erase the evidence, and
// no face or plate lies flat inside a pothole or alligator area.
std::vector<BlurRegion> withoutTheDamageItself(const std::vector<BlurRegion>& regions, const Detection& damage)
{
    if (damage.shape != ShapeKind::Polygon || damage.points.size() < 3)
        return regions;
    std::vector<cv::Point2f> outline;
    for (const auto& p : damage.points)
        outline.emplace_back(float(p.x), float(p.y));
    std::vector<BlurRegion> kept;
    for (const auto& r : regions) {
        const cv::Point2f centre(float(r.box.x + r.box.width / 2), float(r.box.y + r.box.height / 2));
        if (cv::pointPolygonTest(outline, centre, false) < 0)
            kept.push_back(r);
    }
    return kept;
}

std::string chipFileName(int64_t damage_id)
{
    char name[40];
    std::snprintf(name, sizeof(name), "damage_%06lld.jpg", static_cast<long long>(damage_id));
    return name;
}

Status writeChipFile(const fs::path& folder, const std::string& name, const std::vector<unsigned char>& jpeg)
{
    const fs::path tmp = folder / ("." + name + ".tmp");
    if (auto s = writeWholeFile(tmp, std::string_view(reinterpret_cast<const char*>(jpeg.data()), jpeg.size())); !s)
        return fail(s.error() + " (evidence chip " + (folder / name).string() + ")");
    std::error_code ec;
    fs::rename(tmp, folder / name, ec);
    if (ec)
        return fail("cannot write evidence chip " + (folder / name).string() + ": " + ec.message());
    return Ok{};
}

} // namespace

EvidenceWriter::EvidenceWriter(AnonymizerSet* anonymizers, std::optional<fs::path> chips_dir, fs::path project_dir,
                               AnalysisSummary& summary, std::function<void(const std::string&)> warn)
    : anonymizers_(anonymizers), chips_dir_(std::move(chips_dir)), project_dir_(std::move(project_dir)),
      summary_(summary), warn_(std::move(warn))
{
}

void EvidenceWriter::encodeChip(Damage& d)
{
    if (d.evidence.window.empty())
        return;
    cv::Mat pixels = d.evidence.window;
    if (anonymizers_) {
        FrameContext context;
        context.frame_index = d.evidence_frame;
        auto regions = anonymizers_->find(pixels, context);
        if (!regions) {
            blurEverything(pixels); // fail closed
            ++summary_.anonymizer_failures;
            if (summary_.failure_examples.size() < kFailureExamples) {
                summary_.failure_examples.push_back(regions.error());
                warn_(regions.error() + " (the whole chip of damage " + std::to_string(d.id) + " was blurred)");
            }
        } else {
            auto kept = withoutTheDamageItself(*regions, d.evidence.detection);
            summary_.regions_blurred += int64_t(kept.size());
            summary_.regions_on_damage += int64_t(regions->size() - kept.size());
            blurRegions(pixels, kept);
        }
    }
    d.evidence_jpeg = cutEvidenceChip(pixels, d.evidence.detection);
    d.evidence.window.release();
}

Result<std::string> EvidenceWriter::write(Damage& d)
{
    encodeChip(d);
    if (!chips_dir_ || d.evidence_jpeg.empty())
        return std::string();
    const std::string name = chipFileName(d.id);
    if (auto s = writeChipFile(*chips_dir_, name, d.evidence_jpeg); !s)
        return fail(s.error());
    std::error_code ec;
    return (fs::relative(fs::absolute(*chips_dir_), fs::absolute(project_dir_), ec) / name).generic_string();
}

} // namespace voirie
