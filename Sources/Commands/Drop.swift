import Foundation
import MTMC

let dropCommand = Command("drop", usage: "drop IMG",
                          summary: "move an image's file out of the tree into ROOT.quarantine (never deleted; logged in logs/curation.jsonl; undo puts it back); the dataset and the last eval follow without load",
                          example: "drop 印花/train/条纹/3.png") { session, args in
    guard args.count == 1 else { throw dropCommand.usageError(args) }
    try moveNamedImage(args[0], "drop", session) { image, dataset in try ImageMove.drop(image, in: dataset, evaluations: session.evaluations) }
}
