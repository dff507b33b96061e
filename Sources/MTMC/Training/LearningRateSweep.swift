import Foundation

/// The result of `lr find`: the loss of each step of an exponential learning-rate sweep, smoothed per task,
/// and a suggested rate read from it.
///
/// Steps of several tasks interleave, and their losses differ in scale (a trained two-task model can sit at
/// 0.3 on one task and 0.005 on the other): one average over all steps would follow whichever task the last
/// steps drew. So each task's losses are averaged on their own, each task's average is divided by its
/// lowest (floored at `lossFloor`), and the sweep's curve is the mean of those ratios over the tasks (with
/// one task, the ratio is scaled back to its loss, so the curve is that task's smoothed loss).
public struct LearningRateSweep {
    public var rates: [Float] = []
    /// The raw loss of each step, and the task that step trained.
    public var losses: [Double] = []
    public var tasks: [Int] = []
    /// Per task (keyed by task index), its steps' bias-corrected exponential average (β 0.98 per step of the
    /// sweep, as fastai), one value per step from that task's first step on: one noisy batch does not move it.
    public var taskSmoothed: [Int: [Double]] = [:]
    /// The curve the suggestion reads: per step, the mean over the tasks seen so far of each task's
    /// smoothed loss ÷ its lowest, or ÷ `lossFloor` when its lowest is below that (one task: its smoothed loss).
    public var smoothed: [Double] { curve(reference: taskSmoothed.mapValues { max($0.min()!, Self.lossFloor) }) }
    /// Why the sweep ended before its last rate, if it did.
    public var stoppedEarly: String?
    /// Per task, the running weighted sum of its losses, the sum of their weights, and its last step.
    private var weights: [Int: (sum: Double, weight: Double, step: Int)] = [:]

    public init() {}

    static let beta = 0.98
    /// How far above its lowest the curve may climb before the sweep stops (it is diverging).
    static let divergence = 4.0
    /// How far above its lowest the curve climbs where the loss is taken to start rising.
    public static let rise = 1.25
    /// The least loss (in nats; 0.1 is about 90 % on the right class) a task's average is divided by. A
    /// trained task's loss sits near zero, where one batch a little worse than the rest is many times its
    /// lowest: divided by that lowest, batch noise alone would read as divergence within a few steps.
    public static let lossFloor = 0.1

    /// Adds one step of `task`; returns false when the curve (each task against its lowest so far) has
    /// passed 4× its minimum. A task's average forgets by β per step of the sweep, not per step of its own,
    /// so every task's average spans the same stretch of rates whatever share of the steps it draws (per
    /// task steps alone, a task drawn half the time would average over twice the rates).
    public mutating func add(rate: Float, loss: Double, task: Int = 0) -> Bool {
        rates.append(rate)
        losses.append(loss)
        tasks.append(task)
        let step = rates.count - 1
        let previous = weights[task] ?? (sum: 0, weight: 0, step: step)
        let decay = pow(Self.beta, Double(step - previous.step))
        let sum = previous.sum * decay + loss, weight = previous.weight * decay + 1
        weights[task] = (sum, weight, step)
        for t in taskSmoothed.keys where t != task { taskSmoothed[t]!.append(taskSmoothed[t]!.last!) }
        taskSmoothed[task, default: []].append(sum / weight)
        let now = smoothed
        return rates.count < 5 || now.last! <= Self.divergence * now[settledIndex...].min()!
    }

    /// The first step the minimum and the rules read from: every task has had a step (before, the curve
    /// averages fewer tasks and jumps when another joins) and a tenth of the sweep has passed (the averages
    /// rest on a few batches each before it).
    public var settledIndex: Int {
        let lastJoined = Set(tasks).map { t in tasks.firstIndex(of: t)! }.max() ?? 0
        return min(max(lastJoined, rates.count / 10), max(0, rates.count - 1))
    }

    /// Per step the mean over the tasks seen so far of smoothed ÷ reference (one task: its smoothed loss).
    private func curve(reference: [Int: Double]) -> [Double] {
        guard taskSmoothed.count > 1 else { return taskSmoothed.values.first ?? [] }
        return rates.indices.map { i in
            let seen = taskSmoothed.compactMap { t, values -> Double? in
                let offset = rates.count - values.count
                return i >= offset ? values[i - offset] / reference[t]! : nil
            }
            return seen.reduce(0, +) / Double(seen.count)
        }
    }

    /// The index of the curve's minimum, from `settledIndex` on.
    public var minimumIndex: Int? {
        let c = smoothed
        guard !c.isEmpty else { return nil }
        return c.indices[settledIndex...].min { c[$0] < c[$1] }
    }

    /// The first step after the minimum where the curve climbs past `rise` × its minimum: where more rate
    /// starts to undo what the weights have (on a trained model the curve is flat up to here, and its
    /// minimum falls anywhere in the flat part); nil when it never does.
    public var riseIndex: Int? {
        let c = smoothed
        guard let m = minimumIndex else { return nil }
        return c.indices.first { $0 > m && c[$0] > Self.rise * c[m] }
    }

    /// The rate where the curve falls fastest against log rate, before its minimum, from `settledIndex` on;
    /// nil when it never falls.
    public var steepest: Float? {
        let c = smoothed
        let start = max(1, settledIndex)
        guard let end = minimumIndex, end > start else { return nil }
        let slopes = (start...end).map { (index: $0, slope: c[$0] - c[$0 - 1]) }
        guard let best = slopes.min(by: { $0.slope < $1.slope }), best.slope < 0 else { return nil }
        return rates[best.index]
    }

    /// Whether the curve falls in the sweep: its value at `settledIndex` is at least `rise` × its minimum.
    /// A fresh model's loss falls; a trained one's is flat.
    public var falls: Bool {
        let c = smoothed
        guard let m = minimumIndex, c.count >= 5 else { return false }
        return c[settledIndex] >= Self.rise * c[m]
    }

    /// The suggestion, to two significant digits (what a user would type). When the curve falls, the rate at
    /// its minimum ÷ 10 (Smith; fastai's lr_min): a rate still well inside the region where the loss falls.
    /// When it is flat (a trained model, whose loss moves only once the rate is large enough to disturb
    /// it), its minimum lands anywhere in the flat part, so the rate where it starts to rise ÷ 10 instead
    /// (the minimum ÷ 10 when it never rises). nil when the sweep has too few steps to tell.
    public var suggestion: Float? {
        guard rates.count >= 5, let m = minimumIndex else { return nil }
        let edge = falls ? m : riseIndex ?? m
        guard edge > 0 else { return nil }
        return Float(String(format: "%.2g", rates[edge] / 10))
    }

    /// The rule that gave `suggestion`, in words.
    public var rule: String {
        falls ? "the rate at the smoothed loss's minimum ÷ 10"
            : "the loss is flat, as on a trained model: the rate where the smoothed loss starts to rise (\(Self.rise)× its lowest) ÷ 10"
    }
}
