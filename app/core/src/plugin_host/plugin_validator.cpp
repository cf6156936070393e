#include "voirie/core/plugin_host/plugin_validator.hpp"

#include "voirie/core/plugin_host/anonymizer_instance.hpp"
#include "voirie/core/plugin_host/detector_instance.hpp"
#include "voirie/core/plugin_host/plugin_library.hpp"
#include "voirie/core/plugin_host/plugin_manifest.hpp"
#include "voirie/core/plugin_host/plugin_parameters.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace voirie {
namespace fs = std::filesystem;
namespace {

// Messages from the child: "STAGE\t<what it is about to do>" or "<outcome>\t<name>\t<detail>".
class Channel {
public:
    explicit Channel(int fd) : fd_(fd) {}
    void stage(const std::string& what) { send("STAGE\t" + what); }
    void check(CheckOutcome o, const std::string& name, const std::string& detail)
    {
        std::string clean = detail;
        std::replace(clean.begin(), clean.end(), '\n', ' ');
        std::replace(clean.begin(), clean.end(), '\t', ' ');
        send(toString(o) + "\t" + name + "\t" + clean);
        if (o == CheckOutcome::Fail)
            failed_ = true;
    }
    bool failed() const { return failed_; }

private:
    void send(const std::string& line)
    {
        const std::string text = line + "\n";
        (void)!::write(fd_, text.data(), text.size());
    }
    int fd_;
    bool failed_ = false;
};

Result<fs::path> findManifest(const fs::path& path)
{
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
        if (fs::exists(path / "plugin.json"))
            return path / "plugin.json";
        return fail(path.string() + " holds no plugin.json");
    }
    if (!fs::exists(path, ec))
        return fail(path.string() + " does not exist");
    if (path.filename() == "plugin.json" || path.extension() == ".json")
        return path;
    if (fs::exists(path.parent_path() / "plugin.json"))
        return path.parent_path() / "plugin.json";
    return fail("there is no plugin.json beside " + path.string());
}

// Synthetic frames: noise, black, and a road-like gradient with dark marks.
std::vector<std::pair<std::string, cv::Mat>> syntheticFrames()
{
    std::vector<std::pair<std::string, cv::Mat>> frames;
    cv::RNG rng(12345);
    for (cv::Size size : {cv::Size(64, 48), cv::Size(640, 360), cv::Size(1280, 720), cv::Size(1920, 1080)}) {
        const std::string tag = std::to_string(size.width) + "x" + std::to_string(size.height);
        cv::Mat noise(size, CV_8UC3);
        rng.fill(noise, cv::RNG::UNIFORM, 0, 256);
        frames.emplace_back("noise " + tag, noise);
        frames.emplace_back("black " + tag, cv::Mat::zeros(size, CV_8UC3));
        cv::Mat road(size, CV_8UC3);
        for (int y = 0; y < size.height; ++y)
            road.row(y).setTo(cv::Scalar::all(60 + 100.0 * y / size.height));
        cv::line(road, {size.width / 4, size.height * 3 / 4}, {size.width * 3 / 4, size.height * 2 / 3},
                 cv::Scalar::all(20), std::max(1, size.width / 300));
        cv::circle(road, {size.width / 2, size.height * 5 / 6}, std::max(2, size.width / 30), cv::Scalar::all(25), -1);
        frames.emplace_back("road " + tag, road);
    }
    return frames;
}

FrameContext contextFor(const cv::Mat& frame, bool with_camera, int64_t index)
{
    FrameContext ctx;
    ctx.frame_index = index;
    if (!with_camera)
        return ctx;
    ctx.time_unix_s = 1.7e9 + index;
    ctx.position = GeoPosition{2.3522, 48.8566};
    ctx.heading_deg = 90;
    ctx.speed_mps = 11;
    ctx.chainage_m = 3.0 * index;
    CameraModel cam;
    cam.width = frame.cols;
    cam.height = frame.rows;
    cam.fx = cam.fy = frame.cols / 2.0; // 90 degrees horizontal field of view
    cam.cx = frame.cols / 2.0;
    cam.cy = frame.rows / 2.0;
    ctx.camera = cam;
    return ctx;
}

// One instance of either kind, as the checks use it: a frame in, a comparable signature out.
struct ProbeOutput {
    std::string signature;
    int count = 0, dropped = 0;
    std::vector<std::string> reasons;
};

class Probe {
public:
    virtual ~Probe() = default;
    virtual Result<ProbeOutput> run(const cv::Mat& frame, const FrameContext& context) = 0;
};

