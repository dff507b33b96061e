import Foundation
import MTMC

/// Performs `move` in the session: the curation log is opened first (a log that cannot be written moves
/// nothing), the file is moved, the log line appended and synced (when that fails the file is moved back), then
/// the dataset, the stored evaluation and the kept features follow the file. Returns what to print. On any
/// error the session and the tree are as they were.
func applyMove(_ move: ImageMove, in session: Session) throws -> [String] {
    let dataset = try session.requireDataset(move.action)
    let log = try CurationLog(folder: session.resolve(session.settings.logsFolder))
    let line = CurationLog.line(move, dataset: dataset)
    let moved = try dataset.performing(move)
    do {
        try log.append(line)
    } catch {
        let back = move.reversal()
        if (try? moved.performing(back)) == nil {
            throw CommandError("\(move.action): \(error); and moving the file back failed: it is at \(move.to)")
        }
        throw CommandError("\(move.action): \(error); the file was moved back")
    }
    let (kept, dropped) = remapEvaluations(session.evaluations, from: dataset, to: moved, savedRows: move.evaluationRows,
                                           restoring: move.fromLabel == nil ? move.image : nil)
    session.dataset = moved
    session.evaluations = kept
    session.featureIndexes.removeAll { $0.task == move.task }
    var lines = [moveDescription(move, before: dataset, after: moved, session)]
    if !dropped.isEmpty {
        lines.append("note: the evaluation of \(dropped.joined(separator: ", ")) no longer fits its images (an image changed split); eval again")
    }
    return lines
}

/// "relabel 印花/val/条纹/3.png: 条纹 → 格子, now 印花/val/格子/3.png" and the like.
func moveDescription(_ move: ImageMove, before: Dataset, after: Dataset, _ session: Session) -> String {
    let classes = before.tasks[move.task].classes
    let from = move.fromLabel == nil ? displayPath(move.from, session) : before.shownPath(move.from)
    let to = move.toLabel == nil ? displayPath(move.to, session) : after.shownPath(move.to)
    let labels = "\(move.fromLabel.map { classes[$0] } ?? "quarantine") → \(move.toLabel.map { classes[$0] } ?? "quarantine")"
    var text = "\(move.action) \(from): \(labels), now \(to)"
    if before.tasks[move.task].valShare != nil, let now = after.membership(of: move.image), let was = before.membership(of: move.image),
       now.isTrain != was.isTrain {
        text += " (valsplit now takes it as \(now.isTrain ? "train" : "val"))"
    }
    return text
}

/// The image named by a command's IMG argument, or an error starting with the command's name.
func namedImage(_ name: String, _ dataset: Dataset, _ command: String, _ session: Session) throws -> Int {
    do { return try dataset.imageIndex(named: name, workingDirectory: session.workingDirectory) } catch {
        throw CommandError("\(command): \(error)")
    }
}

/// What `drop` and `relabel` do with their IMG argument `name`: the image it names moved as `move` says,
/// performed and recorded for undo, and what became of it printed. An error `move` throws that is not already
/// the command's own is prefixed with the command's name.
func moveNamedImage(_ name: String, _ command: String, _ session: Session, _ move: (_ image: Int, Dataset) throws -> ImageMove) throws {
    let dataset = try session.requireDataset(command)
    let image = try namedImage(name, dataset, command, session)
    let planned: ImageMove
    do { planned = try move(image, dataset) } catch let error as CommandError { throw error } catch {
        throw CommandError("\(command): \(error)")
    }
    try session.out.print(performRecorded(planned, in: session).joined(separator: "\n"))
}
