#include "survey_report.hpp"

#include "report_data.hpp"
#include "report_images.hpp"
#include "surface_strip.hpp"

#include "voirie/core/base/atomic_output.hpp"
#include "voirie/core/base/footprint.hpp"
#include "voirie/core/base/html_text.hpp"
#include "voirie/core/base/version.hpp"
#include "voirie/core/rating/condition_rating.hpp"
#include "voirie/core/vocabulary/damage_classes.hpp"

#include <nlohmann/json.hpp>

#include <QBuffer>
#include <QDateTime>
#include <QPdfWriter>
#include <QTextDocument>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

namespace voirie::report {
namespace fs = std::filesystem;

namespace {

std::string escaped(const std::string& text) { return htmlEscaped(text); }

std::string fixed(double v, int decimals)
{
    std::ostringstream s;
    s.setf(std::ios::fixed);
    s.precision(decimals);
    s << v;
    return s.str();
}

std::string pngBytes(const QImage& image)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return bytes.toStdString();
}

std::string base64(const std::string& bytes)
{
    return QByteArray::fromStdString(bytes).toBase64().toStdString();
}

// The report's images, referred to as `voirie-image:<name>` in the HTML: the HTML file gets
// them inlined as data URIs, the PDF as QTextDocument resources under the same URL.
constexpr const char* kImageScheme = "voirie-image:";

struct Images {
    std::vector<std::pair<std::string, QImage>> all;
    // The image's URL in the HTML.
    std::string add(const std::string& name, QImage image)
    {
        all.emplace_back(name, std::move(image));
        return kImageScheme + name;
    }
};

// width and height attributes for a figure shown `width` pixels wide (the PDF scales them down).
std::string sized(const QImage& image, int width)
{
    return "width=\"" + std::to_string(width) + "\" height=\"" +
           std::to_string(width * image.height() / std::max(1, image.width())) + "\"";
}

std::string classLabel(const std::string& code)
{
    for (const auto& c : kDamageClasses)
        if (c.code == code)
            return code + " " + std::string(c.name);
    return code;
}

std::string gradeCell(const ReportData& data, const std::string& grade)
{
    const size_t band = bandIndex(data.scheme, grade);
    return "<td style=\"background-color:" + gradeColour(band, data.scheme.grades.size()) +
           "; text-align:center\"><b>" + escaped(grade) + "</b></td>";
}

// The worst segments first: lowest index, then the most damage.
std::vector<const ReportSegment*> worstFirst(const ReportData& data)
{
    std::vector<const ReportSegment*> order;
    for (const auto& s : data.segments)
        order.push_back(&s);
    std::stable_sort(order.begin(), order.end(), [](const auto* a, const auto* b) {
        return a->index != b->index ? a->index < b->index : a->n_damages > b->n_damages;
    });
    return order;
}

nlohmann::ordered_json figures(const ReportData& data)
{
    nlohmann::ordered_json j;
    j["segments"] = data.segments.size();
    j["surveyed_m"] = std::round(data.surveyed_m * 10) / 10;
    j["surveyed_area_m2"] = std::round(data.surveyed_area_m2);
    j["damages"] = data.damages.size();
    nlohmann::ordered_json by_class = nlohmann::ordered_json::object();
    for (const auto& [id, d] : data.damages) {
        auto& c = by_class[d.class_code];
        if (c.is_null())
            c = {{"L", 0}, {"M", 0}, {"H", 0}, {"unrated", 0}, {"total", 0}};
        c[d.severity.empty() ? "unrated" : d.severity] = c[d.severity.empty() ? "unrated" : d.severity].get<int>() + 1;
        c["total"] = c["total"].get<int>() + 1;
    }
    j["damages_by_class"] = by_class;
    nlohmann::ordered_json grades = nlohmann::ordered_json::object();
    for (const auto& band : data.scheme.grades)
        grades[band.grade] = std::count_if(data.segments.begin(), data.segments.end(),
                                           [&](const auto& s) { return s.grade == band.grade; });
    j["segments_by_grade"] = grades;
    j["scheme"] = data.scheme.name;
    return j;
}

std::string chipImage(Images& images, const std::string& name, const std::vector<unsigned char>& jpeg)
{
    if (jpeg.empty())
        return "(no image)";
    QImage chip = QImage::fromData(jpeg.data(), int(jpeg.size()), "JPG");
    if (chip.isNull())
        return "(unreadable image)";
    chip = chip.scaledToHeight(150, Qt::SmoothTransformation);
    return "<img src=\"" + images.add("chip-" + name, chip) + "\" " + sized(chip, chip.width()) + ">";
}

// "Since the last survey": what changed between the previous campaign and this one.
std::string changesSection(const ReportData& data, const ComparisonRecord& c, Images& images)
{
    std::ostringstream h;
    const auto& s = c.summary;
    h << "<h2 class=\"pb\" id=\"since-last-survey\">Since the last survey</h2>\n<p>Compared with "
      << escaped(c.old_project.filename().string()) << " by <code>voirie compare</code>. ";
    if (s.contains("gps_offset_m") && s["gps_offset_m"].value("estimated", false))
        h << "The two campaigns' GPS differed by " << fixed(std::hypot(s["gps_offset_m"].value("east", 0.0), s["gps_offset_m"].value("north", 0.0)), 1)
          << " m (estimated from " << s["gps_offset_m"].value("pairs", 0) << " defects found both times) and that offset was removed before matching defects. ";
    else
        h << "Too few defects were found both times to estimate the GPS offset between the campaigns: defects were matched as positioned. ";
    h << "A defect is <b>new</b> where the last survey looked and did not find it, <b>grown</b> when longer, larger or "
         "more severe, <b>repaired</b> where this survey looked and no longer finds it, <b>not covered</b> where the "
         "other survey did not look (never counted as repaired).</p>\n<table id=\"changes-by-label\"><tr>";
    const char* labels[] = {"new", "grown", "unchanged", "repaired", "not covered"};
    for (const char* label : labels)
        h << "<th>" << label << "</th>";
    h << "</tr><tr>";
    for (const char* label : labels) {
        const int n = s.contains("labels") ? s["labels"].value(label, 0) : 0;
        h << "<td class=\"n\">" << n << "</td>";
    }
    h << "</tr></table>\n";
    if (s.contains("differences"))
        for (const auto& d : s["differences"])
            if (d.is_string())
                h << "<p><i>Note: " << escaped(d.get<std::string>()) << ".</i></p>\n";
    const QImage map = changeMap(data, c);
    h << "<p><img src=\"" << images.add("change-map", map) << "\" " << sized(map, 1000) << "></p>\n";

    // The segments that got worse most.
    std::vector<const SegmentChangeRecord*> worse;
    for (const auto& seg : c.segments)
        if (seg.change == "worse" || (seg.change == "same" && seg.index_now < seg.index_then))
            worse.push_back(&seg);
    std::stable_sort(worse.begin(), worse.end(), [](const auto* a, const auto* b) {
        return a->index_then - a->index_now > b->index_then - b->index_now;
    });
    h << "<h3>Segments that got worse most</h3>\n";
    if (worse.empty()) {
        h << "<p>No segment's condition index went down.</p>\n";
    } else {
        h << "<table id=\"segments-worse\"><tr><th>segment (last survey's chainage)</th><th>index then</th><th>index now</th>"
             "<th>grade then</th><th>grade now</th></tr>";
        for (size_t i = 0; i < worse.size() && i < 5; ++i)
            h << "<tr><td>" << escaped(worse[i]->segment) << "</td><td class=\"n\">" << fixed(worse[i]->index_then, 1)
              << "</td><td class=\"n\">" << fixed(worse[i]->index_now, 1) << "</td>" << gradeCell(data, worse[i]->grade_then)
              << gradeCell(data, worse[i]->grade_now) << "</tr>";
        h << "</table>\n";
    }
    // Grown defects, then and now.
    std::vector<const DefectChangeRecord*> grown;
    for (const auto& d : c.defects)
        if (d.change == "grown")
            grown.push_back(&d);
    std::stable_sort(grown.begin(), grown.end(), [](const auto* a, const auto* b) { return a->growth > b->growth; });
    if (!grown.empty()) {
        h << "<h3>Grown defects, then and now</h3>\n<table id=\"grown-then-now\"><tr><th>defect</th><th>then</th><th>now</th></tr>";
        for (size_t i = 0; i < grown.size() && i < 4; ++i) {
            const auto& d = *grown[i];
            const bool crack = d.class_code == "D00" || d.class_code == "D10";
            const std::string measure = crack ? fixed(d.length_then_m, 1) + " m &rarr; " + fixed(d.length_now_m, 1) + " m"
                                              : fixed(d.area_then_m2, 2) + " m² &rarr; " + fixed(d.area_now_m2, 2) + " m²";
            h << "<tr><td>" << escaped(classLabel(d.class_code)) << "<br>" << measure << "<br>severity "
              << escaped(d.severity_then.empty() ? "-" : d.severity_then) << " &rarr; "
              << escaped(d.severity_now.empty() ? "-" : d.severity_now) << "</td><td class=\"chips\">"
              << chipImage(images, "then-" + std::to_string(i), d.chip_then) << "</td><td class=\"chips\">"
              << chipImage(images, "now-" + std::to_string(i), d.chip_now) << "</td></tr>";
        }
        h << "</table>\n";
    }
    return h.str();
}

std::string buildHtml(const ReportData& data, const ReportOptions& o, Images& images, std::string& basemap_note,
                      const std::optional<ComparisonRecord>& changes)
{
    const QImage map = overviewMap(data, o.basemap, &basemap_note);
    std::ostringstream h;
    const auto fig = figures(data);
    h << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" << escaped(o.title)
      << "</title>\n<style>\n"
         "body{font-family:'DejaVu Sans',Arial,sans-serif;color:#222;max-width:1040px;margin:24px auto;padding:0 16px;}\n"
         "h1{font-size:26px;margin-bottom:2px;} h2{font-size:19px;border-bottom:2px solid #ccc;padding-bottom:3px;margin-top:28px;}\n"
         "h3{font-size:15px;margin-bottom:4px;} p.sub{color:#666;margin-top:0;}\n"
         "table{border-collapse:collapse;margin:6px 0 12px 0;font-size:12px;} th,td{border:1px solid #bbb;padding:3px 7px;}\n"
         "th{background:#eee;text-align:left;} td.n{text-align:right;} img{max-width:100%;}\n"
         "table.kv th{width:190px;} .chips img{height:150px;margin:2px;border:1px solid #999;}\n"
         ".pb{page-break-before:always;}\n</style></head><body>\n";
    h << "<h1>" << escaped(o.title) << "</h1>\n<p class=\"sub\">Road condition survey report, written by Voirie "
      << VOIRIE_VERSION << " on " << QDateTime::currentDateTimeUtc().toString("yyyy-MM-dd HH:mm").toStdString()
      << " UTC from " << escaped(data.project.filename().string()) << "</p>\n";

    // A partial survey says so before anything else: its figures cover only part of the footage.
    if (data.run_status == "partial") {
        h << "<p id=\"partial-survey\" style=\"border:2px solid #c0392b;padding:6px 10px;color:#c0392b;\"><b>Partial "
             "survey:</b> part of the footage could not be analysed, so the figures below cover less than the drive.";
        for (const auto& reason : data.partial_reasons)
            h << "<br>" << escaped(reason);
        h << "</p>\n";
    }
    // Summary.
    h << "<h2>Survey summary</h2>\n<table class=\"kv\">";
    auto row = [&](const std::string& k, const std::string& v) { h << "<tr><th>" << k << "</th><td>" << v << "</td></tr>"; };
    row("Survey analysed", escaped(data.started_utc) + (data.run_status == "complete" ? "" : " (run " + escaped(data.run_status) + ")"));
    row("Length surveyed", "<span id=\"surveyed-km\">" + fixed(data.surveyed_m / 1000, 3) + "</span> km in " +
                               std::to_string(data.segments.size()) + " segments");
    row("Area surveyed", fixed(data.surveyed_area_m2, 0) + " m² (surveyed length × lane width)");
    row("Damages", "<span id=\"damage-total\">" + std::to_string(data.damages.size()) +
                       "</span> (not rejected in review)");
    row("Rating scheme", "<b>" + escaped(data.scheme.name) + "</b>: " + escaped(data.scheme.title) + " (" +
                             escaped(data.scheme.source) + ", rated " + escaped(data.rated_utc) + ")");
    std::string inputs;
    for (const auto& [role, path, size, sha] : data.inputs)
        inputs += escaped(role) + ": " + escaped(fs::path(path).filename().string()) + " (" + size + " bytes, SHA-256 " +
                  escaped(sha.substr(0, 16)) + "…)<br>";
    row("Inputs", inputs);
    std::string plugins;
    for (const auto& [id, kind, version] : data.plugins)
        plugins += escaped(id) + " " + escaped(version) + (kind.empty() ? "" : " (" + escaped(kind) + ")") + "<br>";
    row("Plugins", plugins);
    row("Faces and plates blurred by", data.anonymized_by.empty() ? "not recorded (a project from before Voirie recorded it)"
                                                                  : escaped(data.anonymized_by));
    if (data.cpu_s > 0) {
        const std::string per_km = data.km > 0 ? " (" + formatEnergy(data.energy_wh / data.km) + " and " +
                                                     formatEmissions(data.co2e_g / data.km) + " per km)"
                                               : "";
        row("Cost and footprint", "<span id=\"footprint\">analysis: " + fixed(data.cpu_s, 0) + " CPU-seconds in " +
                                      fixed(data.wall_s, 0) + " s; estimated energy " + formatEnergy(data.energy_wh) +
                                      ", emissions " + formatEmissions(data.co2e_g) + per_km + "</span>. " +
                                      escaped(data.footprint_method) +
                                      (data.footprint_recorded ? "" : " (Estimated here from the recorded CPU time: the run "
                                                                      "predates Voirie's own footprint record.)"));
    }
    h << "</table>\n";

    // Map.
    h << "<h2>Overview map</h2>\n<p><img src=\"" << images.add("overview-map", map) << "\" " << sized(map, 1000)
      << "></p>\n<p>The track coloured by segment grade; dots are damages in their class colour."
      << (basemap_note.empty() ? "" : " (No basemap: " + escaped(basemap_note) + ")") << "</p>\n";

    // Damages.
    h << "<h2 class=\"pb\">Damages by class and severity</h2>\n<table id=\"damages-by-class\"><tr><th>class</th><th>L</th>"
         "<th>M</th><th>H</th><th>unrated</th><th>total</th><th>quantity</th></tr>";
    for (const auto& [code, c] : fig["damages_by_class"].items()) {
        double length = 0, area = 0;
        for (const auto& [id, d] : data.damages)
            if (d.class_code == code)
                length += d.length_m, area += d.area_m2;
        const std::string quantity = (code == "D00" || code == "D10") ? fixed(length, 1) + " m"
                                                                        : fixed(area, 2) + " m²";
        h << "<tr><td>" << escaped(classLabel(code)) << "</td><td class=\"n\">" << c["L"] << "</td><td class=\"n\">"
          << c["M"] << "</td><td class=\"n\">" << c["H"] << "</td><td class=\"n\">" << c["unrated"]
          << "</td><td class=\"n\"><b>" << c["total"] << "</b></td><td class=\"n\">" << quantity << "</td></tr>";
    }
    const QImage damages_chart = damageChart(data);
    h << "</table>\n<img src=\"" << images.add("damage-chart", damages_chart) << "\" " << sized(damages_chart, 900) << ">\n";

    // Grades.
    h << "<h2>Segment grades</h2>\n<table id=\"segments-by-grade\"><tr><th>grade</th><th>meaning</th><th>treatment</th>"
         "<th>segments</th></tr>";
    for (const auto& band : data.scheme.grades)
        h << "<tr>" << gradeCell(data, band.grade) << "<td>" << escaped(band.label) << "</td><td>"
          << escaped(band.treatment) << "</td><td class=\"n\">" << fig["segments_by_grade"][band.grade] << "</td></tr>";
    const QImage grades_chart = gradeChart(data);
    h << "</table>\n<img src=\"" << images.add("grade-chart", grades_chart) << "\" " << sized(grades_chart, 900) << ">\n";

    if (changes)
        h << changesSection(data, *changes, images);

    // Worst segments with their evidence.
    const auto order = worstFirst(data);
    h << "<h2 class=\"pb\">Worst segments first</h2>\n";
    for (size_t i = 0; i < order.size() && int(i) < o.worst_segments; ++i) {
        const auto& s = *order[i];
        h << "<h3>" << (s.road_id.empty() ? "" : "Road " + escaped(s.road_id) + ", ") << escaped(s.label)
          << ": index " << fixed(s.index, data.scheme.integer_index ? 0 : 1) << ", grade " << escaped(s.grade) << " ("
          << escaped(s.grade_label) << ") — " << escaped(s.treatment) << "</h3>\n<p>" << s.n_damages
          << " damage(s): " << fixed(s.crack_m, 1) << " m of cracking, " << fixed(s.alligator_m2, 2)
          << " m² of alligator cracking, " << fixed(s.pothole_m2, 2) << " m² of potholes over "
          << fixed(s.surveyed_m, 0) << " m surveyed.</p>\n";
        if (data.surface) {
            std::string why;
            const QImage strip = surfaceStrip(*data.surface, data, s, 1400, &why);
            if (!strip.isNull())
                h << "<p class=\"strip\"><img src=\"" << images.add("surface-" + std::to_string(i), strip) << "\" "
                  << sized(strip, 900) << " title=\"the road surface along the segment, damages ringed\"></p>\n";
        }
        h << "<p class=\"chips\">";
        // The most severe damages' evidence, at most four images per segment.
        std::vector<const ReportDamage*> shown;
        for (auto id : s.damage_ids)
            if (auto it = data.damages.find(id); it != data.damages.end() && !it->second.chip_jpeg.empty())
                shown.push_back(&it->second);
        std::stable_sort(shown.begin(), shown.end(), [](const auto* a, const auto* b) { return a->severity > b->severity; });
        for (size_t k = 0; k < shown.size() && k < 4; ++k) {
            QImage chip = QImage::fromData(QByteArray::fromStdString(shown[k]->chip_jpeg), "JPG");
            if (chip.isNull())
                continue;
            chip = chip.scaledToHeight(150, Qt::SmoothTransformation);
            h << "<img src=\"" << images.add("chip-" + std::to_string(shown[k]->id), chip) << "\" " << sized(chip, chip.width()) << " title=\"#"
              << shown[k]->id << " " << escaped(classLabel(shown[k]->class_code)) << " " << escaped(shown[k]->severity)
              << "\"> ";
        }
        if (shown.empty())
            h << "(no evidence images)";
        h << "</p>\n";
    }

    // Every segment.
    h << "<h2 class=\"pb\">All segments</h2>\n<table id=\"segments\"><tr><th>road</th><th>chainage</th><th>surveyed m</th>"
         "<th>damages</th><th>cracking m</th><th>alligator m²</th><th>potholes m²</th><th>index</th><th>grade</th>"
         "<th>treatment</th></tr>";
    for (const auto& s : data.segments)
        h << "<tr><td>" << escaped(s.road_id) << "</td><td>" << escaped(s.label) << "</td><td class=\"n\">"
          << fixed(s.surveyed_m, 0) << "</td><td class=\"n\">" << s.n_damages << "</td><td class=\"n\">"
          << fixed(s.crack_m, 1) << "</td><td class=\"n\">" << fixed(s.alligator_m2, 2) << "</td><td class=\"n\">"
          << fixed(s.pothole_m2, 2) << "</td><td class=\"n\">" << fixed(s.index, data.scheme.integer_index ? 0 : 1)
          << "</td>" << gradeCell(data, s.grade) << "<td>" << escaped(s.treatment) << "</td></tr>";
    h << "</table>\n";

    // How to read it.
    h << "<h2>How to read this report</h2>\n<ul>"
         "<li><b>Damages</b> were found by detector plugins in dash-cam footage, located on the road through the "
         "camera model and the GPS track, and merged so that each physical defect is counted once. Classes follow "
         "the public RDD2022 codes (D00 longitudinal crack, D10 transverse crack, D20 alligator cracking, D40 pothole); "
         "severity L/M/H comes from the measured crack width, alligator area and pothole size.</li>"
         "<li><b>Segments</b> are " << escaped(data.segments.empty() ? std::string("fixed") : fixed(data.segments[0].to_m - data.segments[0].from_m, 0) + " m")
      << " stretches of road; the surveyed length is what the camera actually covered, the area that length "
         "times the lane width.</li>"
         "<li><b>The condition index</b> (" << escaped(data.scheme.name) << ", " << fixed(data.scheme.index_min, 0)
      << " worst to " << fixed(data.scheme.index_max, 0)
      << " best) subtracts deduct values for each kind of damage by its density and severity; the largest deduct "
         "counts fully and further ones less. " << escaped(data.scheme.description) << "</li>"
         "<li><b>Grades and treatments</b> group the index into bands for budgeting; treat them as a screening that "
         "tells where to look first, to be confirmed on site before works are ordered.</li>"
         "<li>Evidence images have faces and licence plates blurred before they were stored.</li></ul>\n";
    nlohmann::ordered_json all = fig;
    all["energy_wh"] = data.energy_wh;
    all["co2e_g"] = data.co2e_g;
    if (changes && changes->summary.contains("labels"))
        all["changes"] = changes->summary["labels"];
    h << "<script type=\"application/json\" id=\"voirie-report-data\">" << all.dump() << "</script>\n</body></html>\n";
    return h.str();
}

} // namespace