class DetectorProbe : public Probe {
public:
    explicit DetectorProbe(std::unique_ptr<DetectorInstance> i) : instance_(std::move(i)) {}
    Result<ProbeOutput> run(const cv::Mat& frame, const FrameContext& context) override
    {
        auto out = instance_->detect(frame, context);
        if (!out)
            return fail(out.error());
        ProbeOutput p{{}, int(out->detections.size()), out->dropped, out->drop_reasons};
        std::ostringstream s;
        for (const auto& d : out->detections)
            s << d.class_code << ' ' << d.confidence << ' ' << d.box.x << ' ' << d.box.y << ' ' << d.box.width << ' '
              << d.box.height << ' ' << d.points.size() << ';';
        p.signature = s.str();
        return p;
    }

private:
    std::unique_ptr<DetectorInstance> instance_;
};

class AnonymizerProbe : public Probe {
public:
    explicit AnonymizerProbe(std::unique_ptr<AnonymizerInstance> i) : instance_(std::move(i)) {}
    Result<ProbeOutput> run(const cv::Mat& frame, const FrameContext& context) override
    {
        auto out = instance_->anonymize(frame, context);
        if (!out)
            return fail(out.error());
        ProbeOutput p{{}, int(out->regions.size()), out->dropped, out->drop_reasons};
        std::ostringstream s;
        for (const auto& r : out->regions)
            s << r.kind << ' ' << r.confidence << ' ' << r.box.x << ' ' << r.box.y << ' ' << r.box.width << ' '
              << r.box.height << ' ' << r.points.size() << ';';
        p.signature = s.str();
        return p;
    }

private:
    std::unique_ptr<AnonymizerInstance> instance_;
};

Result<std::unique_ptr<Probe>> makeProbe(const std::shared_ptr<const PluginLibrary>& library,
                                         const std::map<std::string, ParameterValue>& params)
{
    if (library->manifest().kind == "anonymizer") {
        auto i = AnonymizerInstance::create(library, params);
        if (!i)
            return fail(i.error());
        return std::unique_ptr<Probe>(new AnonymizerProbe(std::move(*i)));
    }
    auto i = DetectorInstance::create(library, params);
    if (!i)
        return fail(i.error());
    return std::unique_ptr<Probe>(new DetectorProbe(std::move(*i)));
}

