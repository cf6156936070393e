#include "map_style.hpp"

#include "voirie/core/vocabulary/damage_classes.hpp"

#include <QImage>

#include <array>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

namespace voirie::gui {

QColor classColour(const std::string& class_code)
{
    // Parsed once: this runs for every damage on every repaint.
    static const std::array<QColor, kDamageClasses.size()> colours = [] {
        std::array<QColor, kDamageClasses.size()> out;
        for (size_t i = 0; i < kDamageClasses.size(); ++i)
            out[i] = QColor(QString::fromLatin1(kDamageClasses[i].colour.data(), qsizetype(kDamageClasses[i].colour.size())));
        return out;
    }();
    for (size_t i = 0; i < kDamageClasses.size(); ++i)
        if (kDamageClasses[i].code == class_code)
            return colours[i];
    return QColor(0x99, 0x99, 0x99);
}

QString className(const std::string& class_code)
{
    for (const auto& c : kDamageClasses)
        if (c.code == class_code)
            return QString::fromLatin1(c.name.data(), qsizetype(c.name.size()));
    return QString::fromStdString(class_code);
}

DamageSymbol damageSymbol(const DamageRecord& d)
{
    DamageSymbol s;
    s.colour = classColour(d.class_code);
    s.radius = d.severity == "H" ? 7.5 : d.severity == "M" ? 6 : 4.5;
    s.line_width = d.severity == "H" ? 4.5 : d.severity == "M" ? 3.2 : 2.2;
    for (size_t i = 0; i < kDamageClasses.size(); ++i)
        if (kDamageClasses[i].code == d.class_code)
            s.class_bit = uint16_t(1u << i);
    if (s.class_bit == 1 && d.class_code != kDamageClasses[0].code)
        s.class_bit = uint16_t(1u << kDamageClasses.size());
    s.rejected = d.review_state == "rejected";
    s.accepted = d.review_state == "accepted";
    s.pothole = d.class_code == "D40" || d.shape == ShapeKind::Point;
    if (s.rejected)
        s.colour.setAlpha(80);
    s.fill = s.colour;
    s.fill.setAlpha(s.rejected ? 30 : 110);
    return s;
}

void drawDamageMarker(QPainter& p, QPointF at, const DamageSymbol& s)
{
    p.setPen(s.accepted ? QPen(QColor(0x10, 0x10, 0x10), 2) : QPen(QColor(255, 255, 255, s.rejected ? 90 : 220), 1));
    p.setBrush(s.colour);
    if (s.pothole) {
        p.drawEllipse(at, s.radius, s.radius);
    } else {
        const double r = s.radius * 1.2;
        const QPointF diamond[4] = {at + QPointF(0, -r), at + QPointF(r, 0), at + QPointF(0, r), at + QPointF(-r, 0)};
        p.drawConvexPolygon(diamond, 4);
    }
}

const QImage& markerSprite(const DamageSymbol& s)
{
    static std::map<std::tuple<QRgb, int, int>, QImage> sprites; // GUI thread only
    const int flags = (s.pothole ? 1 : 0) | (s.accepted ? 2 : 0) | (s.rejected ? 4 : 0);
    const auto key = std::make_tuple(s.colour.rgba(), int(s.radius * 4), flags);
    auto it = sprites.find(key);
    if (it == sprites.end()) {
        const int side = int(std::ceil(s.radius * 2.4)) + 6;
        QImage image(side, side, QImage::Format_ARGB32_Premultiplied);
        image.fill(Qt::transparent);
        QPainter p(&image);
        p.setRenderHint(QPainter::Antialiasing, true);
        drawDamageMarker(p, QPointF(side / 2.0, side / 2.0), s);
        p.end();
        it = sprites.emplace(key, std::move(image)).first;
    }
    return it->second;
}

void blitDamageMarker(QPainter& p, QPointF at, const DamageSymbol& s)
{
    const QImage& sprite = markerSprite(s);
    p.drawImage(QPoint(int(std::lround(at.x())) - sprite.width() / 2, int(std::lround(at.y())) - sprite.height() / 2), sprite);
}

std::vector<std::pair<QString, QColor>> legendClasses(const ProjectData& project)
{
    std::set<std::string> present;
    for (const auto& d : project.damages)
        present.insert(d.class_code);
    std::vector<std::pair<QString, QColor>> out;
    for (const auto& c : kDamageClasses)
        if (present.count(std::string(c.code)))
            out.emplace_back(QString("%1 %2").arg(QString::fromLatin1(c.code.data(), qsizetype(c.code.size())),
                                                  className(std::string(c.code))),
                             classColour(std::string(c.code)));
    return out;
}

QColor changeColour(const std::string& label)
{
    if (label == "new")
        return QColor("#d7191c");
    if (label == "grown")
        return QColor("#fdae61");
    if (label == "unchanged")
        return QColor("#2c7bb6");
    if (label == "repaired")
        return QColor("#1a9641");
    return QColor("#999999");
}

std::vector<std::pair<QString, QColor>> legendChanges(const ProjectData& project)
{
    std::vector<std::pair<QString, QColor>> out;
    if (!project.changes)
        return out;
    for (const char* label : {"new", "grown", "unchanged", "repaired", "not covered"}) {
        bool present = false;
        for (const auto& d : project.changes->record.defects)
            present = present || d.change == label;
        if (present)
            out.emplace_back(QString("%1 since the last survey").arg(label), changeColour(label));
    }
    return out;
}

} // namespace voirie::gui
