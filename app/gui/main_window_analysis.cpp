// MainWindow, analysis control: a new survey analysed in the background, its partial project
// shown as it is committed, cancelling it.
#include "main_window.hpp"

#include "analysis_job.hpp"
#include "new_survey_dialog.hpp"

#include "voirie/core/analysis/analysis_run.hpp"

#include <QDateTime>
#include <QProgressBar>
#include <QPushButton>
#include <QStatusBar>

namespace voirie::gui {
namespace fs = std::filesystem;

void MainWindow::showNewSurvey()
{
    if (job_->running()) {
        statusBar()->showMessage("An analysis is already running", 4000);
        return;
    }
    NewSurveyDialog dialog(this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    if (auto o = dialog.options(); o)
        startAnalysis(*o);
}

bool MainWindow::startAnalysis(const AnalysisOptions& options)
{
    if (!job_->start(options))
        return false;
    last_reload_ms_ = reload_interval_ms_ > 0 ? QDateTime::currentMSecsSinceEpoch() : 0;
    progress_->setRange(0, 0);
    progress_->setVisible(true);
    cancel_button_->setVisible(true);
    statusBar()->showMessage("Analysing " + QString::fromStdString(options.out.filename().string()) + " in the background…");
    return true;
}

void MainWindow::cancelAnalysis()
{
    job_->cancel();
    cancel_button_->setEnabled(false);
    statusBar()->showMessage("Cancelling: the frames in flight are finished and committed first…");
}

void MainWindow::reloadPartial()
{
    const fs::path partial = partialProjectPath(job_->options().out);
    if (!fs::exists(partial))
        return;
    if (auto data = loadProject(partial, IntegrityCheck::none); data) { // our own run writes it
        const bool first = !project_ || project_->path != partial;
        setProjectData(std::make_unique<ProjectData>(std::move(*data)), !first); // reviewed once finished
    }
}

} // namespace voirie::gui
