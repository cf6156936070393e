// File › Export training data: the options and the code (writeTrainingSet) of `voirie dataset`
// for the project open; the export runs on a worker thread, the window stays up.
#pragma once

#include "voirie/core/dataset/training_set.hpp"

#include <QDialog>

#include <filesystem>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QThread;

namespace voirie::gui {

class TrainingDataDialog : public QDialog {
    Q_OBJECT
public:
    TrainingDataDialog(const std::filesystem::path& project, QWidget* parent = nullptr);
    ~TrainingDataDialog() override;

    // The options as the form sets them; an error sentence for what is missing.
    Result<TrainingSetOptions> options() const;
    // Writes the set on this thread (the Export button runs it on a worker); the outcome is shown
    // in the dialog and returned.
    Result<TrainingSetSummary> runExport();
    // What either runs: no widget touched.
    static Result<TrainingSetSummary> writeSet(const TrainingSetOptions& options);

    QLineEdit* outEdit() const { return out_; }
    QComboBox* reviewBox() const { return review_; }
    QSpinBox* neighboursBox() const { return neighbours_; }
    QLabel* resultLabel() const { return result_; }

private:
    void showOutcome(const Result<TrainingSetSummary>& outcome);

    std::filesystem::path project_;
    QLineEdit* out_;
    QComboBox* review_;
    QSpinBox* neighbours_;
    QCheckBox* overwrite_;
    QPushButton* export_;
    QLabel* result_;
    QThread* worker_ = nullptr;
};

} // namespace voirie::gui