Result<ReportSummary> writeSurveyReport(const ReportOptions& o)
{
    auto data = readReportData(o.project);
    if (!data)
        return fail(data.error());
    ReportSummary summary;
    ReportOptions options = o;
    if (!options.basemap) {
        const fs::path beside = o.project.parent_path() / "basemap.tif";
        std::error_code ec;
        if (fs::exists(beside, ec))
            options.basemap = beside;
    }

    auto html_out = AtomicOutput::prepare(o.html, o.overwrite);
    if (!html_out)
        return fail(html_out.error());
    std::optional<AtomicOutput> pdf_out;
    if (o.pdf) {
        auto p = AtomicOutput::prepare(*o.pdf, o.overwrite);
        if (!p)
            return fail(p.error());
        pdf_out.emplace(std::move(*p));
    }

    std::optional<ComparisonRecord> changes;
    if (o.changes) {
        auto read = readComparison(*o.changes);
        if (!read)
            return fail(read.error());
        std::error_code ec;
        if (!fs::equivalent(read->new_project, o.project, ec))
            summary.warnings.push_back(o.changes->string() + " compares " + read->new_project.filename().string() +
                                       ", not " + o.project.filename().string() + ": its section describes that project");
        changes = std::move(*read);
    }
    Images html_images;
    std::string basemap_note;
    const std::string html = buildHtml(*data, options, html_images, basemap_note, changes);
    if (!basemap_note.empty())
        summary.warnings.push_back(basemap_note);
    std::string inlined = html;
    for (const auto& [name, image] : html_images.all) {
        const std::string key = kImageScheme + name + "\"";
        const std::string uri = "data:image/" + std::string(name.rfind("chip-", 0) == 0 ? "jpeg" : "png") + ";base64,";
        std::string bytes;
        if (name.rfind("chip-", 0) == 0) {
            QByteArray jpeg;
            QBuffer buffer(&jpeg);
            buffer.open(QIODevice::WriteOnly);
            image.save(&buffer, "JPG", 85);
            bytes = jpeg.toStdString();
        } else {
            bytes = pngBytes(image);
        }
        for (size_t at = inlined.find(key); at != std::string::npos; at = inlined.find(key, at))
            inlined.replace(at, key.size() - 1, uri + base64(bytes)), at += uri.size();
    }
    if (auto s = html_out->write(inlined); !s)
        return fail(s.error());

    if (pdf_out) {
        QTextDocument document;
        document.setDefaultFont(QFont("DejaVu Sans", 8));
        for (const auto& [name, image] : html_images.all)
            document.addResource(QTextDocument::ImageResource, QUrl(QString(kImageScheme) + QString::fromStdString(name)),
                                 QVariant(image));
        // The page is narrower than a screen: figures at two thirds of their screen size.
        std::string printable = html;
        for (size_t at = printable.find("width=\""); at != std::string::npos; at = printable.find("width=\"", at + 1)) {
            const size_t end = printable.find('"', at + 7);
            const int w = std::stoi(printable.substr(at + 7, end - at - 7));
            printable.replace(at + 7, end - at - 7, std::to_string(w * 2 / 3));
            const size_t hat = printable.find("height=\"", at);
            if (hat != std::string::npos && hat < printable.find('>', at)) {
                const size_t hend = printable.find('"', hat + 8);
                const int hv = std::stoi(printable.substr(hat + 8, hend - hat - 8));
                printable.replace(hat + 8, hend - hat - 8, std::to_string(hv * 2 / 3));
            }
        }
        document.setHtml(QString::fromStdString(printable));
        // Rendered in memory, then written with every write checked: QPdfWriter does not say when
        // its file could not be written (a full disk left a truncated PDF that looked fine).
        QByteArray pdf;
        QBuffer pdf_buffer(&pdf);
        pdf_buffer.open(QIODevice::WriteOnly);
        QPdfWriter writer(&pdf_buffer);
        writer.setPageSize(QPageSize(QPageSize::A4));
        writer.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout::Millimeter);
        writer.setResolution(96);
        writer.setTitle(QString::fromStdString(o.title));
        writer.setCreator("Voirie " VOIRIE_VERSION);
        document.setPageSize(writer.pageLayout().paintRectPixels(writer.resolution()).size());
        document.print(&writer);
        summary.pdf_pages = document.pageCount();
        pdf_buffer.close();
        if (pdf.isEmpty())
            return fail("cannot write " + o.pdf->string() + ": Qt rendered an empty PDF");
        if (auto s = pdf_out->write(std::string_view(pdf.constData(), size_t(pdf.size()))); !s)
            return fail(s.error());
    }
    if (auto s = html_out->commit(); !s)
        return fail(s.error());
    if (pdf_out) {
        if (auto s = pdf_out->commit(); !s)
            return fail(s.error());
    }
    summary.segments = int(data->segments.size());
    summary.damages = int(data->damages.size());
    return summary;
}

} // namespace voirie::report
