import Foundation
import MTMC

let plotCommand = Command("plot", usage: "plot calib TASK | plot reliability TASK | plot confusion TASK | plot history | plot worst TASK [N] | plot why TASK [N] | plot samples TASK [CLASS] [N] | plot suspects TASK [N]",
                          summary: "write a PNG (to the plots folder) and print its path",
                          example: "plot calib 印花", completions: ["calib", "reliability", "confusion", "history", "worst", "why", "samples", "suspects"]) { session, args in
    guard let kind = args.first else { throw plotCommand.usageError(args) }
    let font = try FontRasterizer()
    let canvas: Canvas
    let name: String
    switch (kind, args.count) {
    case ("history", 1):
        let trainer = try session.requireModel("plot history")
        let records = trainer.history.filter { !$0.partial }
        guard !records.isEmpty else { throw CommandError("plot history: no completed epoch yet; train first") }
        canvas = historyChart(records, tasks: session.modelTasks.map(\.name), font: font)
        name = "history.png"
    case ("worst", 2), ("worst", 3):
        canvas = try worstSheet(session, args).draw(font: font)
        name = "worst_\(args[1]).png"
    case ("samples", _):
        let (sheet, file) = try samplesSheet(session, args)
        canvas = sheet.draw(font: font)
        name = file
    case ("suspects", _):
        canvas = try suspectsSheet(session, args).draw(font: font)
        name = "suspects_\(args[1]).png"
    case ("why", 2), ("why", 3):
        canvas = try whySheet(session, args).draw(font: font)
        name = "why_\(args[1]).png"
    case ("calib", 2), ("reliability", 2), ("confusion", 2):
        let task = args[1]
        guard let e = session.evaluations.first(where: { $0.taskName == task }) else {
            let known = session.modelTasks.map(\.name)
            throw CommandError(session.evaluations.isEmpty ? "plot \(kind): no evaluation yet; run eval first"
                               : "plot \(kind): no task '\(task)'; tasks: \(known.joined(separator: ", "))")
        }
        switch kind {
        case "calib": canvas = calibrationChart(e, font: font)
        case "reliability":
            let temperature = session.calibration.first { $0.task == task }?.temperature
                ?? TaskCalibration.fitTemperature(e.logits.scalars.map(Double.init), labels: e.labels, classes: e.classes.count)
            canvas = reliabilityChart(e, temperature: temperature, font: font)
        default:
            canvas = drawConfusion(e.confusion, classes: e.classes, title: "confusion matrix: \(task) (\(e.phase), \(e.labels.count) images)", font: font)
        }
        name = "\(kind)_\(task).png"
    default:
        throw plotCommand.usageError(args)
    }
    let path = try writePicture(canvas, named: name, session)
    session.out.print("wrote \(displayPath(path, session))")
}
