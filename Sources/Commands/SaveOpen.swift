import Foundation
import MTMC

let saveCommand = Command("save", usage: "save PATH", summary: "write a checkpoint (model, optimizer, settings, classes, calibration, the last eval's outputs)",
                          example: "save prints.safetensors") { session, args in
    guard args.count == 1 else { throw saveCommand.usageError(args) }
    let trainer = try session.requireModel("save")
    let path = session.resolve(args[0])
    try Checkpoint.save(trainer: trainer, tasks: session.modelTasks, calibration: session.calibrationJSON,
                        evaluations: session.evaluations, to: path)
    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    session.out.print(String(format: "saved %@ (%.1f MB, epoch %d)", args[0], Double(size) / 1e6, trainer.epochsCompleted))
}

let openCommand = Command("open", usage: "open PATH", summary: "read a checkpoint; its classes must match the loaded dataset, if any",
                          example: "open prints.safetensors") { session, args in
    guard args.count == 1 else { throw openCommand.usageError(args) }
    let checkpoint = try Checkpoint.open(session.resolve(args[0]))
    if let dataset = session.dataset {
        let differences = Checkpoint.differences(checkpoint.tasks, Session.tasks(of: dataset))
        guard differences.isEmpty else {
            throw CommandError("open: the checkpoint's classes differ from the loaded dataset's: " + differences.joined(separator: "; ")
                               + "; nothing was changed")
        }
    }
    // Everything that can fail is done before the session changes: a refused checkpoint changes nothing.
    let trainer = try checkpoint.makeTrainer()
    // The checkpoint's settings become the session's, which the trainer reads once it is set.
    session.settings.training = checkpoint.settings
    session.settings.sharedStatistics = checkpoint.sharedStatistics
    session.trainer = trainer
    session.modelTasks = checkpoint.tasks
    session.evaluations = checkpoint.evaluations
    session.calibration = checkpoint.calibrationTables
    session.out.print("opened \(args[0]): \(checkpoint.architecture), epoch \(checkpoint.epochsCompleted), tasks "
                      + checkpoint.tasks.map { "\($0.name) (\($0.classes.count))" }.joined(separator: ", ")
                      + (checkpoint.calibration == nil ? "" : checkpoint.calibrationLeftOut
                         ? "; its calibration is in an older form and was left out: run eval, then calibrate" : ", calibrated")
                      + (checkpoint.evaluations.first.map { ", with its last \($0.phase) evaluation" } ?? ""))
    if let note = inputSizeNote(session) { session.out.print(note) }
    if session.dataset == nil { session.out.print(withoutDatasetNote(checkpoint)) }
}

/// After `open` with no dataset loaded: what works now and what waits for `load`.
func withoutDatasetNote(_ checkpoint: Checkpoint) -> String {
    var now = ["predict", "save"]
    if checkpoint.calibration != nil && !checkpoint.calibrationLeftOut { now += ["show calib", "export calib"] }
    if !checkpoint.evaluations.isEmpty { now += ["show confused", "show report", "plot confusion", "calibrate"] }
    let later = "eval, train, lr find, check labels, similar" + (checkpoint.evaluations.isEmpty ? ", show worst" : "; show worst and plot worst once the tree it was evaluated on is loaded")
    return "no dataset loaded: \(now.joined(separator: ", ")) work now; \(later) need load of a tree with these tasks and classes"
}