void runChecks(const fs::path& input, const std::map<std::string, std::string>& overrides, Channel& ch)
{
    ch.stage("reading the manifest");
    auto manifest_path = findManifest(input);
    if (!manifest_path)
        return ch.check(CheckOutcome::Fail, "manifest", manifest_path.error());
    auto manifest = readPluginManifest(*manifest_path);
    if (!manifest)
        return ch.check(CheckOutcome::Fail, "manifest", manifest.error());
    const PluginManifest& m = *manifest;
    ch.check(CheckOutcome::Pass, "manifest",
             m.id + " " + m.version + " (" + m.kind + ") by " + m.vendor + ", " +
                 (m.kind == "anonymizer" ? "region kinds " : "classes ") + std::to_string(m.classes.size()) +
                 ", " + std::to_string(m.parameters.size()) + " parameters, " + toString(m.thread_safety) +
                 ", licence " + m.license);

    if (auto why = apiIncompatibility(m.api_major, m.api_minor))
        return ch.check(CheckOutcome::Fail, "API version", *why);
    ch.check(CheckOutcome::Pass, "API version",
             std::to_string(m.api_major) + "." + std::to_string(m.api_minor) + " runs in host " + hostApiVersion());

    ch.stage("loading the library and calling its entry function");
    auto library = PluginLibrary::open(m);
    if (!library)
        return ch.check(CheckOutcome::Fail, "library", library.error());
    ch.check(CheckOutcome::Pass, "library", "loads, exports " VOIRIE_ENTRY_SYMBOL ", descriptor agrees with plugin.json");

    ch.stage("creating an instance with default parameters");
    auto defaults = resolveParameters(m, overrides);
    if (!defaults)
        return ch.check(CheckOutcome::Fail, "parameters", defaults.error());
    const bool anonymizer = m.kind == "anonymizer";
    const std::string verb = anonymizer ? "anonymizing" : "detecting", call = anonymizer ? "anonymize" : "detect",
                      things = anonymizer ? "regions" : "detections";
    auto instance = makeProbe(*library, *defaults);
    if (!instance)
        return ch.check(CheckOutcome::Fail, "create", instance.error());
    ch.check(CheckOutcome::Pass, "create",
             overrides.empty() ? "instance created with default parameters" : "instance created with the given parameters");

    for (const auto& spec : m.parameters) {
        if (spec.type != ParameterType::Int && spec.type != ParameterType::Double)
            continue;
        for (auto bound : {spec.min, spec.max}) {
            if (!bound)
                continue;
            std::ostringstream text;
            text << (spec.type == ParameterType::Int ? static_cast<double>(static_cast<int64_t>(*bound)) : *bound);
            auto with_bound = overrides;
            with_bound[spec.name] = text.str();
            auto values = resolveParameters(m, with_bound);
            ch.stage("creating an instance with " + spec.name + "=" + text.str());
            auto extra = values ? makeProbe(*library, *values) : Result<std::unique_ptr<Probe>>(fail(values.error()));
            if (!extra)
                ch.check(CheckOutcome::Fail, "parameter range", spec.name + "=" + text.str() + ": " + extra.error());
        }
    }

    const auto frames = syntheticFrames();
    std::vector<std::string> sequential;
    int total = 0, dropped = 0, errors = 0;
    for (size_t i = 0; i < frames.size(); ++i) {
        for (bool with_camera : {false, true}) {
            const auto& [label, frame] = frames[i];
            const std::string what = label + (with_camera ? " with camera" : " without camera");
            ch.stage(verb + " on a " + what + " frame");
            auto out = (*instance)->run(frame, contextFor(frame, with_camera, int64_t(i)));
            if (!out) {
                const bool tiny = frame.cols < 100;
                ch.check(tiny ? CheckOutcome::Warn : CheckOutcome::Fail, call + " " + what, out.error());
                errors += tiny ? 0 : 1;
                sequential.push_back("error");
                continue;
            }
            total += out->count;
            dropped += out->dropped;
            for (const auto& reason : out->reasons)
                ch.check(CheckOutcome::Fail, "output " + what, reason);
            sequential.push_back(out->signature);
        }
    }
    if (errors == 0 && dropped == 0)
        ch.check(CheckOutcome::Pass, call,
                 std::to_string(frames.size() * 2) + " synthetic frames (64x48 to 1920x1080, noise/black/road, "
                 "with and without camera), " + std::to_string(total) + " valid " + things + ", none invalid");
    else if (dropped > 0)
        ch.check(CheckOutcome::Fail, "output sanity", std::to_string(dropped) + " invalid " + things + " were emitted");

    ch.stage(verb + " twice on the same frame");
    {
        const auto& frame = frames[7].second;
        auto a = (*instance)->run(frame, contextFor(frame, true, 7));
        auto b = (*instance)->run(frame, contextFor(frame, true, 7));
        if (a && b && a->signature != b->signature)
            ch.check(CheckOutcome::Warn, "determinism", "the same frame gave different " + things + " on two calls");
        else
            ch.check(CheckOutcome::Pass, "determinism", "the same frame gives the same " + things);
    }

    if (m.thread_safety == ThreadSafety::Unsafe) {
        ch.check(CheckOutcome::Pass, "concurrency", "declared unsafe: the host serialises every call");
    } else {
        ch.stage(verb + " concurrently from 4 threads (" + toString(m.thread_safety) + ")");
        constexpr int kThreads = 4;
        std::vector<std::unique_ptr<Probe>> instances;
        for (int t = 0; t < kThreads && m.thread_safety == ThreadSafety::InstanceSafe; ++t) {
            auto extra = makeProbe(*library, *defaults);
            if (!extra)
                return ch.check(CheckOutcome::Fail, "concurrency", extra.error());
            instances.push_back(std::move(*extra));
        }
        std::vector<int> mismatches(kThreads, 0);
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t)
            threads.emplace_back([&, t] {
                Probe& use = instances.empty() ? **instance : *instances[t];
                for (int round = 0; round < 2; ++round)
                    for (size_t i = 0; i < frames.size(); ++i) {
                        if (frames[i].second.cols > 1280)
                            continue; // keep the concurrent pass short
                        auto out = use.run(frames[i].second, contextFor(frames[i].second, true, int64_t(i)));
                        if ((out ? out->signature : "error") != sequential[i * 2 + 1])
                            ++mismatches[t];
                    }
            });
        for (auto& th : threads)
            th.join();
        int bad = 0;
        for (int n : mismatches)
            bad += n;
        if (bad)
            ch.check(CheckOutcome::Fail, "concurrency",
                     std::to_string(bad) + " concurrent calls gave results different from sequential calls");
        else
            ch.check(CheckOutcome::Pass, "concurrency",
                     std::to_string(kThreads) + " threads" +
                         (instances.empty() ? " sharing one instance" : ", one instance each") +
                         ": same results as sequential calls");
    }

    std::string timing;
    for (cv::Size size : {cv::Size(1280, 720), cv::Size(1920, 1080)}) {
        const auto it = std::find_if(frames.begin(), frames.end(), [&](const auto& f) {
            return f.second.size() == size && f.first.rfind("road", 0) == 0;
        });
        ch.stage("timing " + verb + " at " + it->first);
        std::vector<double> ms;
        for (int r = 0; r < 5; ++r) {
            auto t0 = std::chrono::steady_clock::now();
            (void)(*instance)->run(it->second, contextFor(it->second, true, 0));
            ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
        }
        std::sort(ms.begin(), ms.end());
        char text[96];
        std::snprintf(text, sizeof(text), "%s%dx%d %.2f ms", timing.empty() ? "" : ", ", size.width, size.height, ms[2]);
        timing += text;
    }
    ch.check(CheckOutcome::Pass, "speed", "median per frame: " + timing);
}

} // namespace

