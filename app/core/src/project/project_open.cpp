#include "voirie/core/project/project_open.hpp"

#include "voirie/core/geo/gdal_error_trap.hpp"
#include "voirie/core/project/gdal_helpers.hpp"

#include <ogrsf_frmts.h>

#include <cstring>
#include <fstream>
#include <sstream>

namespace voirie {
namespace fs = std::filesystem;
namespace {

// What SQLite says about the file: "ok", or its first complaint (empty when it could not ask).
std::string integrityOf(GDALDataset& ds, IntegrityCheck how)
{
    GdalErrorTrap trap;
    OGRLayer* result = ds.ExecuteSQL(how == IntegrityCheck::full ? "PRAGMA integrity_check" : "PRAGMA quick_check",
                                     nullptr, nullptr);
    std::string first;
    if (result != nullptr) {
        result->ResetReading();
        if (OGRFeatureUniquePtr f(result->GetNextFeature()); f)
            first = f->GetFieldAsString(0);
        ds.ReleaseResultSet(result);
    }
    if (first.empty())
        first = trap.reason().empty() ? "SQLite could not check it" : trap.reason();
    // SQLite lists every problem in one text, headed "*** in database main ***": the first is enough.
    std::istringstream lines(first);
    for (std::string line; std::getline(lines, line);)
        if (!line.empty() && line.rfind("*** in database", 0) != 0)
            return line;
    return first;
}

// The SQLite header: a GeoPackage is an SQLite file whatever its extension.
std::string notSqliteReason(const fs::path& path)
{
    std::error_code ec;
    if (!fs::exists(path, ec))
        return "no such file";
    if (!fs::is_regular_file(path, ec))
        return "it is not a file";
    std::ifstream in(path, std::ios::binary);
    char header[16] = {};
    if (!in.read(header, sizeof(header)))
        return fs::file_size(path, ec) == 0 ? "the file is empty" : "the file is too short to be a GeoPackage";
    if (std::memcmp(header, "SQLite format 3", 16) != 0)
        return "it is not a GeoPackage (not an SQLite file)";
    return {};
}

int schemaVersionOf(GDALDataset& ds)
{
    OGRLayer* run = ds.GetLayerByName("run");
    if (run == nullptr || run->GetLayerDefn()->GetFieldIndex("schema_version") < 0)
        return 1;
    run->ResetReading();
    OGRFeatureUniquePtr f(run->GetNextFeature());
    run->ResetReading(); // no statement left open: a later DROP TABLE (voirie rate) would be refused
    return f ? int(fieldNumber(*f, "schema_version", 1)) : 1;
}

const ProjectLayerSchema* schemaOf(const std::string& layer)
{
    for (const auto& l : projectSchema())
        if (layer == l.layer)
            return &l;
    return nullptr;
}

std::vector<std::string> missingFields(OGRLayer& layer, const std::vector<std::string>& fields)
{
    std::vector<std::string> missing;
    for (const auto& field : fields)
        if (layer.GetLayerDefn()->GetFieldIndex(field.c_str()) < 0)
            missing.push_back(field);
    return missing;
}

std::vector<std::string> essentialFields(const std::string& layer)
{
    const ProjectLayerSchema* schema = schemaOf(layer);
    return schema ? std::vector<std::string>(schema->fields.begin(), schema->fields.end()) : std::vector<std::string>{};
}

std::string damaged(const fs::path& path, const std::string& sqlite_says)
{
    return "project " + path.string() + " is damaged (SQLite: " + sqlite_says +
           "); nothing read from it could be trusted. `voirie check " + path.string() +
           "` says what is wrong; re-run the analysis or restore a copy";
}

// Opens the GeoPackage. A process killed during a commit leaves a hot journal that SQLite rolls
// back on the next open, which a read-only open cannot do ("attempt to write a readonly
// database"): then one open for update rolls it back - restoring the last commit, as any writer
// would - and the read-only open is tried again.
GDALDatasetUniquePtr openGeoPackage(const fs::path& path, unsigned mode)
{
    const char* drivers[] = {"GPKG", nullptr};
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.string().c_str(), mode, drivers));
    std::error_code ec;
    const fs::path journal = path.string() + "-journal";
    if (ds || (mode & GDAL_OF_UPDATE) != 0 || !fs::exists(journal, ec) || fs::file_size(journal, ec) == 0)
        return ds;
    GDALDatasetUniquePtr(GDALDataset::Open(path.string().c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE, drivers)).reset();
    return GDALDatasetUniquePtr(GDALDataset::Open(path.string().c_str(), mode, drivers));
}

} // namespace

