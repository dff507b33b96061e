import Foundation
import MTMC

let trainCommand = Command("train", usage: "train N", summary: "train N epochs with the current settings (Ctrl-C stops after the current step)",
                           example: "train 5") { session, args in
    guard args.count == 1, let epochs = Int(args[0]), epochs >= 1, epochs <= 100_000 else { throw trainCommand.usageError() }
    let dataset = try session.requireDataset("train")
    let trainer = try session.requireModel("train")
    guard session.modelTasks == Session.tasks(of: dataset) else {
        throw CommandError("train: the model's tasks and classes differ from the dataset's ("
                           + Checkpoint.differences(session.modelTasks, Session.tasks(of: dataset)).joined(separator: "; ")
                           + "); build a new model with model NAME")
    }
    // From the first step on, evaluations and calibration describe weights that no longer exist.
    session.forgetResults("the model was trained further")
    let names = dataset.tasks.map(\.name)
    for _ in 0..<epochs {
        let epochNumber = trainer.epochsCompleted + 1
        let (records, stop) = try trainer.train(epochs: 1, on: dataset, isCancelled: session.isCancelled) { p in
            session.out.progress(String(format: "train %@ epoch %d step %d/%d  %.0f img/s  loss %.3f  ETA %@",
                                        names[p.task], epochNumber, p.step, p.steps, p.imagesPerSecond, p.loss, duration(p.secondsRemaining)))
        }
        session.out.progress(nil)
        session.balance = trainer.balance
        if let record = records.last {
            session.out.print(epochLine(record, names: names, learningRate: trainer.optimizer.learningRate))
        }
        switch stop {
        case .cancelled?:
            session.out.print("interrupted: \(trainer.epochsCompleted) epochs completed in all; the partial epoch is not counted; weights and optimizer are consistent")
            return
        case .nonFinite(let message)?:
            throw CommandError("train stopped: \(message)")
        case nil:
            break
        }
    }
}

/// One line per epoch: loss and top-1 per task, speed and learning rate. A partial epoch shows only what
/// happened: the tasks that took a step, and no speed or loss at all when it stopped before its first step.
func epochLine(_ r: EpochRecord, names: [String], learningRate: Float) -> String {
    if r.partial && r.steps == 0 { return "epoch \(r.epoch + 1) stopped before its first step (0 of \(r.plannedSteps) steps)" }
    let seconds = r.tasks.reduce(0) { $0 + $1.seconds }, images = r.tasks.reduce(0) { $0 + $1.images }
    let tasks = zip(names, r.tasks).filter { !r.partial || $1.images > 0 }.map { name, t in
        String(format: "%@ loss %.3f top-1 %@", name, t.loss, percent(t.top1))
    }.joined(separator: "  ")
    let head = r.partial ? "epoch \(r.epoch + 1) (partial: \(r.steps) of \(r.plannedSteps) steps)" : "epoch \(r.epoch + 1)"
    let speed = seconds > 0 ? String(format: "  %.0f img/s", Double(images) / seconds) : ""
    return head + "  " + tasks + speed + String(format: "  lr %.4g", learningRate)
}

func duration(_ seconds: Double) -> String {
    guard seconds.isFinite else { return "?" }
    let s = Int(seconds.rounded())
    return s >= 60 ? "\(s / 60)m\(String(format: "%02d", s % 60))s" : "\(s)s"
}
