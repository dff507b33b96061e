import Foundation
import MTMC

/// show data [TASK]: per task, classes with train and val counts and a bar, the imbalance ratio, source
/// sizes and aspect ratios, skipped and broken counts.
func showData(_ session: Session, _ args: [String]) throws {
    guard args.count <= 2 else { throw showCommand.usageError(args) }
    let dataset = try session.requireDataset("show data")
    let tasks = try args.count == 2 ? [dataset.taskIndex(args[1], command: "show data")] : Array(dataset.tasks.indices)
    var lines: [String] = []
    for t in tasks {
        let task = dataset.tasks[t]
        let train = task.trainCounts.map(\.used), val = task.valCounts.map(\.used)
        let largest = zip(train, val).map { $0 + $1 }.max() ?? 0
        let (big, small) = (train.indices.max { train[$0] < train[$1] }!, train.indices.min { train[$0] < train[$1] }!)
        lines.append("task \(task.name): \(task.classes.count) classes, \(task.train.count) train, \(task.val.count) val; "
                     + String(format: "imbalance %.1f", Double(train[big]) / Double(train[small]))
                     + (train[big] == train[small] ? " (every class \(train[big]) train)"
                        : " (train: \(task.classes[big]) \(train[big]) ÷ \(task.classes[small]) \(train[small]))"))
        let rows = task.classes.indices.map { c in
            [task.classes[c], "\(train[c])", "\(val[c])", blockBar(train[c] + val[c], largest: largest, width: 20)]
        }
        lines.append(Table(headers: ["class", "train", "val", "train + val"], rows: rows, rightAligned: [1, 2]).render())
        let sizes = (task.train + task.val).map { dataset.sourceSizes[$0.image] }
        if let summary = SizeSummary(sizes) { lines.append("  " + sizeLine(summary)) }
        let skipped = (task.trainCounts + task.valCounts).reduce(0) { $0 + $1.skipped }
        let broken = (task.trainCounts + task.valCounts).reduce(0) { $0 + $1.broken }
        lines.append("  skipped \(skipped), broken \(broken)" + (skipped + broken > 0 ? " (show broken lists them)" : ""))
        if task.val.isEmpty { lines.append("  no val images: val top-1, calibration and leak checks need some") }
    }
    session.out.print(lines.joined(separator: "\n"))
}

/// "source sizes (min · median · max): width …, height …, aspect …".
func sizeLine(_ s: SizeSummary) -> String {
    "source sizes (min · median · max): width " + s.width.map(String.init).joined(separator: " · ")
        + ", height " + s.height.map(String.init).joined(separator: " · ")
        + ", aspect (w÷h) " + s.aspect.map { String(format: "%.2f", $0) }.joined(separator: " · ")
}

/// show broken: every skipped or broken file of the loaded dataset with its reason.
func showBroken(_ session: Session, _ args: [String]) throws {
    guard args.count == 1 else { throw showCommand.usageError(args) }
    let dataset = try session.requireDataset("show broken")
    var lines = ["broken images (\(dataset.broken.count)): could not be decoded, left out"]
    lines += dataset.broken.map { "  \(dataset.shownPath($0.path)): \($0.reason)" }
    lines.append("skipped entries (\(dataset.skipped.count)): not read as images")
    lines += dataset.skipped.map { "  \(dataset.shownPath($0.path)): \($0.reason)" }
    session.out.print(lines.joined(separator: "\n"))
}

/// show class CLASS [TASK]: counts, size distribution and the first file names of one class.
func showClass(_ session: Session, _ args: [String]) throws {
    guard (2...3).contains(args.count) else { throw showCommand.usageError(args) }
    let dataset = try session.requireDataset("show class")
    let (t, c) = try classIndex(args[1], task: args.count == 3 ? args[2] : nil, in: dataset, command: "show class")
    let task = dataset.tasks[t]
    var lines = ["class \(task.classes[c]) (task \(task.name)):"]
    for (split, samples, counts) in [("train", task.train, task.trainCounts[c]), ("val", task.val, task.valCounts[c])] {
        let mine = samples.filter { $0.label == c }
        lines.append("  \(split): \(counts.used) images, \(counts.skipped) skipped, \(counts.broken) broken")
        guard let summary = SizeSummary(mine.map { dataset.sourceSizes[$0.image] }) else {
            lines.append("    no images in \(task.name)/\(split)/\(task.classes[c])")
            continue
        }
        lines.append("    " + sizeLine(summary))
        lines.append("    most frequent sizes: " + summary.common.map { "\($0.size.width)×\($0.size.height) (\($0.count))" }.joined(separator: ", "))
        let first = mine.prefix(5).map { (dataset.files[$0.image] as NSString).lastPathComponent }
        lines.append("    first files: " + first.joined(separator: ", ") + (mine.count > 5 ? ", … (\(mine.count - 5) more)" : ""))
    }
    session.out.print(lines.joined(separator: "\n"))
}

/// The task and class index of class `name` (in `task` when given), or an error naming the real problem.
func classIndex(_ name: String, task: String?, in dataset: Dataset, command: String) throws -> (Int, Int) {
    let found = try lookUpClass(name, task: task, in: Session.tasks(of: dataset), command: command)
    return (found.task, found.class)
}