const std::vector<ProjectLayerSchema>& projectSchema()
{
    static const std::vector<ProjectLayerSchema> schema = {
        {"track", {"segment"}},
        {"frames", {"frame_index", "file", "frame_in_file"}},
        {"detections", {"frame_index", "damage_id", "plugin_id", "class", "confidence"}},
        // chainage_m places a damage on its segment: without it rating put every damage at 0 m.
        {"damages", {"damage_id", "class", "severity", "length_m", "area_m2", "chainage_m", "review_state"}},
        {"run", {"voirie_version", "status", "summary"}},
        {"run_inputs", {"role", "path", "sha256"}},
        {"run_plugins", {"plugin_id", "kind", "version"}},
    };
    return schema;
}

Result<GDALDatasetUniquePtr> openProject(const fs::path& path, const ProjectOpening& how)
{
    const std::string where = path.string();
    if (const std::string why = notSqliteReason(path); !why.empty())
        return fail("cannot open project " + where + ": " + why);
    GDALAllRegister();
    GdalErrorTrap trap;
    const unsigned mode = GDAL_OF_VECTOR | (how.access == ProjectAccess::update ? GDAL_OF_UPDATE : GDAL_OF_READONLY);
    GDALDatasetUniquePtr ds = openGeoPackage(path, mode);
    if (!ds) {
        const std::string reason = trap.reason();
        if (reason.find("malformed") != std::string::npos || reason.find("corrupt") != std::string::npos)
            return fail(damaged(path, reason));
        return fail("cannot open project " + where + (how.access == ProjectAccess::update ? " for writing" : "") + ": " +
                    (reason.empty() ? "GDAL does not read it as a GeoPackage" : reason));
    }
    if (how.integrity != IntegrityCheck::none)
        if (const std::string integrity = integrityOf(*ds, how.integrity); integrity != "ok")
            return fail(damaged(path, integrity));
    if (const int version = schemaVersionOf(*ds); version > kProjectSchemaVersion)
        return fail("project " + where + " was written by a newer Voirie (project schema " + std::to_string(version) +
                    "; this one reads up to " + std::to_string(kProjectSchemaVersion) + "): update Voirie to read it");
    for (const auto& need : how.layers) {
        OGRLayer* layer = ds->GetLayerByName(need.layer.c_str());
        if (layer == nullptr)
            return fail(where + " is not a complete Voirie project: it has no '" + need.layer + "' layer");
        const auto fields = need.fields.empty() ? essentialFields(need.layer) : need.fields;
        if (const auto missing = missingFields(*layer, fields); !missing.empty())
            return fail("project " + where + " is incomplete: its '" + need.layer + "' layer has no '" + missing.front() +
                        "' field, so what depends on it cannot be trusted (was it edited outside Voirie?)");
    }
    return ds;
}

