import MTMC

let balanceCommand = Command("balance", usage: "balance [off | base N | adaptive]",
                             summary: "show or change per-class quotas per epoch", example: "balance base 200",
                             completions: ["off", "base", "adaptive"]) { session, args in
    switch args {
    case []:
        break
    case ["off"]:
        session.balance.mode = .off
    case ["adaptive"]:
        let dataset = try session.requireDataset("balance adaptive")
        let trainer = try session.requireModel("balance adaptive")
        var evaluations = session.evaluations.filter { $0.phase == "train" }
        if evaluations.count != dataset.tasks.count {
            session.out.print("evaluating the training set for per-class precision…")
            evaluations = try evaluate(trainer.model, on: dataset, phase: "train", settings: session.settings.training,
                                       normalization: trainer.normalization, isCancelled: session.isCancelled)
        }
        session.balance.mode = .adaptive(precision: evaluations.map { $0.precision.map { $0 ?? 0 } })
    default:
        guard args.count == 2, args[0] == "base", let n = Int(args[1]), n >= 1, n <= 1_000_000 else {
            throw CommandError("usage: balance [off | base N | adaptive]; N is a whole number from 1 to 1000000")
        }
        session.balance.maxBase = n
        if case .off = session.balance.mode { session.balance.mode = .balanced }
    }
    session.out.print("balance: \(describeBalance(session.balance))")
    if let dataset = session.dataset { session.out.print(balanceTable(session.balance, dataset)) }
}

/// Per task and class: training images, quota per epoch, and the precision behind an adaptive quota.
func balanceTable(_ balance: Balance, _ dataset: Dataset) -> String {
    let sizes = dataset.tasks.map { $0.trainCounts.map(\.used) }
    let quotas = balance.quotas(classSizes: sizes)
    var lines: [String] = []
    for (t, task) in dataset.tasks.enumerated() {
        let adaptive: [Double]? = { if case .adaptive(let p) = balance.mode, t < p.count { return p[t] } else { return nil } }()
        lines.append("task \(task.name): \(quotas[t].reduce(0, +)) samples per epoch")
        let rows = task.classes.indices.map { c -> [String] in
            var row = [task.classes[c], "\(sizes[t][c])", "\(quotas[t][c])", String(format: "%.2f", Double(quotas[t][c]) / Double(max(1, sizes[t][c])))]
            if let adaptive { row.append(c < adaptive.count ? String(format: "%.3f", adaptive[c]) : "") }
            return row
        }
        let headers = ["class", "images", "quota", "uses/image"] + (adaptive == nil ? [] : ["precision"])
        lines.append(Table(headers: headers, rows: rows, rightAligned: [1, 2, 3, 4]).render())
    }
    return lines.joined(separator: "\n")
}
