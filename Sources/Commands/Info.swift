import Engine
import MTMC

let infoCommand = Command("info", usage: "info", summary: "dataset, model, settings, epochs trained", example: "info") { session, args in
    guard args.isEmpty else { throw infoCommand.usageError() }
    var lines: [String] = []
    if let dataset = session.dataset {
        lines.append("dataset: \(dataset.root), " + dataset.tasks.map { "\($0.name) (\($0.classes.count) classes, \($0.train.count) train, \($0.val.count) val)" }.joined(separator: ", "))
        lines += dataset.tasks.compactMap { task in task.valShare.map { "val of \(task.name): " + splitDescription($0, seed: session.settings.training.seed) } }
        lines.append(describeCache(dataset.cache) + (session.settings.training.order == .chunks
            ? ", epochs read chunk by chunk (\(dataset.cache.order.chunks) chunks of \(dataset.cache.order.imagesPerChunk) images)" : ""))
    } else {
        lines.append("dataset: none (load PATH)")
    }
    if let trainer = session.trainer {
        let parameters = trainer.model.namedParameters().reduce(0) { $0 + $1.variable.value.count }
        lines.append("model: \(trainer.model.architecture), \(parameters) parameters, heads: "
                     + session.modelTasks.map { "\($0.name) (\($0.classes.count))" }.joined(separator: ", ")
                     + (trainer.model.backboneFrozen ? ", backbone frozen" : "")
                     + ", batch-norm statistics " + (trainer.model.sharedStatistics ? "shared" : "per task")
                     + ", " + passesDescription(trainer.model.passesPerImage))
        lines.append("epochs trained: \(trainer.epochsCompleted)")
    } else {
        lines.append("model: none (model tiny|resnet18|darknet, or open CHECKPOINT)")
    }
    lines.append("balance: \(describeBalance(session.balance))")
    let s = session.settings.training
    lines.append("settings: lr \(s.learningRate), batch \(s.batchSize), size \(s.inputWidth)x\(s.inputHeight), schedule \(s.schedule.rawValue), seed \(s.seed), threads \(session.engine.host.threads)")
    lines.append(describeWorld(World.current, syncBatchNorm: s.syncBatchNorm))
    if case .cuda(let gpu) = session.settings.device {
        lines.append("device: cuda, " + gpu.summary.joined(separator: "; "))
    } else {
        lines.append("device: cpu (set device cuda for an NVIDIA GPU)")
    }
    if !session.evaluations.isEmpty {
        lines.append("last eval (\(session.evaluations[0].phase)): " + session.evaluations.map {
            "\($0.taskName) top-1 \(percent($0.top1))" }.joined(separator: ", "))
    }
    session.out.print(lines.joined(separator: "\n"))
}

/// The processes of the job and where each rank runs: ranks on the same host share its cores.
func describeWorld(_ world: World, syncBatchNorm: Bool) -> String {
    guard world.size > 1 else { return "processes: 1 (for data-parallel training: mpirun -np N mtmc SCRIPT)" }
    var ranksPerHost: [(host: String, ranks: [Int])] = []
    for (rank, host) in world.hosts.enumerated() {
        if let i = ranksPerHost.firstIndex(where: { $0.host == host }) { ranksPerHost[i].ranks.append(rank) } else { ranksPerHost.append((host, [rank])) }
    }
    let layout = ranksPerHost.map { "\($0.host): ranks \($0.ranks.map(String.init).joined(separator: ","))" }.joined(separator: "; ")
    let library = world.library.split(separator: ",").first.map(String.init) ?? world.library
    return "processes: \(world.size) ranks (this is rank \(world.rank); \(library)), \(layout); batch-norm statistics "
        + (syncBatchNorm ? "synchronised" : "per rank")
}

/// The cache line of `info`: its mode, its size on disk and what of it is in RAM now.
func describeCache(_ cache: ImageCache) -> String {
    let size = "\(cache.width)×\(cache.height) per image"
    switch cache.mode {
    case .memory: return "cache: memory, \(byteCount(cache.bytes)) resident (\(size))"
    case .disk: return "cache: disk, \(cache.filePath ?? ""), \(byteCount(cache.diskBytes)) on disk, \(byteCount(cache.residentBytes)) resident (\(size))"
    case .none: return "cache: none, images decoded from their files on every read (\(size))"
    }
}

func describeBalance(_ b: Balance) -> String {
    switch b.mode {
    case .off: return "off (every image once per epoch)"
    case .balanced: return "base \(b.maxBase.map(String.init) ?? "default (mean class size)")"
    case .adaptive: return "adaptive from training precision, base \(b.maxBase.map(String.init) ?? "default")"
    }
}

func percent(_ x: Double) -> String { String(format: "%.1f%%", x * 100) }

/// How a task without `val/` got its validation images (`load` and `info`).
func splitDescription(_ share: Double, seed: UInt64) -> String {
    "\(Int((share * 100).rounded())) % of each class's train/ files, chosen by a hash of seed \(seed) and each file's path "
        + "(no val/ folder; set valsplit, then load)"
}

/// How many backbone passes answering every task costs an image.
func passesDescription(_ passes: Int) -> String {
    passes == 1 ? "1 backbone pass per image for every task" : "\(passes) backbone passes per image (one per task)"
}
