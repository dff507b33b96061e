import Foundation
import MTMC

let evalCommand = Command("eval", usage: "eval [val | train]", summary: "per-task metrics, confusion matrices; writes the log files",
                          example: "eval val", completions: ["val", "train"]) { session, args in
    guard args.count <= 1 else { throw evalCommand.usageError() }
    let phase = args.first ?? "val"
    guard phase == "val" || phase == "train" else { throw evalCommand.usageError() }
    let dataset = try session.requireDataset("eval")
    let trainer = try session.requireModel("eval", matching: dataset)
    let evaluations = try evaluate(trainer.model, on: dataset, phase: phase, settings: session.settings.training,
                                   normalization: trainer.normalization, isCancelled: session.isCancelled) { task, done, total in
        session.out.progress("eval \(dataset.tasks[task].name): \(done)/\(total) images")
    }
    session.out.progress(nil)
    // A diverged model's outputs are reported, but not kept for calibrate and plot, which need numbers.
    let diverged = evaluations.compactMap { e -> String? in
        let bad = e.logits.scalars.reduce(0) { $0 + ($1.isFinite ? 0 : 1) }
        return bad == 0 ? nil : "\(e.taskName) (\(bad) of \(e.logits.count) outputs)"
    }
    session.evaluations = diverged.isEmpty ? evaluations : []
    var lines: [String] = []
    lines.append(Table(headers: ["task", "images", "loss", "top-1", "top-2"], rows: evaluations.map {
        [$0.taskName, "\($0.labels.count)", String(format: "%.4f", $0.loss), percent($0.top1), percent($0.top2)]
    }, rightAligned: [1, 2, 3, 4]).render())
    let folder = session.resolve(session.settings.logsFolder)
    for e in evaluations {
        lines.append("task \(e.taskName) (\(phase)):")
        let rows = e.classes.indices.map { c -> [String] in
            [e.classes[c], "\(e.confusion[c].reduce(0, +))", e.recall[c].map(percent) ?? "—", e.precision[c].map(percent) ?? "undefined"]
                + e.confusion[c].map(String.init)
        }
        let headers = ["class", "n", "recall", "precision"] + e.classes.indices.map { "→\($0)" }
        lines.append(Table(headers: headers, rows: rows, rightAligned: Set(1..<(4 + e.classes.count))).render())
        lines.append("  confusion: rows are true classes, column →i is predicted class i (order as listed)")
        do {
            let path = try EvaluationLog.write(e, folder: folder)
            lines.append("  log: \(displayPath(path, session))")
        } catch {
            lines.append("  log not written: \(error)")
        }
    }
    if !diverged.isEmpty {
        lines.append("warning: the model gives non-finite outputs: " + diverged.joined(separator: ", ")
                     + "; these results are not kept for calibrate and plot: retrain, or open a good checkpoint")
    }
    session.out.print(lines.joined(separator: "\n"))
}

/// A path shown relative to the working directory when it is inside it.
func displayPath(_ path: String, _ session: Session) -> String {
    let prefix = session.workingDirectory.hasSuffix("/") ? session.workingDirectory : session.workingDirectory + "/"
    return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
}
