#include "analysis_job.hpp"

#include <QMetaObject>

namespace voirie::gui {

AnalysisJob::AnalysisJob(QObject* parent) : QObject(parent) {}

AnalysisJob::~AnalysisJob()
{
    cancel_ = true;
    if (worker_.joinable())
        worker_.join();
}

bool AnalysisJob::start(AnalysisOptions options)
{
    if (running_)
        return false;
    if (worker_.joinable())
        worker_.join();
    options_ = std::move(options);
    cancel_ = false;
    running_ = true;
    worker_ = std::thread([this, options = options_] {
        AnalysisHooks hooks;
        hooks.cancel = &cancel_;
        hooks.progress = [this](const AnalysisProgress& p) {
            QMetaObject::invokeMethod(this, [this, p] { Q_EMIT progressed(p.km_done, p.km_total, p.frames_done); },
                                      Qt::QueuedConnection);
        };
        hooks.warning = [this](const std::string& sentence) {
            const QString text = QString::fromStdString(sentence);
            QMetaObject::invokeMethod(this, [this, text] { Q_EMIT warned(text); }, Qt::QueuedConnection);
        };
        auto summary = runAnalysis(options, hooks);
        const bool ok = bool(summary);
        const bool cancelled = ok && summary->interrupted;
        const QString message = QString::fromStdString(ok ? summary->toText() : summary.error());
        QMetaObject::invokeMethod(
            this,
            [this, ok, cancelled, message] {
                running_ = false;
                Q_EMIT finished(ok, cancelled, message);
            },
            Qt::QueuedConnection);
    });
    return true;
}

void AnalysisJob::cancel() { cancel_ = true; }

} // namespace voirie::gui
