#include "voirie/core/project/qgis_styles.hpp"

#include "voirie/core/geo/gdal_error_trap.hpp"
#include "voirie/core/project/gdal_helpers.hpp"
#include "voirie/core/vocabulary/damage_classes.hpp"

#include <cstdio>
#include <sstream>

namespace voirie {
namespace {

std::string rgba(std::string_view hex, int alpha = 255)
{
    unsigned r = 0, g = 0, b = 0;
    std::sscanf(std::string(hex).c_str(), "#%02x%02x%02x", &r, &g, &b);
    return std::to_string(r) + "," + std::to_string(g) + "," + std::to_string(b) + "," + std::to_string(alpha);
}

std::string option(const char* name, const std::string& value)
{
    return "<Option type=\"QString\" name=\"" + std::string(name) + "\" value=\"" + value + "\"/>";
}

// Stroke width in mm grows with severity: L thin, M medium, H thick (unknown as L).
std::string severityWidth(double scale)
{
    std::ostringstream s;
    s << "CASE WHEN &quot;severity&quot; = 'H' THEN " << 1.6 * scale << " WHEN &quot;severity&quot; = 'M' THEN "
      << 1.0 * scale << " ELSE " << 0.6 * scale << " END";
    return "<data_defined_properties><Option type=\"Map\">" + option("name", "") +
           "<Option type=\"Map\" name=\"properties\"><Option type=\"Map\" name=\"outlineWidth\">"
           "<Option type=\"bool\" name=\"active\" value=\"true\"/>" +
           option("expression", s.str()) +
           "<Option type=\"int\" name=\"type\" value=\"3\"/></Option></Option>" + option("type", "collection") +
           "</Option></data_defined_properties>";
}

std::string lineSymbol(const std::string& name, const std::string& colour, double width, bool by_severity,
                       double scale)
{
    return "<symbol type=\"line\" name=\"" + name + "\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">"
           "<layer class=\"SimpleLine\" enabled=\"1\" pass=\"0\" locked=\"0\"><Option type=\"Map\">" +
           option("line_color", colour) + option("line_width", std::to_string(width)) + option("line_width_unit", "MM") +
           option("capstyle", "round") + option("joinstyle", "round") + option("line_style", "solid") + "</Option>" +
           (by_severity ? severityWidth(scale) : "") + "</layer></symbol>";
}

std::string fillSymbol(const std::string& name, std::string_view hex, bool by_severity, double scale)
{
    return "<symbol type=\"fill\" name=\"" + name + "\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">"
           "<layer class=\"SimpleFill\" enabled=\"1\" pass=\"0\" locked=\"0\"><Option type=\"Map\">" +
           option("color", rgba(hex, 110)) + option("style", "solid") + option("outline_color", rgba(hex)) +
           option("outline_style", "solid") + option("outline_width", "0.6") + option("outline_width_unit", "MM") +
           "</Option>" + (by_severity ? severityWidth(scale) : "") + "</layer></symbol>";
}

std::string markerSymbol(const std::string& name, const std::string& colour, double size)
{
    return "<symbol type=\"marker\" name=\"" + name + "\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">"
           "<layer class=\"SimpleMarker\" enabled=\"1\" pass=\"0\" locked=\"0\"><Option type=\"Map\">" +
           option("name", "circle") + option("color", colour) + option("outline_color", "255,255,255,255") +
           option("outline_width", "0.2") + option("size", std::to_string(size)) + option("size_unit", "MM") +
           "</Option></layer></symbol>";
}

std::string document(const std::string& renderer, const std::string& extra = "")
{
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
           "<qgis version=\"3.22.0\" styleCategories=\"Symbology|Labeling\">" +
           renderer + extra + "</qgis>\n";
}

// One rule per class and geometry type: a crack is a line, an area damage (or a box) a polygon;
// QGIS draws a feature only with a symbol of its own geometry type.
std::string damageRenderer(double scale)
{
    std::string rules, symbols;
    int n = 0;
    for (const auto& c : kDamageClasses) {
        const std::string code(c.code), label = code + " " + std::string(c.name);
        const std::string filter = "&quot;class&quot; = '" + code + "'";
        rules += "<rule key=\"" + code + "-line\" label=\"" + label + "\" symbol=\"" + std::to_string(n) +
                 "\" filter=\"" + filter + " AND geometry_type($geometry) = 'Line'\"/>";
        symbols += lineSymbol(std::to_string(n++), rgba(c.colour), 0.8 * scale, true, scale);
        rules += "<rule key=\"" + code + "-area\" label=\"" + label + " (area)\" symbol=\"" + std::to_string(n) +
                 "\" filter=\"" + filter + " AND geometry_type($geometry) = 'Polygon'\"/>";
        symbols += fillSymbol(std::to_string(n++), c.colour, true, scale);
    }
    rules += "<rule key=\"other\" label=\"other\" symbol=\"" + std::to_string(n) + "\" filter=\"ELSE\"/>";
    symbols += lineSymbol(std::to_string(n), "120,120,120,255", 0.6, false, scale);
    return "<renderer-v2 type=\"RuleRenderer\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">"
           "<rules key=\"root\">" + rules + "</rules><symbols>" + symbols + "</symbols></renderer-v2>";
}

} // namespace

std::string qgisStyleQml(const std::string& layer)
{
    if (layer == "damages")
        return document(damageRenderer(1.0));
    if (layer == "detections")
        return document(damageRenderer(0.5));
    if (layer == "track")
        return document("<renderer-v2 type=\"singleSymbol\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">"
                        "<symbols>" + lineSymbol("0", "60,60,60,200", 0.7, false, 1) + "</symbols></renderer-v2>");
    if (layer == "frames")
        return document("<renderer-v2 type=\"singleSymbol\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">"
                        "<symbols>" + markerSymbol("0", "90,90,90,255", 1.2) + "</symbols></renderer-v2>");
    return {};
}

std::string categorisedLineStyleQml(const std::string& field, const std::vector<StyleCategory>& categories,
                                    double width_mm)
{
    std::string rules, symbols;
    for (size_t i = 0; i < categories.size(); ++i) {
        const auto& c = categories[i];
        rules += "<rule key=\"" + std::to_string(i) + "\" label=\"" + c.label + "\" symbol=\"" + std::to_string(i) +
                 "\" filter=\"&quot;" + field + "&quot; = '" + c.value + "'\"/>";
        symbols += lineSymbol(std::to_string(i), rgba(c.colour), width_mm, false, 1);
    }
    return document("<renderer-v2 type=\"RuleRenderer\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">"
                    "<rules key=\"root\">" + rules + "</rules><symbols>" + symbols + "</symbols></renderer-v2>");
}

std::string categorisedGeometryStyleQml(const std::string& field, const std::vector<StyleCategory>& categories)
{
    std::string rules, symbols;
    int n = 0;
    for (const auto& c : categories) {
        const std::string filter = "&quot;" + field + "&quot; = '" + c.value + "'";
        auto rule = [&](const char* type, const std::string& suffix) {
            rules += "<rule key=\"" + std::to_string(n) + "\" label=\"" + c.label + suffix + "\" symbol=\"" +
                     std::to_string(n) + "\" filter=\"" + filter + " AND geometry_type($geometry) = '" + type + "'\"/>";
        };
        rule("Point", "");
        symbols += markerSymbol(std::to_string(n++), rgba(c.colour), 3.0);
        rule("Line", "");
        symbols += lineSymbol(std::to_string(n++), rgba(c.colour), 1.2, false, 1);
        rule("Polygon", " (area)");
        symbols += fillSymbol(std::to_string(n++), c.colour, false, 1);
    }
    return document("<renderer-v2 type=\"RuleRenderer\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">"
                    "<rules key=\"root\">" + rules + "</rules><symbols>" + symbols + "</symbols></renderer-v2>");
}

Status writeLayerStyle(GDALDataset& ds, const std::string& name, const std::string& qml, const std::string& where)
{
    OGRLayer* target = ds.GetLayerByName(name.c_str());
    if (target == nullptr)
        return fail("cannot style layer " + name + " in " + where + ": there is no such layer");
    OGRLayer* styles = ds.GetLayerByName("layer_styles");
    if (styles == nullptr) {
        char** options = CSLSetNameValue(nullptr, "ASPATIAL_VARIANT", "GPKG_ATTRIBUTES");
        styles = ds.CreateLayer("layer_styles", nullptr, wkbNone, options);
        CSLDestroy(options);
        if (styles == nullptr)
            return fail("cannot create the layer_styles table in " + where + ": " + gdalWriteReason());
        for (const char* f : {"f_table_catalog", "f_table_schema", "f_table_name", "f_geometry_column", "styleName",
                              "styleQML", "styleSLD", "description", "owner", "ui"})
            addField(*styles, f, OFTString);
        addField(*styles, "useAsDefault", OFTInteger);
        addField(*styles, "update_time", OFTDateTime);
    }
    styles->SetAttributeFilter(("f_table_name = '" + name + "'").c_str());
    styles->ResetReading();
    for (OGRFeatureUniquePtr old(styles->GetNextFeature()); old; old.reset(styles->GetNextFeature()))
        if (styles->DeleteFeature(old->GetFID()) != OGRERR_NONE)
            return fail("cannot replace the QGIS style of " + name + " in " + where);
    styles->SetAttributeFilter(nullptr);
    OGRFeatureUniquePtr f(OGRFeature::CreateFeature(styles->GetLayerDefn()));
    f->SetField("f_table_catalog", "");
    f->SetField("f_table_schema", "");
    f->SetField("f_table_name", name.c_str());
    f->SetField("f_geometry_column", target->GetGeometryColumn());
    f->SetField("styleName", ("voirie " + name).c_str());
    f->SetField("styleQML", qml.c_str());
    f->SetField("styleSLD", "");
    f->SetField("description", "Voirie default style");
    f->SetField("owner", "voirie");
    f->SetField("ui", "");
    f->SetField("useAsDefault", 1);
    if (styles->CreateFeature(f.get()) != OGRERR_NONE)
        return fail("cannot write the QGIS style of " + name + " in " + where + ": " + gdalWriteReason());
    return Ok{};
}

Status writeQgisStyles(GDALDataset& ds, const std::string& where)
{
    for (const char* name : {"track", "frames", "detections", "damages"}) {
        if (ds.GetLayerByName(name) == nullptr)
            continue;
        if (auto s = writeLayerStyle(ds, name, qgisStyleQml(name), where); !s)
            return s;
    }
    return Ok{};
}

} // namespace voirie
