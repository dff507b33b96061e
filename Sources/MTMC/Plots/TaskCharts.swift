import Foundation

// The charts `plot` draws, assembled from evaluations and training history.

/// The original's two figures for a task: precision against raw output, and against softmax value, per class.
public func calibrationChart(_ e: TaskEvaluation, font: FontRasterizer) -> Canvas {
    let k = e.classes.count, z = e.logits.scalars.map(Double.init), n = e.labels.count
    var raw = Panel(title: "\(e.taskName): precision against raw output", xLabel: "raw output (logit) threshold", yLabel: "precision",
                    xRange: (z.min() ?? 0)...(z.max() ?? 1), yRange: 0...1)
    var soft = Panel(title: "\(e.taskName): precision against softmax value", xLabel: "softmax threshold", yLabel: "precision",
                     xRange: 0...1, yRange: 0...1)
    var probabilities = [Double](repeating: 0, count: z.count)
    for i in 0..<n {
        let row = z[(i * k)..<((i + 1) * k)], top = row.max()!
        let sum = row.reduce(0) { $0 + exp($1 - top) }
        for c in 0..<k { probabilities[i * k + c] = exp(z[i * k + c] - top) / sum }
    }
    for c in 0..<k {
        let positive = e.labels.map { $0 == c }
        // The measured precision is drawn, as the original did; the fit (cheap interpolation) is not used.
        let rawCurve = PrecisionCurve(scores: (0..<n).map { z[$0 * k + c] }, isPositive: positive, fit: .interpolated)
        let softCurve = PrecisionCurve(scores: (0..<n).map { probabilities[$0 * k + c] }, isPositive: positive, fit: .interpolated)
        raw.series.append(Series(name: e.classes[c], points: rawCurve.points.map { ($0.threshold, $0.precision) }))
        soft.series.append(Series(name: e.classes[c], points: softCurve.points.map { ($0.threshold, $0.precision) }))
    }
    var canvas = Canvas(width: 1400, height: 620)
    raw.draw(on: &canvas, x: 0, y: 0, width: 700, height: 620, font: font)
    soft.draw(on: &canvas, x: 700, y: 0, width: 700, height: 620, font: font)
    return canvas
}

/// Reliability diagrams (accuracy per confidence bin, 15 bins) before and after temperature scaling.
public func reliabilityChart(_ e: TaskEvaluation, temperature: Double, font: FontRasterizer) -> Canvas {
    let z = e.logits.scalars.map(Double.init), k = e.classes.count
    var canvas = Canvas(width: 1200, height: 600)
    for (index, t) in [1.0, temperature].enumerated() {
        let bins = TaskCalibration.reliability(z, labels: e.labels, classes: k, temperature: t)
        let ece = TaskCalibration.expectedCalibrationError(z, labels: e.labels, classes: k, temperature: t)
        var panel = Panel(title: String(format: "%@: %@ (T = %.2f), ECE %.3f", e.taskName, index == 0 ? "softmax" : "temperature scaled", t, ece),
                          xLabel: "confidence (top softmax value)", yLabel: "accuracy", xRange: 0...1, yRange: 0...1)
        panel.diagonal = true
        panel.bars = bins.enumerated().filter { $0.element.count > 0 }.map { (x: (Double($0.offset) + 0.5) / 15, width: 1.0 / 15, height: $0.element.accuracy) }
        panel.series = [Series(name: "accuracy at mean confidence", points: bins.filter { $0.count > 0 }.map { ($0.confidence, $0.accuracy) })]
        panel.draw(on: &canvas, x: index * 600, y: 0, width: 600, height: 600, font: font)
    }
    return canvas
}

/// Training curves per task per epoch: loss and top-1, train solid and val dashed in the task's colour.
public func historyChart(_ records: [EpochRecord], tasks: [String], font: FontRasterizer) -> Canvas {
    let epochs = records.map { Double($0.epoch + 1) }
    let validated = records.filter { $0.validation != nil }
    let losses = records.flatMap { $0.tasks.map(\.loss) } + validated.flatMap { $0.validation!.map(\.loss) }
    let first = epochs.first ?? 1
    var loss = Panel(title: "loss per task (train solid, val dashed)", xLabel: "epoch", yLabel: "loss",
                     xRange: first...max(epochs.last ?? 1, first + 1), yRange: 0...NiceTicks.ceiling(max(losses.filter(\.isFinite).max() ?? 1, 0.01)))
    loss.wholeX = true
    var top1 = Panel(title: "top-1 per task (train solid, val dashed)", xLabel: "epoch", yLabel: "top-1", xRange: loss.xRange, yRange: 0...1)
    top1.wholeX = true
    for (t, name) in tasks.enumerated() {
        let train = zip(epochs, records).filter { t < $1.tasks.count }
        loss.series.append(Series(name: "\(name) train", points: train.map { ($0, $1.tasks[t].loss) }, color: t))
        top1.series.append(Series(name: "\(name) train", points: train.map { ($0, $1.tasks[t].top1) }, color: t))
        let val = validated.compactMap { r in r.validation.flatMap { t < $0.count && $0[t].images > 0 ? (Double(r.epoch + 1), $0[t]) : nil } }
        guard !val.isEmpty else { continue }
        loss.series.append(Series(name: "\(name) val", points: val.map { ($0.0, $0.1.loss) }, color: t, dashed: true))
        top1.series.append(Series(name: "\(name) val", points: val.map { ($0.0, $0.1.top1) }, color: t, dashed: true))
    }
    var canvas = Canvas(width: 1200, height: 560)
    loss.draw(on: &canvas, x: 0, y: 0, width: 600, height: 560, font: font)
    top1.draw(on: &canvas, x: 600, y: 0, width: 600, height: 560, font: font)
    return canvas
}
