// The pictures of a survey report, drawn with Qt: the overview map (basemap warped by GDAL to
// Web Mercator when there is one, the track coloured by segment grade, legend, scale bar) and
// the charts (damages by class and severity, segments by grade).
#pragma once

#include "report_data.hpp"

#include "voirie/core/campaign/change_reader.hpp"

#include <QImage>

#include <filesystem>
#include <optional>

namespace voirie::report {

// `note` receives why a basemap could not be used, if one was given and failed.
QImage overviewMap(const ReportData& data, const std::optional<std::filesystem::path>& basemap, std::string* note);
QImage damageChart(const ReportData& data);
// "Since the last survey": segments coloured by how their grade changed, defects by change label.
QImage changeMap(const ReportData& data, const ComparisonRecord& changes);
// The colour of a change label ("new", "grown", ...) or segment change ("worse", ...), as in QGIS.
QColor changeColour(const std::string& label);
QImage gradeChart(const ReportData& data);

} // namespace voirie::report
