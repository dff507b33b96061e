import Engine
import MTMC
import Vision

/// `mtmc-bench one-pass TREE MODE SEED EPOCHS SIZE`: what the shell's `set seed SEED`, `set size SIZE`, `load TREE`,
/// `set bn MODE`, `model tiny`, `train EPOCHS`, `eval` do, with the shell's defaults, printing one "TASK TOP-1%" line
/// per task (the eval table's val top-1), for tools/bench/one-pass.sh on a build without the shell.
enum OnePassAccuracy {
    static func run(tree: String, mode: String, seed: UInt64, epochs: Int, size: Int) throws {
        var settings = SessionSettings()
        settings.training.seed = seed
        settings.training.inputWidth = size
        settings.training.inputHeight = size
        guard ["mixed", "per-task", "shared"].contains(mode) else { throw EngineError("one-pass: bn is mixed, per-task or shared, got \(mode)") }
        settings.sharedStatistics = mode != "per-task"
        settings.training.mixTasks = mode == "mixed"
        let dataset = try Dataset.load(tree, cacheSize: Dataset.cacheSize(forInput: (size, size)),
                                       decoder: ImageDecoder(pixelLimit: settings.pixelLimit), cache: settings.cache,
                                       split: ValidationSplit(share: settings.valSplit, seed: seed))
        let model = MultiTaskModel(architecture: .tiny, classesPerTask: dataset.tasks.map(\.classes.count), seed: seed)
        model.sharedStatistics = settings.sharedStatistics
        let trainer = Trainer(model: model, settings: settings.training)
        _ = try trainer.train(epochs: epochs, on: dataset)
        for e in try evaluate(model, on: dataset, phase: "val", settings: settings.training, normalization: trainer.normalization) {
            print(e.taskName, String(format: "%.1f%%", e.top1 * 100))
        }
    }
}
