import Foundation
import MTMC

let reviewCommand = Command("review", usage: "review suspects [TASK] | review worst TASK [N] | review dupes",
                            summary: "step through check labels' suspects, the worst images of the last eval (N, default 10) or check's duplicates one at a time, each with its facts and picture: k keep, r relabel to the proposed class, c another class, d drop, s skip, u undo, q quit",
                            example: "review worst 印花 5", completions: ["suspects", "worst", "dupes"]) { session, args in
    let dataset = try session.requireDataset("review")
    let items: [ReviewItem]
    switch args.first {
    case "suspects":
        guard args.count <= 2 else { throw reviewCommand.usageError(args) }
        items = try suspectItems(session, dataset, task: args.count == 2 ? args[1] : nil)
    case "worst":
        guard (2...3).contains(args.count) else { throw reviewCommand.usageError(args) }
        guard let n = args.count == 3 ? Int(args[2]) : 10, n >= 1 else { throw CommandError("review worst: N must be a whole number from 1, got '\(args[2])'") }
        items = try worstItems(session, task: args[1], count: n)
    case "dupes":
        guard args.count == 1 else { throw reviewCommand.usageError(args) }
        items = duplicateItems(try duplicateAudit(session, dataset), dataset)
    default:
        throw reviewCommand.usageError(args)
    }
    guard !items.isEmpty else { session.out.print("review: nothing to review"); return }
    runReview(items, in: session)
}

/// `check`'s audit of the loaded dataset, for its duplicate groups; Ctrl-C stops it.
private func duplicateAudit(_ session: Session, _ dataset: Dataset) throws -> DatasetAudit {
    var limits = AuditLimits()
    limits.hamming = session.settings.nearDuplicateDistance
    defer { session.out.progress(nil) }
    do {
        return try DatasetAudit.run(dataset, limits: limits, isCancelled: session.isCancelled) { stage, done, total in
            session.out.progress("review dupes: \(stage) \(done)/\(total)")
        }
    } catch let stop as Cancelled {
        throw CommandError("review dupes cancelled (\(stop)); nothing reviewed")
    }
}

/// What a review decided, for its closing line.
private struct ReviewTally {
    var kept = 0, relabelled = 0, dropped = 0, skipped = 0, undone = 0

    var text: String { "\(kept) kept, \(relabelled) relabelled, \(dropped) dropped, \(skipped) skipped, \(undone) undone" }
}

/// Steps through `items`, asking for one decision each through the session's input. Every relabel and drop is
/// applied and logged at once, so stopping (q, the end of input, Ctrl-C) keeps every decision made so far.
func runReview(_ items: [ReviewItem], in session: Session) {
    var tally = ReviewTally(), i = 0, stop: String?, shown = -1
    var decided: [Int] = []  // the item of each move this review made, oldest first, for u to step back to
    let firstMove = session.curationMoves.count
    reviewing: while i < items.count, let dataset = session.dataset {
        let item = items[i]
        guard let now = dataset.membership(of: item.image), now.task == item.task, now.label == item.truth else {
            session.out.print("[\(i + 1)/\(items.count)] \(dataset.shownFile(item.image)): relabelled or dropped since the finding; passed over")
            i += 1
            continue
        }
        if shown != i { showItem(item, number: i + 1, of: items.count, dataset, session) }
        shown = i
        let classes = dataset.tasks[item.task].classes
        let proposal = item.proposed.map { "r relabel to \(classes[$0]) · " } ?? ""
        guard let answer = session.input.key("k keep · \(proposal)c other class · d drop · s skip · u undo · q quit > ") else {
            stop = session.isCancelled() ? "Ctrl-C" : "the end of input"
            break
        }
        let words = answer.trimmingCharacters(in: .whitespaces)
        let rest = String(words.dropFirst()).trimmingCharacters(in: .whitespaces)
        switch words.first.map({ String($0).lowercased() }) {
        case "k": tally.kept += 1; session.out.print("  kept"); i += 1
        case "s": tally.skipped += 1; session.out.print("  skipped"); i += 1
        case "q": stop = "q"; break reviewing
        case "r", "c", "d":
            guard let move = chosenMove(words.first!, rest: rest, item, dataset, session) else {
                if session.isCancelled() { stop = "Ctrl-C"; break reviewing }
                continue
            }
            guard perform(move, session) else { i += 1; continue }
            if move.kind == .drop { tally.dropped += 1 } else { tally.relabelled += 1 }
            decided.append(i)
            i += 1
        case "u":
            guard session.curationMoves.count > 0 else { session.out.print("  nothing to undo"); continue }
            let ownMove = session.curationMoves.count > firstMove
            do { session.out.print(try undoLast(session).map { "  " + $0 }.joined(separator: "\n")) } catch {
                session.out.print("  error: \(error)")
                continue
            }
            tally.undone += 1
            if ownMove, let back = decided.popLast() { i = back }
        default:
            session.out.print("  keys: k keep, r relabel to the proposed class, c another class, d drop, s skip, u undo, q quit")
        }
    }
    let log = displayPath((session.resolve(session.settings.logsFolder) as NSString).appendingPathComponent("curation.jsonl"), session)
    let end = stop.map { "review stopped by \($0) after \(i) of \(items.count) items" } ?? "review done (\(items.count) item\(items.count == 1 ? "" : "s"))"
    session.out.print("\(end): \(tally.text); every relabel and drop is applied and logged in \(log)")
}
