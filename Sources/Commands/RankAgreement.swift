import Engine
import Foundation
import MTMC

/// What a rank of a data-parallel job does next: run a command line, or nothing (its script ended).
public enum RankStep: Equatable {
    /// The command `text` from line `line` of `source` (a script's path, `-c` or `<stdin>`).
    case command(String, source: String, line: Int)
    /// The script `source` ended after line `line`.
    case end(source: String, line: Int)
}

/// Under mpirun every rank must run the same commands in the same order: a reduction inside a command waits for
/// the same reduction on every other rank, so ranks that run different commands, or a rank whose script ended,
/// would leave the others waiting for ever (Open MPI waits by spinning). Before each command and at the end of
/// the script the ranks exchange a fixed-size record of their next step (MPI_Allgather): a digest of the
/// command's text, and its source, line and first bytes for the message. Every rank gets every record, so all
/// decide alike; the ranks then end the job together, rank 0 naming each rank's step.
public enum RankAgreement {
    /// The record's fields: kind, digest, line, source, text.
    private static let digestBytes = 64, sourceBytes = 96, textBytes = 200
    private static var width: Int { 1 + digestBytes + 8 + sourceBytes + textBytes }

    /// Nil when every rank takes the same step (always, alone); otherwise the message naming each rank's.
    public static func disagreement(_ step: RankStep, world: World = .current) -> String? {
        guard world.size > 1 else { return nil }
        let records = world.gather(encode(step))
        let key = { (record: [UInt8]) in record.prefix(1 + digestBytes) }
        guard records.contains(where: { key($0) != key(records[0]) }) else { return nil }
        var groups: [(ranks: [Int], record: [UInt8])] = []
        for (rank, record) in records.enumerated() {
            if let i = groups.firstIndex(where: { key($0.record) == key(record) }) { groups[i].ranks.append(rank) } else { groups.append(([rank], record)) }
        }
        let steps = groups.map { group in
            (group.ranks.count == 1 ? "rank " : "ranks ") + group.ranks.map(String.init).joined(separator: ",") + " " + describe(group.record)
        }
        return "the ranks of this data-parallel job disagree on what to run next (every rank must run the same commands): "
            + steps.joined(separator: "; ")
    }

    /// Whether every rank takes `step`. When they differ, rank 0 prints the message, and every rank waits until
    /// it has (so the job's end cannot cut it off) before the caller ends the job.
    public static func agree(_ step: RankStep, session: Session) -> Bool {
        guard let message = disagreement(step) else { return true }
        if World.current.isRoot { session.out.print("error: " + message) }
        World.current.barrier()
        return false
    }

    private static func encode(_ step: RankStep) -> [UInt8] {
        var record = [UInt8](repeating: 0, count: width)
        let (kind, text, source, line): (UInt8, String, String, Int)
        switch step {
        case .command(let command, let from, let at): (kind, text, source, line) = (1, command, from, at)
        case .end(let from, let at): (kind, text, source, line) = (2, "", from, at)
        }
        record[0] = kind
        record.replaceSubrange(1 ..< 1 + digestBytes, with: Array(sha256Hex(Data(text.utf8)).utf8))
        withUnsafeBytes(of: UInt64(line).littleEndian) { record.replaceSubrange(1 + digestBytes ..< 9 + digestBytes, with: $0) }
        let sourceStart = 9 + digestBytes, textStart = sourceStart + sourceBytes
        let shownSource = prefix(source, bytes: sourceBytes), shownText = prefix(text, bytes: textBytes)
        record.replaceSubrange(sourceStart ..< sourceStart + shownSource.count, with: shownSource)
        record.replaceSubrange(textStart ..< textStart + shownText.count, with: shownText)
        return record
    }

    /// "runs `train 2` (a.mtmc:5)", or "ended its script (b.mtmc after line 4)".
    private static func describe(_ record: [UInt8]) -> String {
        let line = record[1 + digestBytes ..< 9 + digestBytes].reversed().reduce(0) { $0 << 8 | Int($1) }
        let sourceStart = 9 + digestBytes, textStart = sourceStart + sourceBytes
        let field = { (range: Range<Int>) in String(decoding: record[range].prefix { $0 != 0 }, as: UTF8.self) }
        let source = field(sourceStart ..< textStart), text = field(textStart ..< width)
        guard record[0] == 1 else {
            // mpirun gives standard input to rank 0 alone: the other ranks' scripts are empty.
            let hint = source == "<stdin>" && line == 0 ? "; under mpirun give the script as a file, not on standard input" : ""
            return "ended its script (\(source) after line \(line)\(hint))"
        }
        return "runs `\(text)` (\(source):\(line))"
    }

    /// The UTF-8 bytes of the longest prefix of `text` (whole characters) that fits in `bytes`.
    private static func prefix(_ text: String, bytes: Int) -> [UInt8] {
        var taken: [UInt8] = []
        for character in text {
            let utf8 = Array(String(character).utf8)
            if taken.count + utf8.count > bytes { break }
            taken += utf8
        }
        return taken
    }
}
