#include "export_styles.hpp"

#include "voirie/core/project/qgis_styles.hpp"

#include <ogrsf_frmts.h>

#include <algorithm>
#include <fstream>

namespace voirie {
namespace fs = std::filesystem;

Status writeSidecarStyle(const fs::path& file, const std::string& layer)
{
    const std::string qml = qgisStyleQml(layer);
    if (qml.empty())
        return Ok{};
    fs::path style = file;
    style.replace_extension(".qml");
    std::ofstream out(style);
    out << qml;
    if (!out)
        return fail("cannot write the QGIS style " + style.string());
    return Ok{};
}

Status copyLayerStyles(GDALDataset& from, GDALDataset& to, const std::vector<std::string>& layers)
{
    OGRLayer* styles = from.GetLayerByName("layer_styles");
    if (styles == nullptr)
        return writeQgisStyles(to, "the export");
    char** options = CSLSetNameValue(nullptr, "ASPATIAL_VARIANT", "GPKG_ATTRIBUTES");
    OGRLayer* copy = to.CreateLayer("layer_styles", nullptr, wkbNone, options);
    CSLDestroy(options);
    if (copy == nullptr)
        return fail("cannot create layer_styles in the export");
    OGRFeatureDefn* defn = styles->GetLayerDefn();
    for (int i = 0; i < defn->GetFieldCount(); ++i)
        if (copy->CreateField(defn->GetFieldDefn(i)) != OGRERR_NONE)
            return fail("cannot create layer_styles in the export");
    styles->ResetReading();
    for (OGRFeatureUniquePtr f(styles->GetNextFeature()); f; f.reset(styles->GetNextFeature())) {
        const std::string table = f->GetFieldAsString("f_table_name");
        if (std::find(layers.begin(), layers.end(), table) == layers.end())
            continue;
        OGRFeatureUniquePtr g(OGRFeature::CreateFeature(copy->GetLayerDefn()));
        g->SetFrom(f.get());
        if (OGRLayer* target = to.GetLayerByName(table.c_str()))
            g->SetField("f_geometry_column", target->GetGeometryColumn());
        if (copy->CreateFeature(g.get()) != OGRERR_NONE)
            return fail("cannot copy the QGIS styles into the export");
    }
    return Ok{};
}

} // namespace voirie
