import Foundation
import MTMC

let undoCommand = Command("undo", usage: "undo",
                          summary: "reverse the last relabel or drop since load (again: the one before), logged like them",
                          example: "undo") { session, args in
    guard args.isEmpty else { throw undoCommand.usageError(args) }
    try session.out.print(undoLast(session).joined(separator: "\n"))
}

/// Reverses the newest move on the session's undo stack and pops it; the stack is kept when that fails.
func undoLast(_ session: Session) throws -> [String] {
    guard let last = session.curationMoves.last else {
        throw CommandError("undo: nothing to undo (relabel and drop since the last load are undone, newest first)")
    }
    let lines: [String]
    do { lines = try applyMove(last.reversal(), in: session) } catch let error as CommandError { throw error } catch {
        throw CommandError("undo: \(error)")
    }
    session.curationMoves.removeLast()
    return lines
}
