// The export dialog: the same options and the same code (exportProject) as `voirie export`.
#pragma once

#include "voirie/core/export/project_export.hpp"

#include <QDialog>

#include <filesystem>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;

namespace voirie::gui {

class ExportDialog : public QDialog {
    Q_OBJECT
public:
    ExportDialog(const std::filesystem::path& project, QWidget* parent = nullptr);

    // The options as the form sets them; an error sentence for what is missing or wrong.
    Result<ExportOptions> options() const;
    // Exports (Export button); the outcome is shown in the dialog and returned.
    Result<ExportSummary> runExport();

    QLineEdit* outEdit() const { return out_; }
    QComboBox* formatBox() const { return format_; }
    QLineEdit* crsEdit() const { return crs_; }
    QComboBox* reviewBox() const { return review_; }

private:
    void suggestOutput();

    std::filesystem::path project_;
    QComboBox *format_, *review_, *severity_, *chips_;
    QLineEdit *out_, *crs_;
    QDoubleSpinBox* confidence_;
    std::vector<QCheckBox*> layers_, classes_;
    QCheckBox* overwrite_;
    QLabel* result_;
};

} // namespace voirie::gui
