#include "output_policy.hpp"

#include "voirie/core/base/atomic_output.hpp"

namespace voirie {
namespace fs = std::filesystem;

fs::path partialProjectPath(const fs::path& out)
{
    return out.parent_path() / (out.stem().string() + ".partial.gpkg");
}

Result<OutputPlan> planOutput(const AnalysisOptions& options, const std::function<void(const std::string&)>& warn)
{
    std::error_code ec;
    OutputPlan plan{options.out, partialProjectPath(options.out), false};
    if (plan.out.extension() != ".gpkg")
        return fail("--out must name a GeoPackage file ending in .gpkg, not " + plan.out.string());
    if (auto check = AtomicOutput::prepare(plan.out, options.overwrite || options.resume); !check)
        return fail(check.error());
    const bool have_partial = fs::exists(plan.partial, ec);
    if (have_partial && !options.resume && !options.overwrite)
        return fail("an interrupted run of " + plan.out.string() + " is in " + plan.partial.string() +
                    "; pass --resume to continue it or --overwrite to start again");
    if (options.resume && !have_partial && fs::exists(plan.out, ec))
        return fail(plan.out.string() + " is already a finished project; there is nothing to resume (pass "
                                        "--overwrite to analyse again)");
    plan.resuming = options.resume && have_partial;
    if (options.resume && !have_partial)
        warn("no interrupted run of " + plan.out.string() + " was found; starting from the beginning");
    if (options.chips_dir) {
        fs::create_directories(*options.chips_dir, ec);
        if (!fs::is_directory(*options.chips_dir, ec))
            return fail("cannot create the chips folder " + options.chips_dir->string());
    }
    return plan;
}

Result<OpenedProject> openRunProject(const OutputPlan& plan, const Track& track, const RunProvenance& provenance)
{
    OpenedProject opened;
    if (plan.resuming) {
        auto s = ProjectStore::open(plan.partial);
        if (!s)
            return fail(s.error() + "; start again with --overwrite");
        opened.store = std::move(*s);
        if (opened.store->fingerprint() != provenance.fingerprint())
            return fail("cannot resume " + plan.partial.string() +
                        ": its inputs, plugins or options differ from this command's (run it with the same "
                        "arguments, or pass --overwrite to start again)");
        auto state = opened.store->readResumeState(track.frame());
        if (!state)
            return fail(state.error());
        opened.resume = std::move(*state);
        if (auto cleared = opened.store->clearDamages(); !cleared)
            return fail(cleared.error());
        return opened;
    }
    std::error_code ec;
    fs::remove(plan.partial, ec);
    AtomicOutput::removeLeftovers(plan.partial); // of a run killed while it created the project
    auto s = ProjectStore::create(plan.partial, track, provenance);
    if (!s)
        return fail(s.error());
    opened.store = std::move(*s);
    return opened;
}

Status moveIntoPlace(std::unique_ptr<ProjectStore> store, const OutputPlan& plan)
{
    store.reset(); // closed and flushed before the rename
    if (auto s = syncToDisk(plan.partial); !s)
        return fail(s.error() + " (the work so far is in " + plan.partial.string() + ")");
    std::error_code ec;
    fs::rename(plan.partial, plan.out, ec);
    if (ec)
        return fail("cannot move the finished project into place at " + plan.out.string() + ": " + ec.message() +
                    " (it is complete in " + plan.partial.string() + ")");
    return Ok{};
}

} // namespace voirie
