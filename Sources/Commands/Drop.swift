import Foundation
import MTMC

let dropCommand = Command("drop", usage: "drop IMG",
                          summary: "move an image's file out of the tree into ROOT.quarantine (never deleted; logged in logs/curation.jsonl; undo puts it back); the dataset and the last eval follow without load",
                          example: "drop 印花/train/条纹/3.png") { session, args in
    guard args.count == 1 else { throw dropCommand.usageError(args) }
    let dataset = try session.requireDataset("drop")
    let image = try namedImage(args[0], dataset, "drop", session)
    let move: ImageMove
    do { move = try ImageMove.drop(image, in: dataset, evaluations: session.evaluations) } catch { throw CommandError("drop: \(error)") }
    try session.out.print(performRecorded(move, in: session).joined(separator: "\n"))
}
