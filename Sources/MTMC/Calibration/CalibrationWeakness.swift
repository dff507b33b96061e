/// Why a class's table is weak, and what would strengthen it (`calibrate`, `show calib TASK`).
public struct CalibrationWeakness: Equatable {
    public enum Reason: Equatable, CaseIterable {
        /// The best level reached is below `goodLevel` (or none is).
        case lowBest
        /// Fewer validation images of the class than `supportFactor` × `calibmin`: its levels rest on few samples.
        case fewImages
        /// Tables built on one half of val reach their level on the other half at fewer than `heldOutBar` of the checked levels.
        case heldOutMisses
        /// The class has enough images, but its best level rests on fewer than `supportFactor` × `calibmin` of them.
        case thinBest
    }

    /// Every reason that applies to the class, in `Reason.allCases` order.
    public var reasons: [Reason]
    public var positives: Int
    public var best: CalibrationLevel?
    public var heldOut: HeldOutCheck
    /// The first level not reached and why; nil when all 45 are.
    public var firstUnreached: CalibrationLevel?
    public var minimumSupport: Int

    /// The best level a table must reach, validation images per `calibmin` a class should have, and the
    /// share of held-out checks its levels must pass.
    public static let goodLevel = 0.80
    public static let supportFactor = 3
    public static let heldOutBar = 0.9

    /// The weaknesses of class `index` of `task` (`reasons` empty when there are none).
    public init(_ task: TaskCalibration, class index: Int) {
        let table = task.tables[index]
        positives = table.positives
        best = table.best
        heldOut = task.heldOut[index]
        firstUnreached = table.levels.first { $0.threshold == nil }
        minimumSupport = task.options.minimumSupport
        let enough = CalibrationWeakness.supportFactor * minimumSupport
        let flags: [Reason: Bool] = [
            .fewImages: positives < enough,
            .lowBest: (best?.level ?? 0) < CalibrationWeakness.goodLevel - 1e-9,
            .heldOutMisses: (heldOut.holdRate ?? 1) < CalibrationWeakness.heldOutBar,
            .thinBest: positives >= enough && (best?.support ?? enough) < enough,
        ]
        reasons = Reason.allCases.filter { flags[$0]! }
    }

    /// The reason as it applies to this class.
    public func text(_ reason: Reason) -> String {
        let factor = CalibrationWeakness.supportFactor
        switch reason {
        case .fewImages: return "only \(positives) validation images (< \(factor) × calibmin)"
        case .lowBest: return best.map { "best level " + format2($0.level) } ?? "no level reached"
        case .heldOutMisses: return "built on one half of val, its levels hold on the other half at only \(heldOut.held) of \(heldOut.checked)"
        case .thinBest: return "best level \(format2(best!.level)) rests on \(best!.support) samples (< \(factor) × calibmin)"
        }
    }

    /// What would help against `shown` (the reasons that set this class apart), in words.
    public func advice(for shown: [Reason]) -> String {
        var advice: [String] = []
        if shown.contains(.lowBest) || shown.contains(.fewImages) {
            switch firstUnreached?.unreachable {
            case .tooFewSamples? where reasons.contains(.fewImages), nil:
                advice.append("more validation images of this class")
            case .tooFewSamples?:
                advice.append("a model that separates it better, or more validation images: only its few highest raw outputs are precise enough")
            case .precisionNeverReached?:
                advice.append("a model that separates it better (more or cleaner training images of it and of the classes it is confused with, more epochs); more validation images alone will not")
            }
        }
        if shown.contains(.heldOutMisses) {
            advice.append("more validation images of this class, or `set calibrate conservative` meanwhile: its levels do not carry over between halves of val")
        }
        if shown.contains(.thinBest) { advice.append("`set calibrate conservative` to read its top levels from their lower bound, or more validation images of it") }
        return advice.uniqued().joined(separator: "; ")
    }
}

/// A task's weak tables. A reason every class shares is said once for the task, since a flag on every
/// class tells nothing apart; a class is flagged only for reasons that set it apart from others.
public struct TaskWeaknesses {
    /// Reasons that hold for every class of the task.
    public let shared: [CalibrationWeakness.Reason]
    /// Classes with reasons of their own: class index, its weakness, and the reasons not shared by all.
    public let flagged: [(index: Int, weakness: CalibrationWeakness, reasons: [CalibrationWeakness.Reason])]

    public init(_ task: TaskCalibration) {
        let all = task.classes.indices.map { CalibrationWeakness(task, class: $0) }
        let shared = CalibrationWeakness.Reason.allCases.filter { r in !all.isEmpty && all.allSatisfy { $0.reasons.contains(r) } }
        self.shared = shared
        flagged = all.enumerated().compactMap { i, w -> (index: Int, weakness: CalibrationWeakness, reasons: [CalibrationWeakness.Reason])? in
            let own = w.reasons.filter { !shared.contains($0) }
            return own.isEmpty ? nil : (index: i, weakness: w, reasons: own)
        }
    }

    /// One sentence per shared reason, but those already `said`.
    public func sharedLines(minimumSupport: Int, omitting said: [CalibrationWeakness.Reason] = []) -> [String] {
        let enough = CalibrationWeakness.supportFactor * minimumSupport
        let order: [CalibrationWeakness.Reason] = [.fewImages, .lowBest, .heldOutMisses, .thinBest]
        return order.filter { shared.contains($0) && !said.contains($0) }.map { reason in
            switch reason {
            case .fewImages:
                return "the validation set is too small: every class has fewer than \(enough) validation images (\(CalibrationWeakness.supportFactor) × calibmin), so every table rests on few samples; more validation images would help every class"
            case .lowBest where shared.contains(.fewImages):
                return "no class reaches level \(format2(CalibrationWeakness.goodLevel)), which so few validation images alone can cause (a level needs calibmin samples at or above its threshold)"
            case .lowBest:
                return "no class reaches level \(format2(CalibrationWeakness.goodLevel)): the model does not separate this task's classes well yet (more epochs, more or cleaner training images)"
            case .heldOutMisses:
                return "every class's levels miss on held-out halves of val at more than \(Int(((1 - CalibrationWeakness.heldOutBar) * 100).rounded())) % of checks: more validation images, or `set calibrate conservative`"
            case .thinBest:
                return "every class's best level rests on fewer than \(enough) samples: `set calibrate conservative` reads top levels from their lower bound"
            }
        }
    }
}

private func format2(_ value: Double) -> String {
    let hundredths = Int((value * 100).rounded())
    return "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100)"
}

private extension Array where Element: Hashable {
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
