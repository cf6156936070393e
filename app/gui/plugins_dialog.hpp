// The plugins window: every plugin found on the search path, loaded or failed with its reason,
// and the selected one's manifest (what `voirie plugins --json` prints).
#pragma once

#include <QDialog>

class QTreeWidget;
class QPlainTextEdit;

namespace voirie::gui {

class PluginsDialog : public QDialog {
    Q_OBJECT
public:
    explicit PluginsDialog(QWidget* parent = nullptr);
    void reload();
    QTreeWidget* list() const { return list_; }

private:
    QTreeWidget* list_;
    QPlainTextEdit* details_;
};

} // namespace voirie::gui
