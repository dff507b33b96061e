import Engine

/// Every setting of a session in one value (as sqlite's shell keeps its state in one struct): `set`
/// lists and changes it, the trainer reads `training` from it at each use (the session binds it), commands
/// read the rest. There is no other copy to keep in step; defaults come from `Defaults` where others share them.
public struct SessionSettings: Equatable {
    /// What shapes training: optimizer, schedule, batch, input size, augmentation, seed. Checkpoints keep it.
    public var training = TrainingSettings()
    /// ResNet-18: the last batch-norm of each block starts at 0 (applies when the next model is built).
    public var zeroGamma = false
    /// ResNet-18: average-pool shortcut, ResNet-D (applies when the next model is built).
    public var resnetD = false
    /// Backbone batch-norm statistics shared by every task instead of one set per task: one backbone pass then
    /// answers every task. Trained on batches that mix the tasks (`training.mixTasks`, `set bn mixed`) the one set
    /// describes what evaluation sees; on single-task batches (`set bn shared`) it is the original's blend. The
    /// default, mixed, matched per-task statistics on three trees (BENCHMARKS.md, "One backbone pass").
    public var sharedStatistics = true
    /// Calibrated confidence at or above which `predict` lists a class.
    public var predictThreshold = Float(Defaults.threshold)
    /// Folder `eval` writes its logs to (relative to the working directory).
    public var logsFolder = "logs"
    /// Folder `plot` writes its pictures to.
    public var plotsFolder = "plots"
    /// How a picture a command writes is also drawn in the terminal (kitty, iTerm2, sixel, half-blocks, or not at all).
    public var inline = InlineMode.auto
    /// Largest image, in pixels, that `load` and `predict` decode (refused from its header beyond).
    public var pixelLimit = Defaults.pixelLimit
    /// How the next `calibrate` estimates its tables (set calibfit, calibrate, calibmin).
    public var calibration = CalibrationOptions()
    /// Where the model computes (set device cpu|cuda); `.cuda` only once the GPU opened.
    public var device: Device = .cpu
    /// Share of each class's `train/` files that `load` holds out as val in a task without a `val/` folder.
    public var valSplit = 0.2
    /// Hamming distance (of 64 bits) up to which `check` calls two difference hashes near duplicates.
    public var nearDuplicateDistance = 4
    /// K of `check labels`: training images are judged by K quick models, each trained without their fold.
    public var labelFolds = 3
    /// Epochs each quick model of `check labels` trains.
    public var foldEpochs = 5
    /// Where `load` keeps decoded images (set cache, cachedir, cacheformat); mode nil chooses by the estimate.
    public var cache = CacheOptions()

    public init() {}

    /// The `set bn` value these settings amount to: mixed, per-task or shared.
    public var batchNormMode: String { !sharedStatistics ? "per-task" : training.mixTasks ? "mixed" : "shared" }
}
