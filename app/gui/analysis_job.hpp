// A survey analysed in the background through the same runAnalysis as `voirie analyze`: the GUI
// thread only receives progress (queued signals), can cancel at any time, and the project file is
// valid whenever it looks (the partial file is committed every few frames).
#pragma once

#include "voirie/core/analysis/analysis_run.hpp"

#include <QObject>

#include <atomic>
#include <thread>

namespace voirie::gui {

class AnalysisJob : public QObject {
    Q_OBJECT
public:
    explicit AnalysisJob(QObject* parent = nullptr);
    ~AnalysisJob() override; // cancels and waits

    bool start(AnalysisOptions options); // false when one is already running
    void cancel();
    bool running() const { return running_; }
    const AnalysisOptions& options() const { return options_; }

Q_SIGNALS:
    void progressed(double km_done, double km_total, qlonglong frames_done);
    void warned(const QString& sentence);
    // ok: the project is complete (or was cancelled cleanly: `cancelled`); else `message` says why.
    void finished(bool ok, bool cancelled, const QString& message);

private:
    AnalysisOptions options_;
    std::atomic<bool> cancel_{false};
    bool running_ = false;
    std::thread worker_;
};

} // namespace voirie::gui
