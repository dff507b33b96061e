import Foundation
import MTMC

let relabelCommand = Command("relabel", usage: "relabel IMG CLASS",
                             summary: "move an image's file into another class folder of its task and split (logged in logs/curation.jsonl; undo puts it back); the dataset and the last eval follow without load",
                             example: "relabel 印花/val/条纹/3.png 格子") { session, args in
    guard args.count == 2 else { throw relabelCommand.usageError(args) }
    try moveNamedImage(args[0], "relabel", session) { image, dataset in
        guard let membership = dataset.membership(of: image) else { throw CommandError("relabel: \(args[0]) is not an image of the dataset now") }
        let task = dataset.tasks[membership.task]
        let label = try lookUpClass(args[1], task: task.name, in: Session.tasks(of: dataset), command: "relabel").class
        return try ImageMove.relabel(image, to: label, in: dataset)
    }
}

/// Applies `move` and pushes it on the session's undo stack.
func performRecorded(_ move: ImageMove, in session: Session) throws -> [String] {
    let lines: [String]
    do { lines = try applyMove(move, in: session) } catch let error as CommandError { throw error } catch {
        throw CommandError("\(move.action): \(error)")
    }
    session.curationMoves.append(move)
    return lines
}
