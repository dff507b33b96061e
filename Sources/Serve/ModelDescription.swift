import Foundation
import MTMC

/// GET /model: what is being served.
func modelDescription(_ model: ServedModel) -> [String: Any] {
    [
        "checkpoint": model.path,
        "sha256": model.sha256,
        "architecture": model.architecture.name,
        "input_size": ["width": model.inputSize.width, "height": model.inputSize.height],
        "tasks": model.tasks.map { ["name": $0.name, "classes": $0.classes] as [String: Any] },
        "calibrated": !model.calibration.isEmpty,
        "backbone_passes": model.backbonePasses,
        "epoch": model.epochsCompleted,
    ]
}
