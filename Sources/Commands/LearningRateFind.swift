import Foundation
import MTMC

let learningRateCommand = Command("lr", usage: "lr find [TASK]",
                                  summary: "sweep the learning rate from 1e-5 to 1 over 100 steps from the current weights, then put everything back; suggests a rate",
                                  example: "lr find 印花", completions: ["find"]) { session, args in
    guard args.first == "find", args.count <= 2 else { throw learningRateCommand.usageError() }
    let dataset = try session.requireDataset("lr find")
    let trainer = try session.requireModel("lr find")
    var task: Int?
    if args.count == 2 {
        guard let t = dataset.tasks.firstIndex(where: { $0.name == args[1] }) else {
            throw CommandError("lr find: no task '\(args[1])'; tasks: \(dataset.tasks.map(\.name).joined(separator: ", "))")
        }
        task = t
    }
    let sweep = try trainer.sweepLearningRate(on: dataset, task: task, isCancelled: session.isCancelled, progress: sweepProgress(session))
    session.out.progress(nil)
    let which = task.map { "task \(dataset.tasks[$0].name)" } ?? "every task"
    session.out.print("lr find: \(sweep.rates.count) steps of \(which) at batch \(session.settings.training.batchSize); weights, batch-norm statistics and optimizer state put back")
    for line in sweepLines(sweep, taskNames: dataset.tasks.map(\.name)) { session.out.print(line) }
    guard sweep.rates.count >= 2 else { return }
    do {
        let path = try writePicture(sweepChart(sweep, taskNames: dataset.tasks.map(\.name), font: try FontRasterizer()), named: "lr_find.png", session)
        session.out.print("wrote \(displayPath(path, session))")
    } catch {
        session.out.print("plot not written: \(error)")
    }
}

/// The progress line of a sweep: its step of all and the rate it tries.
func sweepProgress(_ session: Session) -> (Int, Int, Float) -> Void {
    { step, steps, rate in session.out.progress(String(format: "lr find: step %d/%d, lr %.3g", step, steps, rate)) }
}

/// The terminal chart of the sweep's curve against rate, why it stopped, and the suggestion with its rule.
/// With several tasks the curve is each task's smoothed loss ÷ its lowest (at least 0.1), averaged over the tasks.
func sweepLines(_ sweep: LearningRateSweep, taskNames: [String]) -> [String] {
    let curve = sweep.smoothed
    let several = sweep.taskSmoothed.count > 1
    var lines = several ? ["smoothed loss of each task ÷ its lowest (at least 0.1), mean over " + sweep.taskSmoothed.keys.sorted().map { taskNames[$0] }.joined(separator: ", ")] : []
    lines += textChart(zip(sweep.rates, curve).map { (log10(Double($0)), $1) },
                       xLabel: distinctRateLabels(sweep.rates), yLabel: distinctLabels(curve, rows: 12))
    if let why = sweep.stoppedEarly { lines.append("stopped: \(why)") }
    if let i = sweep.minimumIndex {
        let lowest = several ? "lowest (mean ratio %.4f)" : "lowest %.4f"
        lines.append(String(format: "smoothed loss: \(lowest) at lr %.3g", curve[i], sweep.rates[i])
                     + (sweep.riseIndex.map { String(format: "; starts to rise at lr %.3g", sweep.rates[$0]) } ?? "")
                     + (sweep.steepest.map { String(format: "; steepest fall at lr %.3g", $0) } ?? ""))
    }
    if let s = sweep.suggestion {
        let text = "\(s)"
        lines.append("suggested lr \(text) (\(sweep.rule)); use it with: set lr \(text)")
    } else {
        lines.append("no suggestion: the sweep is too short or its loss never fell")
    }
    return lines
}

/// Labels for the chart's rate axis (first, middle and last of log10 rates) with as many significant digits
/// as it takes to tell them apart: a sweep stopped early spans less than a decade.
func distinctRateLabels(_ rates: [Float]) -> (Double) -> String {
    let logs = rates.map { log10(Double($0)) }
    let ticks = [logs.min() ?? 0, ((logs.min() ?? 0) + (logs.max() ?? 0)) / 2, logs.max() ?? 0]
    let digits = (1...4).first { d in Set(ticks.map { String(format: "%.\(d)g", pow(10, $0)) }).count == Set(ticks).count } ?? 4
    return { String(format: "%.\(digits)g", pow(10, $0)) }
}

/// Labels for the chart's rows with as many decimals as it takes to tell neighbouring rows apart.
func distinctLabels(_ values: [Double], rows: Int) -> (Double) -> String {
    let low = values.min() ?? 0, high = values.max() ?? 0
    let step = (high - low) / Double(max(1, rows - 1))
    let decimals = step > 0 ? min(8, max(3, Int(-floor(log10(step))) + 1)) : 3
    return { String(format: "%.\(decimals)f", $0) }
}

/// Smoothed and raw loss against log10 of the rate; with several tasks, each task's smoothed loss ÷ its lowest.
func sweepChart(_ sweep: LearningRateSweep, taskNames: [String], font: FontRasterizer) -> Canvas {
    let xs = sweep.rates.map { log10(Double($0)) }
    let xRange = (xs.first ?? -5)...max(xs.last ?? 0, (xs.first ?? -5) + 1)
    var panel: Panel
    if sweep.taskSmoothed.count > 1 {
        let series = sweep.taskSmoothed.keys.sorted().enumerated().map { colour, t -> Series in
            let values = sweep.taskSmoothed[t]!, lowest = max(values.min()!, 1e-12), offset = xs.count - values.count
            return Series(name: taskNames[t], points: values.indices.map { (xs[offset + $0], values[$0] / lowest) }, color: colour)
        }
        let highest = series.flatMap { line in line.points.map(\.y) }.max() ?? 1
        let top = NiceTicks.ceiling(min(max(highest * 1.1, 1.1), 10))
        panel = Panel(title: "lr find: each task's smoothed loss ÷ its lowest", xLabel: "learning rate (10^x)", yLabel: "loss ÷ lowest",
                      xRange: xRange, yRange: 0...top)
        panel.series = series.map { line in Series(name: line.name, points: line.points.map { (x: $0.x, y: min($0.y, top)) }, color: line.color) }
    } else {
        let top = NiceTicks.ceiling(max((sweep.smoothed.max() ?? 1) * 1.1, 0.01))
        panel = Panel(title: "lr find: loss against learning rate", xLabel: "learning rate (10^x)", yLabel: "loss", xRange: xRange, yRange: 0...top)
        panel.series = [Series(name: "loss", points: zip(xs, sweep.losses).map { ($0, min($1, top)) }, color: 1),
                        Series(name: "smoothed", points: zip(xs, sweep.smoothed).map { ($0, $1) }, color: 0)]
    }
    var canvas = Canvas(width: 800, height: 560)
    panel.draw(on: &canvas, x: 0, y: 0, width: 800, height: 560, font: font)
    return canvas
}
