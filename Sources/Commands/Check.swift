import Foundation
import MTMC

let checkCommand = Command("check", usage: "check",
                           summary: "audit the loaded dataset: exact and near duplicates (within a class, label conflicts, train/val leaks), near-uniform, small and oddly shaped images",
                           example: "check") { session, args in
    switch args.first {
    case nil: try checkDataset(session)
    default: throw checkCommand.usageError()
    }
}

/// check: the audit from the decoded cache, in parallel, with a progress line; Ctrl-C stops it and reports nothing.
private func checkDataset(_ session: Session) throws {
    let dataset = try session.requireDataset("check")
    var limits = AuditLimits()
    limits.hamming = session.settings.nearDuplicateDistance
    limits.input = ImageSize(width: session.settings.training.inputWidth, height: session.settings.training.inputHeight)
    let audit: DatasetAudit
    do {
        audit = try DatasetAudit.run(dataset, limits: limits, isCancelled: session.isCancelled) { stage, done, total in
            session.out.progress("check: \(stage) \(done)/\(total)")
        }
    } catch let stop as Cancelled {
        session.out.progress(nil)
        throw CommandError("check cancelled (\(stop)); nothing reported")
    }
    session.out.progress(nil)
    var lines = audit.lines(dataset, limit: 10)
    do {
        lines.append("check log (every entry): " + displayPath(try audit.write(dataset, folder: session.resolve(session.settings.logsFolder)), session))
    } catch {
        lines.append("check log not written: \(error)")
    }
    session.out.print(lines.joined(separator: "\n"))
}
