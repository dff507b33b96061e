import Engine
import Foundation

/// A task's calibration: per-class precision tables, temperature scaling, and expected calibration
/// error both in-sample and cross-fitted (fitted on one half of the validation set, scored on the other).
public struct TaskCalibration: Codable, Equatable {
    public var task: String
    public var classes: [String]
    public var options: CalibrationOptions
    public var tables: [ClassCalibration]
    /// The single temperature T minimising validation NLL of softmax(z / T).
    public var temperature: Double
    /// ECE of the raw softmax, and after temperature scaling fitted and scored on the same images (optimistic).
    public var eceBefore: Double
    public var eceAfter: Double
    /// ECE after temperature scaling where each half's temperature was fitted on the other half.
    public var eceCrossFitted: Double
    /// The two halves' temperatures (each fitted on the other half).
    public var foldTemperatures: [Double]
    /// Per class: tables built on one half, checked on the other.
    public var heldOut: [HeldOutCheck]

    /// Calibrates from raw outputs [N, K] and labels of a validation evaluation.
    public init(task: String, classes: [String], logits: Tensor, labels: [Int], options: CalibrationOptions = CalibrationOptions()) {
        self.task = task
        self.classes = classes
        self.options = options
        let k = classes.count, n = labels.count
        let z = logits.scalars.map(Double.init)
        tables = (0..<k).map { c in
            ClassCalibration(scores: (0..<n).map { z[$0 * k + c] }, isPositive: labels.map { $0 == c }, options: options)
        }
        temperature = TaskCalibration.fitTemperature(z, labels: labels, classes: k)
        eceBefore = TaskCalibration.expectedCalibrationError(z, labels: labels, classes: k, temperature: 1)
        eceAfter = TaskCalibration.expectedCalibrationError(z, labels: labels, classes: k, temperature: temperature)
        let crossFitted = CrossFitting(labels: labels)
        let ece = crossFitted.expectedCalibrationError(z, labels: labels, classes: k)
        eceCrossFitted = ece.ece
        foldTemperatures = ece.temperatures
        heldOut = (0..<k).map { crossFitted.checkTables(z, labels: labels, classes: k, of: $0, options: options) }
    }

    /// Every class's held-out checks together.
    public var heldOutTotal: HeldOutCheck { heldOut.reduce(HeldOutCheck(), +) }

    /// The original's export shape: `{"class_idx_dict": {"0": name, …}, "pvals": [...], "ptmat_dict": {name: [45 thresholds]}}`;
    /// an unreached level is null.
    public var originalExport: [String: Any] {
        var classIndex: [String: String] = [:]
        var matrix: [String: Any] = [:]
        for (i, name) in classes.enumerated() {
            classIndex[String(i)] = name
            matrix[name] = tables[i].thresholds.map { $0.map { $0 as Any } ?? NSNull() }
        }
        return ["class_idx_dict": classIndex, "pvals": precisionLevels, "ptmat_dict": matrix]
    }
}
