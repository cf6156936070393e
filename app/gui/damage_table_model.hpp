// The damages as a table (one row per damage, in the project's order) and the filter the table,
// the map and next/previous navigation share: class, severity, minimum confidence, review state,
// plugin.
#pragma once

#include "project_data.hpp"

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>

#include <set>

namespace voirie::gui {

class DamageTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Id, Class, Severity, Confidence, Length, Area, Chainage, Frames, Review, Plugins, Note, Change, ColumnCount };
    static constexpr int SortRole = Qt::UserRole + 1;

    explicit DamageTableModel(QObject* parent = nullptr) : QAbstractTableModel(parent) {}
    void setProject(const ProjectData* project);
    const ProjectData* project() const { return project_; }
    // A damage changed in place (review): its row repaints.
    void damageChanged(int index);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    const ProjectData* project_ = nullptr;
};

struct DamageFilter {
    std::set<std::string> classes;    // empty = all
    std::string severity;             // "" = all, else "L", "M", "H"
    double min_confidence = 0;
    std::string review_state;         // "" = all
    std::string plugin;               // "" = all, else a plugin id
    std::string change;               // "" = all, else a change label since the last survey
    bool accepts(const DamageRecord& d) const;
    // The damage at `index` of `project`, its change label included (known by index only).
    bool accepts(const ProjectData& project, int index) const;
};

class DamageFilterModel : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit DamageFilterModel(QObject* parent = nullptr);
    void setFilter(const DamageFilter& filter);
    const DamageFilter& filter() const { return filter_; }

protected:
    bool filterAcceptsRow(int row, const QModelIndex& parent) const override;

private:
    DamageFilter filter_;
};

} // namespace voirie::gui
