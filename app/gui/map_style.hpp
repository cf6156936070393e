// How damages look in the app: the class colours of the QGIS styles and reports, a marker that
// grows with severity, review state shown by fading rejected damages and ringing accepted ones.
#pragma once

#include "project_data.hpp"

#include <QColor>
#include <QPainter>
#include <QString>

#include <utility>
#include <vector>

namespace voirie::gui {

inline constexpr double kFramesVisibleBelow = 0.6; // metres per pixel
inline constexpr double kShapesVisibleBelow = 0.08; // footprints drawn as they are below this

QColor classColour(const std::string& class_code);
QString className(const std::string& class_code);

struct DamageSymbol {
    QColor colour, fill;
    double radius = 5, line_width = 2;
    uint16_t class_bit = 1;
    bool rejected = false, accepted = false;
    bool pothole = false;
};

DamageSymbol damageSymbol(const DamageRecord& damage);
// The colour of a change label ("new", "grown", "unchanged", "repaired", "not covered"), as in
// QGIS and the report.
QColor changeColour(const std::string& label);
// The change labels present, in the legend's order, with their colours.
std::vector<std::pair<QString, QColor>> legendChanges(const ProjectData& project);
// A circle for potholes, a diamond for cracks, filled with the class colour.
void drawDamageMarker(QPainter& p, QPointF at, const DamageSymbol& symbol);
// The same marker from a cache of pre-drawn images: a blit, for the thousands on a map.
void blitDamageMarker(QPainter& p, QPointF at, const DamageSymbol& symbol);

// The classes present in the project, in vocabulary order, with their colours.
std::vector<std::pair<QString, QColor>> legendClasses(const ProjectData& project);

} // namespace voirie::gui