bool ValidationReport::passed() const
{
    return !checks.empty() &&
           std::none_of(checks.begin(), checks.end(), [](const auto& c) { return c.outcome == CheckOutcome::Fail; });
}

std::string toString(CheckOutcome outcome)
{
    switch (outcome) {
    case CheckOutcome::Pass: return "PASS";
    case CheckOutcome::Warn: return "WARN";
    case CheckOutcome::Fail: return "FAIL";
    }
    return "?";
}

ValidationReport validatePlugin(const fs::path& path, const std::function<void(const ValidationCheck&)>& on_check,
                                const std::map<std::string, std::string>& parameters)
{
    ValidationReport report;
    auto add = [&](ValidationCheck c) {
        if (on_check)
            on_check(c);
        report.checks.push_back(std::move(c));
    };
    int fds[2];
    if (::pipe(fds) != 0) {
        add({CheckOutcome::Fail, "validator", std::string("cannot create a pipe: ") + std::strerror(errno)});
        return report;
    }
    std::fflush(nullptr);
    const pid_t child = ::fork();
    if (child < 0) {
        add({CheckOutcome::Fail, "validator", std::string("cannot fork: ") + std::strerror(errno)});
        return report;
    }
    if (child == 0) {
        ::close(fds[0]);
        std::signal(SIGSEGV, SIG_DFL); // let a crash be seen by the parent as a signal
        std::signal(SIGBUS, SIG_DFL);
        std::signal(SIGFPE, SIG_DFL);
        std::signal(SIGILL, SIG_DFL);
        std::signal(SIGABRT, SIG_DFL);
        Channel channel(fds[1]);
        runChecks(path, parameters, channel);
        ::close(fds[1]);
        ::_exit(channel.failed() ? 1 : 0);
    }
    ::close(fds[1]);
    std::string buffer, stage = "starting";
    char chunk[4096];
    ssize_t n;
    auto consume = [&](const std::string& line) {
        std::vector<std::string> parts;
        std::stringstream s(line);
        std::string part;
        while (std::getline(s, part, '\t'))
            parts.push_back(part);
        if (parts.size() >= 2 && parts[0] == "STAGE")
            stage = parts[1];
        else if (parts.size() >= 2)
            add({parts[0] == "PASS" ? CheckOutcome::Pass : parts[0] == "WARN" ? CheckOutcome::Warn : CheckOutcome::Fail,
                 parts[1], parts.size() > 2 ? parts[2] : ""});
    };
    while ((n = ::read(fds[0], chunk, sizeof(chunk))) > 0 || (n < 0 && errno == EINTR)) {
        if (n < 0)
            continue;
        buffer.append(chunk, size_t(n));
        for (size_t eol; (eol = buffer.find('\n')) != std::string::npos; buffer.erase(0, eol + 1))
            consume(buffer.substr(0, eol));
    }
    ::close(fds[0]);
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFSIGNALED(status))
        add({CheckOutcome::Fail, "crash",
             "the plugin crashed (" + std::string(strsignal(WTERMSIG(status))) + ") while " + stage});
    else if (report.checks.empty())
        add({CheckOutcome::Fail, "validator", "the validation process ended without a report"});
    return report;
}

} // namespace voirie
