#include "damage_table_model.hpp"

#include "map_style.hpp"

#include <QBrush>

namespace voirie::gui {

namespace {

QString severityText(const std::string& s)
{
    return s == "H" ? "H high" : s == "M" ? "M medium" : s == "L" ? "L low" : "—";
}

int severityRank(const std::string& s) { return s == "H" ? 3 : s == "M" ? 2 : s == "L" ? 1 : 0; }

} // namespace

void DamageTableModel::setProject(const ProjectData* project)
{
    beginResetModel();
    project_ = project;
    endResetModel();
}

void DamageTableModel::damageChanged(int index)
{
    Q_EMIT dataChanged(this->index(index, 0), this->index(index, ColumnCount - 1));
}

int DamageTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() || project_ == nullptr ? 0 : int(project_->damages.size());
}

int DamageTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant DamageTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char* names[] = {"ID", "Class", "Severity", "Conf.", "Length m", "Area m²", "Chainage m",
                                  "Frames", "Review", "Plugins", "Note", "Change"};
    return section >= 0 && section < ColumnCount ? QString::fromUtf8(names[section]) : QVariant();
}

QVariant DamageTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || project_ == nullptr || index.row() >= int(project_->damages.size()))
        return {};
    const DamageRecord& d = project_->damages[size_t(index.row())];
    if (role == SortRole) {
        switch (index.column()) {
        case Id: return qlonglong(d.damage_id);
        case Severity: return severityRank(d.severity);
        case Confidence: return d.confidence;
        case Length: return d.length_m;
        case Area: return d.area_m2;
        case Chainage: return d.chainage_m;
        case Frames: return d.n_frames;
        default: break;
        }
        role = Qt::DisplayRole;
    }
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Id: return qlonglong(d.damage_id);
        case Class: return QString("%1 %2").arg(QString::fromStdString(d.class_code), className(d.class_code));
        case Severity: return severityText(d.severity);
        case Confidence: return QString::number(d.confidence, 'f', 2);
        case Length: return d.length_m > 0 ? QString::number(d.length_m, 'f', 2) : QString();
        case Area: return d.area_m2 > 0 ? QString::number(d.area_m2, 'f', 2) : QString();
        case Chainage: return QString::number(d.chainage_m, 'f', 1);
        case Frames: return d.n_frames;
        case Review: return QString::fromStdString(d.review_state);
        case Plugins: return QString::fromStdString(d.plugins);
        case Note: return QString::fromStdString(d.review_note);
        case Change: return QString::fromStdString(project_->changeOf(index.row()));
        default: return {};
        }
    }
    if (role == Qt::DecorationRole && index.column() == Class)
        return classColour(d.class_code);
    if (role == Qt::DecorationRole && index.column() == Change && project_->changes)
        return changeColour(project_->changeOf(index.row()));
    if (role == Qt::ForegroundRole && d.review_state == "rejected")
        return QBrush(QColor(0x90, 0x90, 0x90));
    if (role == Qt::BackgroundRole && index.column() == Review) {
        if (d.review_state == "accepted")
            return QBrush(QColor(0xd9, 0xf2, 0xd9));
        if (d.review_state == "rejected")
            return QBrush(QColor(0xf6, 0xdc, 0xdc));
    }
    if (role == Qt::TextAlignmentRole && index.column() != Class && index.column() != Plugins && index.column() != Note &&
        index.column() != Review && index.column() != Change)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

bool DamageFilter::accepts(const ProjectData& project, int index) const
{
    return (change.empty() || project.changeOf(index) == change) && accepts(project.damages[size_t(index)]);
}

bool DamageFilter::accepts(const DamageRecord& d) const
{
    if (!classes.empty() && !classes.count(d.class_code))
        return false;
    if (!severity.empty() && d.severity != severity)
        return false;
    if (d.confidence < min_confidence)
        return false;
    if (!review_state.empty() && d.review_state != review_state)
        return false;
    if (!plugin.empty()) {
        // `plugins` lists "id version" entries separated by commas.
        const std::string& p = d.plugins;
        size_t at = p.find(plugin);
        bool found = false;
        while (at != std::string::npos && !found) {
            const bool starts = at == 0 || p[at - 1] == ' ' || p[at - 1] == ',';
            const size_t end = at + plugin.size();
            found = starts && (end == p.size() || p[end] == ' ' || p[end] == ',');
            at = p.find(plugin, at + 1);
        }
        if (!found)
            return false;
    }
    return true;
}

DamageFilterModel::DamageFilterModel(QObject* parent) : QSortFilterProxyModel(parent)
{
    setSortRole(DamageTableModel::SortRole);
    setDynamicSortFilter(false); // a review must not make the row jump away under the reviewer
}

void DamageFilterModel::setFilter(const DamageFilter& filter)
{
    filter_ = filter;
    invalidateFilter();
}

bool DamageFilterModel::filterAcceptsRow(int row, const QModelIndex&) const
{
    const auto* model = static_cast<const DamageTableModel*>(sourceModel());
    if (model == nullptr || model->project() == nullptr)
        return false;
    return filter_.accepts(*model->project(), row);
}

} // namespace voirie::gui
