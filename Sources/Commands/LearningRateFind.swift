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
    let sweep = try trainer.sweepLearningRate(on: dataset, task: task, isCancelled: session.isCancelled)
    let which = task.map { "task \(dataset.tasks[$0].name)" } ?? "every task"
    session.out.print("lr find: \(sweep.rates.count) steps of \(which) at batch \(trainer.settings.batchSize); weights, batch-norm statistics and optimizer state put back")
    for line in sweepLines(sweep) { session.out.print(line) }
    guard sweep.rates.count >= 2 else { return }
    do {
        let path = try writePicture(sweepChart(sweep, font: try FontRasterizer()), named: "lr_find.png", session)
        session.out.print("wrote \(displayPath(path, session))")
    } catch {
        session.out.print("plot not written: \(error)")
    }
}

/// The terminal chart of smoothed loss against rate, why it stopped, and the suggestion with its rule.
func sweepLines(_ sweep: LearningRateSweep) -> [String] {
    var lines = textChart(zip(sweep.rates, sweep.smoothed).map { (log10(Double($0)), $1) },
                          xLabel: { String(format: "%.0e", pow(10, $0)) }, yLabel: { String(format: "%.3f", $0) })
    if let why = sweep.stoppedEarly { lines.append("stopped: \(why)") }
    if let i = sweep.minimumIndex {
        lines.append(String(format: "smoothed loss: lowest %.4f at lr %.3g", sweep.smoothed[i], sweep.rates[i])
                     + (sweep.steepest.map { String(format: "; steepest fall at lr %.3g", $0) } ?? ""))
    }
    if let s = sweep.suggestion {
        let text = "\(s)"
        lines.append("suggested lr \(text) (\(LearningRateSweep.rule)); use it with: set lr \(text)")
    } else {
        lines.append("no suggestion: the sweep is too short or its loss never fell")
    }
    return lines
}

/// Smoothed and raw loss against log10 of the rate.
func sweepChart(_ sweep: LearningRateSweep, font: FontRasterizer) -> Canvas {
    let xs = sweep.rates.map { log10(Double($0)) }
    let top = NiceTicks.ceiling(max((sweep.smoothed.max() ?? 1) * 1.1, 0.01))
    var panel = Panel(title: "lr find: loss against learning rate", xLabel: "learning rate (10^x)", yLabel: "loss",
                      xRange: (xs.first ?? -5)...max(xs.last ?? 0, (xs.first ?? -5) + 1), yRange: 0...top)
    panel.series = [Series(name: "loss", points: zip(xs, sweep.losses).map { ($0, min($1, top)) }, color: 1),
                    Series(name: "smoothed", points: zip(xs, sweep.smoothed).map { ($0, $1) }, color: 0)]
    var canvas = Canvas(width: 800, height: 560)
    panel.draw(on: &canvas, x: 0, y: 0, width: 800, height: 560, font: font)
    return canvas
}
