#include "evidence_choice.hpp"

#include "frame_view.hpp"

#include "voirie/core/analysis/evidence_chip.hpp"

namespace voirie::gui {

Result<Evidence> evidenceFromFrame(const FrameImage& anonymized, const FrameRecord& frame, const FrameDetection& detection)
{
    const std::string which = "frame " + std::to_string(frame.index);
    if (anonymized.image.empty())
        return fail(which + " cannot be read" + (anonymized.problem.empty() ? "" : ": " + anonymized.problem));
    if (!anonymized.anonymized || !anonymized.problem.empty())
        return fail(which + " cannot be anonymized for a chip (" +
                    (anonymized.problem.empty() ? std::string("not anonymized") : anonymized.problem) + ")");
    Detection d;
    d.plugin_id = detection.plugin_id;
    d.class_code = detection.class_code;
    d.confidence = detection.confidence;
    d.box = {detection.box_x, detection.box_y, detection.box_width, detection.box_height};
    bool closed = false;
    const QPolygonF outline = pixelOutline(detection.pixel_wkt, closed);
    if (!outline.isEmpty()) {
        d.shape = closed ? voirie::ShapeKind::Polygon : voirie::ShapeKind::Polyline;
        for (const QPointF& p : outline)
            d.points.push_back({p.x(), p.y()});
    }
    Evidence e{frame.index, detection.detection_id, cutEvidenceChip(anonymized.image, d), ""};
    if (e.chip.empty())
        return fail("no chip could be cut from " + which);
    return e;
}

} // namespace voirie::gui