ProjectCheck checkProject(const fs::path& path)
{
    ProjectCheck check;
    if (const std::string why = notSqliteReason(path); !why.empty()) {
        check.problems.push_back("cannot open project " + path.string() + ": " + why);
        return check;
    }
    GDALAllRegister();
    GdalErrorTrap trap;
    GDALDatasetUniquePtr ds = openGeoPackage(path, GDAL_OF_VECTOR | GDAL_OF_READONLY);
    if (!ds) {
        check.integrity = trap.reason();
        check.problems.push_back("GDAL cannot open " + path.string() + " as a GeoPackage: " +
                                 (trap.reason().empty() ? "unknown reason" : trap.reason()));
        return check;
    }
    check.integrity = integrityOf(*ds, IntegrityCheck::full);
    if (check.integrity != "ok")
        check.problems.push_back("SQLite's integrity check fails: " + check.integrity +
                                 " (rows may be missing from any layer below)");
    check.schema_version = schemaVersionOf(*ds);
    if (check.schema_version > kProjectSchemaVersion)
        check.problems.push_back("written by a newer Voirie (project schema " + std::to_string(check.schema_version) + ")");
    for (const auto& schema : projectSchema()) {
        ProjectCheck::Layer layer{schema.layer, false, {}, -1};
        if (OGRLayer* l = ds->GetLayerByName(schema.layer)) {
            layer.present = true;
            layer.missing_fields = missingFields(*l, essentialFields(schema.layer));
            for (const auto& field : layer.missing_fields)
                check.problems.push_back("layer '" + layer.name + "' has no '" + field + "' field");
            GdalErrorTrap reading;
            int64_t n = 0;
            l->ResetReading();
            for (OGRFeatureUniquePtr f(l->GetNextFeature()); f; f.reset(l->GetNextFeature()))
                ++n;
            if (reading.errors().empty())
                layer.features = n;
            else
                check.problems.push_back("layer '" + layer.name + "' cannot be read to its end (" + reading.reason() +
                                         "; " + std::to_string(n) + " rows read)");
        } else {
            check.problems.push_back("no '" + layer.name + "' layer");
        }
        check.layers.push_back(std::move(layer));
    }
    if (OGRLayer* run = ds->GetLayerByName("run")) {
        run->ResetReading();
        if (OGRFeatureUniquePtr f(run->GetNextFeature()); f)
            check.run_status = fieldText(*f, "status");
    }
    if (!check.run_status.empty() && check.run_status != "complete")
        check.problems.push_back("the analysis that wrote it is '" + check.run_status +
                                 "', not complete: it covers only part of the survey");
    check.ok = check.problems.empty();
    return check;
}

nlohmann::ordered_json ProjectCheck::toJson() const
{
    nlohmann::ordered_json j;
    j["ok"] = ok;
    j["problems"] = problems;
    j["integrity"] = integrity;
    j["schema_version"] = schema_version;
    j["run_status"] = run_status;
    j["layers"] = nlohmann::ordered_json::object();
    for (const auto& l : layers)
        j["layers"][l.name] = {{"present", l.present},
                               {"missing_fields", l.missing_fields},
                               {"features", l.features >= 0 ? nlohmann::ordered_json(l.features) : nullptr},
                               {"trusted", l.present && l.missing_fields.empty() && l.features >= 0 && integrity == "ok"}};
    return j;
}

std::string ProjectCheck::toText() const
{
    std::ostringstream out;
    out << "integrity: " << (integrity.empty() ? "not checked" : integrity) << "\n";
    if (schema_version > 0)
        out << "schema version: " << schema_version << "\n";
    if (!run_status.empty())
        out << "analysis: " << run_status << "\n";
    for (const auto& l : layers) {
        out << "layer " << l.name << ": ";
        if (!l.present)
            out << "missing";
        else {
            out << (l.features >= 0 ? std::to_string(l.features) + " rows" : std::string("unreadable"));
            for (const auto& f : l.missing_fields)
                out << ", no field '" << f << "'";
            out << (l.missing_fields.empty() && l.features >= 0 && integrity == "ok" ? " - can be trusted" : " - cannot be trusted");
        }
        out << "\n";
    }
    for (const auto& p : problems)
        out << "problem: " << p << "\n";
    out << (ok ? "the project is sound\n" : "the project has problems\n");
    return out.str();
}

} // namespace voirie
