#include "evidence_writer.hpp"

#include "voirie/core/analysis/evidence_chip.hpp"

#include "voirie/core/base/atomic_output.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>

namespace voirie {
namespace fs = std::filesystem;
namespace {

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

EvidenceWriter::EvidenceWriter(std::vector<AnonymizerSet*> anonymizers, std::optional<fs::path> chips_dir,
                               fs::path project_dir, CpuLedger& cpu)
    : chips_dir_(std::move(chips_dir)), project_dir_(std::move(project_dir)), cpu_(cpu),
      capacity_(2 * std::max<size_t>(1, anonymizers.size()))
{
    if (anonymizers.empty())
        anonymizers.push_back(nullptr);
    for (AnonymizerSet* set : anonymizers)
        threads_.emplace_back([this, set] { work(set); });
}

EvidenceWriter::~EvidenceWriter()
{
    {
        std::lock_guard lock(mutex_);
        closing_ = true;
        todo_.clear(); // a failed run: nothing more will be stored
    }
    work_.notify_all();
    for (auto& t : threads_)
        t.join();
}

void EvidenceWriter::submit(Damage damage)
{
    std::unique_lock lock(mutex_);
    space_.wait(lock, [&] { return encoding_ < capacity_; });
    ++encoding_;
    todo_.emplace_back(next_submitted_++, std::move(damage));
    work_.notify_one();
}

std::vector<EvidenceDone> EvidenceWriter::takeDone(bool all)
{
    std::unique_lock lock(mutex_);
    if (all)
        finished_.wait(lock, [&] { return int64_t(done_.size()) == next_submitted_ - next_taken_; });
    std::vector<EvidenceDone> ready;
    for (auto it = done_.find(next_taken_); it != done_.end(); it = done_.find(next_taken_)) {
        ready.push_back(std::move(it->second));
        done_.erase(it);
        ++next_taken_;
    }
    return ready;
}

void EvidenceWriter::work(AnonymizerSet* anonymizers)
{
    for (;;) {
        std::pair<int64_t, Damage> job;
        {
            std::unique_lock lock(mutex_);
            work_.wait(lock, [&] { return closing_ || !todo_.empty(); });
            if (closing_)
                return;
            job = std::move(todo_.front());
            todo_.pop_front();
        }
        EvidenceDone done = encode(std::move(job.second), anonymizers);
        {
            std::lock_guard lock(mutex_);
            done_.emplace(job.first, std::move(done));
            --encoding_;
        }
        space_.notify_one();
        finished_.notify_all();
    }
}

EvidenceDone EvidenceWriter::encode(Damage damage, AnonymizerSet* anonymizers)
{
    EvidenceDone done;
    done.damage = std::move(damage);
    Damage& d = done.damage;
    if (d.evidence.window.empty())
        return done;
    cv::Mat pixels = d.evidence.window;
    if (anonymizers) {
        StageClock clock(cpu_, "anonymize");
        FrameContext context;
        context.frame_index = d.evidence_frame;
        auto regions = anonymizers->find(pixels, context);
        if (!regions) {
            blurEverything(pixels); // fail closed
            done.anonymizer_failure = regions.error();
        } else {
            auto kept = withoutTheDamageItself(*regions, d.evidence.detection);
            done.regions_blurred = int64_t(kept.size());
            done.regions_on_damage = int64_t(regions->size() - kept.size());
            blurRegions(pixels, kept);
        }
    }
    StageClock clock(cpu_, "chips");
    d.evidence_jpeg = cutEvidenceChip(pixels, d.evidence.detection);
    d.evidence.window.release();
    if (!chips_dir_ || d.evidence_jpeg.empty())
        return done;
    const std::string name = chipFileName(d.id);
    if (auto s = writeChipFile(*chips_dir_, name, d.evidence_jpeg); !s) {
        done.chip_error = s.error();
        return done;
    }
    std::error_code ec;
    done.chip_path = (fs::relative(fs::absolute(*chips_dir_), fs::absolute(project_dir_), ec) / name).generic_string();
    return done;
}

} // namespace voirie
