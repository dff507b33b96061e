import Engine
import Foundation
import MTMC

/// One `set` key: its allowed values in words, how to read it and how to change it.
struct Setting {
    let name: String
    let allowed: String
    let summary: String
    /// The values Tab completes (a fixed choice); empty for numbers and folders.
    var values: [String] = []
    /// The default in words, where a fresh session's value is not it (one that depends on the machine).
    var defaultValue: String?
    let get: (Session) -> String
    /// Parses and applies the value; returns false (changing nothing) when it is out of range.
    let set: (Session, String) -> Bool
}

private func number(_ text: String, _ range: ClosedRange<Double>) -> Double? {
    guard let v = Double(text), v.isFinite, range.contains(v) else { return nil }
    return v
}

private func whole(_ text: String, _ range: ClosedRange<Int>) -> Int? {
    guard let v = Int(text), range.contains(v) else { return nil }
    return v
}

private func onOff(_ text: String) -> Bool? { ["on": true, "true": true, "yes": true, "off": false, "false": false, "no": false][text] }

private func floatSetting(_ name: String, _ range: ClosedRange<Double>, _ summary: String,
                          _ path: WritableKeyPath<TrainingSettings, Float>) -> Setting {
    Setting(name: name, allowed: "\(range.lowerBound) to \(range.upperBound)", summary: summary,
            get: { "\($0.settings.training[keyPath: path])" },
            set: { session, text in
                guard let v = number(text, range) else { return false }
                session.settings.training[keyPath: path] = Float(v)
                return true
            })
}

private func intSetting(_ name: String, _ range: ClosedRange<Int>, _ summary: String, _ path: WritableKeyPath<TrainingSettings, Int>) -> Setting {
    Setting(name: name, allowed: "whole number \(range.lowerBound) to \(range.upperBound)", summary: summary,
            get: { "\($0.settings.training[keyPath: path])" },
            set: { session, text in
                guard let v = whole(text, range) else { return false }
                session.settings.training[keyPath: path] = v
                return true
            })
}

private func sessionIntSetting(_ name: String, _ range: ClosedRange<Int>, _ summary: String,
                               _ path: WritableKeyPath<SessionSettings, Int>) -> Setting {
    Setting(name: name, allowed: "whole number \(range.lowerBound) to \(range.upperBound)", summary: summary,
            get: { "\($0.settings[keyPath: path])" },
            set: { session, text in
                guard let v = whole(text, range) else { return false }
                session.settings[keyPath: path] = v
                return true
            })
}

private func switchSetting(_ name: String, _ summary: String, _ path: WritableKeyPath<SessionSettings, Bool>) -> Setting {
    Setting(name: name, allowed: "on or off", summary: summary, values: ["on", "off"], get: { $0.settings[keyPath: path] ? "on" : "off" },
            set: { session, text in
                guard let v = onOff(text) else { return false }
                session.settings[keyPath: path] = v
                return true
            })
}

private func settingSwitch(_ name: String, _ summary: String, _ path: WritableKeyPath<TrainingSettings, Bool>) -> Setting {
    Setting(name: name, allowed: "on or off", summary: summary, values: ["on", "off"], get: { $0.settings.training[keyPath: path] ? "on" : "off" },
            set: { session, text in
                guard let v = onOff(text) else { return false }
                session.settings.training[keyPath: path] = v
                return true
            })
}

/// A setting whose values are the raw values of an enumeration ("a or b").
private func choiceSetting<Value: RawRepresentable & CaseIterable>(_ name: String, _ summary: String,
                                                                    _ path: ReferenceWritableKeyPath<Session, Value>) -> Setting
    where Value.RawValue == String {
    Setting(name: name, allowed: Value.allCases.map(\.rawValue).joined(separator: " or "), summary: summary,
            values: Value.allCases.map(\.rawValue), get: { $0[keyPath: path].rawValue },
            set: { session, text in
                guard let v = Value(rawValue: text) else { return false }
                session[keyPath: path] = v
                return true
            })
}

/// A teacher for distillation: a checkpoint whose tasks, classes and input size are the current model's.
private func loadTeacher(_ path: String, _ session: Session) throws -> (model: MultiTaskModel, path: String) {
    guard let student = session.trainer else { throw CommandError("no model yet; build one (model tiny|resnet18|darknet) or open one first") }
    let checkpoint = try Checkpoint.open(session.resolve(path))
    let differences = Checkpoint.differences(checkpoint.tasks, session.modelTasks)
    guard differences.isEmpty else { throw CommandError("\(path) has other tasks or classes: " + differences.joined(separator: "; ")) }
    let (w, h) = (checkpoint.settings.inputWidth, checkpoint.settings.inputHeight)
    guard (w, h) == (student.settings.inputWidth, student.settings.inputHeight) else {
        throw CommandError("\(path) takes \(w)x\(h) images, the model \(student.settings.inputWidth)x\(student.settings.inputHeight)")
    }
    let teacher = try checkpoint.makeTrainer().model
    teacher.use(session.engine)
    return (teacher, path)
}

/// The GPU, or the CPU after one line saying why there is no GPU.
func cudaOrReason(_ out: OutputSink) -> Device {
    switch CUDADevice.shared {
    case .success(let gpu): return .cuda(gpu)
    case .failure(let why):
        out.print("device: CUDA unavailable, staying on cpu: \(why)")
        return .cpu
    }
}

/// Every setting `set` knows, in the order `set` lists them.
let allSettings: [Setting] = [
    Setting(name: "lr", allowed: "1e-06 to 10.0, or auto", summary: "base learning rate; auto: each train runs lr find first and uses its suggestion",
            get: { $0.settings.training.autoLearningRate ? "auto" : "\($0.settings.training.learningRate)" },
            set: { session, text in
                if text == "auto" { session.settings.training.autoLearningRate = true; return true }
                guard let v = number(text, SettingRanges.learningRate) else { return false }
                session.settings.training.learningRate = Float(v)
                session.settings.training.autoLearningRate = false
                return true
            }),
    floatSetting("momentum", SettingRanges.momentum, "SGD momentum", \.momentum),
    settingSwitch("nesterov", "Nesterov momentum", \.nesterov),
    floatSetting("wd", SettingRanges.weightDecay, "weight decay", \.weightDecay),
    settingSwitch("nobiasdecay", "no weight decay on biases and batch-norm parameters (Bag of Tricks)", \.noBiasDecay),
    intSetting("batch", SettingRanges.batchSize, "images per training step (under mpirun: the global batch, split across the ranks)", \.batchSize),
    settingSwitch("syncbn", "under mpirun, batch-norm statistics over the global batch (off: each rank's slice, as PyTorch's default)",
                  \.syncBatchNorm),
    choiceSetting("schedule", "learning-rate schedule: cosine and one-cycle span each train N (or set epochs), step decays every step epochs",
                  \.settings.training.schedule),
    intSetting("step", SettingRanges.stepEvery, "epochs between step decays (the original: 40)", \.stepEvery),
    floatSetting("gamma", SettingRanges.stepGamma, "step decay factor", \.stepGamma),
    intSetting("epochs", SettingRanges.epochs, "a fixed plan for cosine and one-cycle across train calls; 0: each train N plans over its N epochs", \.epochs),
    intSetting("warmup", SettingRanges.warmupEpochs, "epochs of linear learning-rate warm-up", \.warmupEpochs),
    floatSetting("smoothing", SettingRanges.labelSmoothing, "label smoothing", \.labelSmoothing),
    floatSetting("mixup", SettingRanges.mixupAlpha, "mixup Beta(α, α); 0 is off", \.mixupAlpha),
    floatSetting("cutmix", SettingRanges.cutMixAlpha, "CutMix Beta(α, α); 0 is off; with mixup, each batch takes one of the two", \.cutMixAlpha),
    intSetting("adaptive", SettingRanges.adaptiveEvery, "adaptive balance every N epochs from a train evaluation; 0 is off", \.adaptiveEvery),
    Setting(name: "size", allowed: "N or WxH, 8 to 1024", summary: "model input size (reload the dataset after changing it)",
            get: { "\($0.settings.training.inputWidth)x\($0.settings.training.inputHeight)" },
            set: { session, text in
                let parts = text.lowercased().split(separator: "x").map(String.init)
                guard (1...2).contains(parts.count), let w = whole(parts[0], SettingRanges.inputSide),
                      let h = parts.count == 2 ? whole(parts[1], SettingRanges.inputSide) : w else { return false }
                session.settings.training.inputWidth = w
                session.settings.training.inputHeight = h
                return true
            }),
    settingSwitch("hflip", "random horizontal flips (off for characters)", \.horizontalFlip),
    choiceSetting("augment", "random affine and colour jitter: auto is off under 10 epochs, light to 30, full beyond", \.settings.training.augment),
    choiceSetting("order", "epoch order: shuffle draws batches from anywhere; chunks reads the cache chunk by chunk "
                  + "(shuffled within windows of \(EpochOrder.chunkWindow) chunks), for sequential disk reads", \.settings.training.order),
    choiceSetting("crop", "geometry of augmentation: the original's affine, or a random resized crop (when augment is not off)",
                  \.settings.training.crop),
    Setting(name: "randaugment", allowed: "N,M (N 1 to 10 operations, magnitude M 0 to 10) or off",
            summary: "RandAugment: N random operations per training image at magnitude M",
            get: { $0.settings.training.randAugmentCount == 0 ? "off" : "\($0.settings.training.randAugmentCount),\($0.settings.training.randAugmentMagnitude)" },
            set: { session, text in
                if text == "off" { session.settings.training.randAugmentCount = 0; return true }
                let parts = text.split(separator: ",").map(String.init)
                guard parts.count == 2, let n = whole(parts[0], 1...SettingRanges.randAugmentCount.upperBound),
                      let m = number(parts[1], SettingRanges.randAugmentMagnitude) else { return false }
                session.settings.training.randAugmentCount = n
                session.settings.training.randAugmentMagnitude = Float(m)
                return true
            }),
    intSetting("validate", SettingRanges.validateEvery, "check the val images every N epochs and after a run's last; 0 is never", \.validateEvery),
    Setting(name: "keep", allowed: "best or last", summary: "weights at the end of train: the best validated epoch's, or the last's",
            values: ["best", "last"],
            get: { $0.settings.training.keepBest ? "best" : "last" },
            set: { session, text in
                guard text == "best" || text == "last" else { return false }
                session.settings.training.keepBest = text == "best"
                return true
            }),
    intSetting("patience", SettingRanges.patience, "stop train after N epochs without a better validation; 0 is never", \.patience),
    Setting(name: "teacher", allowed: "a checkpoint with the model's tasks, classes and input size, or off",
            summary: "distil from this trained model's softened outputs (after model or open)",
            get: { $0.trainer?.teacher?.path ?? "off" },
            set: { session, text in
                guard text != "off" else { session.trainer?.teacher = nil; return true }
                do {
                    let teacher = try loadTeacher(text, session)
                    session.trainer?.teacher = teacher
                    return true
                } catch {
                    session.out.print("set teacher: \(error)")
                    return false
                }
            }),
    floatSetting("distilltemp", SettingRanges.distillTemperature, "distillation temperature T (soft term weighted by T²)", \.distillTemperature),
    floatSetting("distill", SettingRanges.distillWeight, "weight w of the teacher's soft targets; 1 − w for the labels", \.distillWeight),
    floatSetting("ema", SettingRanges.emaDecay, "decay of the weight average that validation, eval, predict and save use; 0 is off (timm: 0.9998)", \.emaDecay),
    Setting(name: "seed", allowed: "whole number 0 to 2^63", summary: "seed of initialisation, sampling and augmentation",
            get: { "\($0.settings.training.seed)" },
            set: { session, text in
                guard let v = UInt64(text), v < SettingRanges.seedLimit else { return false }
                session.settings.training.seed = v
                return true
            }),
    Setting(name: "threads", allowed: "whole number 1 to 256", summary: "threads for sgemm and the engine's loops",
            defaultValue: "the processor count, or OPENBLAS_NUM_THREADS",
            get: { "\($0.engine.host.threads)" },
            set: { session, text in
                guard let v = whole(text, 1...256) else { return false }
                if v != session.engine.host.threads { session.engine.host = session.engine.host.with(threads: v) }
                return true
            }),
    Setting(name: "device", allowed: "cpu or cuda",
            summary: "where the model computes: the CPU, or an NVIDIA GPU (CUDA driver and NVRTC 13; without them it stays on the CPU, saying why)",
            values: ["cpu", "cuda"],
            get: { $0.settings.device.description },
            set: { session, text in
                switch text {
                case "cpu": session.settings.device = .cpu
                case "cuda": session.settings.device = cudaOrReason(session.out)
                default: return false
                }
                return true
            }),
    Setting(name: "bn", allowed: "mixed, per-task or shared",
            summary: "backbone batch-norm statistics: mixed (one set, batches mixing every task: one pass answers every task), "
                + "per-task (a set per task: a pass per task), shared (one set, single-task batches, as the original)",
            values: ["mixed", "per-task", "shared"],
            get: { $0.settings.batchNormMode },
            set: { session, text in
                guard ["mixed", "per-task", "shared"].contains(text) else { return false }
                session.settings.sharedStatistics = text != "per-task"
                session.settings.training.mixTasks = text == "mixed"
                return true
            }),
    switchSetting("zerogamma", "resnet18: last BN of each block starts at 0 (applies at the next model)", \.zeroGamma),
    switchSetting("resnetd", "resnet18: average-pool shortcut, ResNet-D (applies at the next model)", \.resnetD),
    Setting(name: "threshold", allowed: "0.01 to 1", summary: "calibrated confidence at which predict lists a class",
            get: { "\($0.settings.predictThreshold)" },
            set: { session, text in
                guard let v = number(text, 0.01...1) else { return false }
                session.settings.predictThreshold = Float(v)
                return true
            }),
    Setting(name: "logs", allowed: "a folder", summary: "where eval writes its logs", get: { $0.settings.logsFolder },
            set: { session, text in
                guard !text.isEmpty else { return false }
                session.settings.logsFolder = text
                return true
            }),
    Setting(name: "plots", allowed: "a folder", summary: "where plot writes pictures", get: { $0.settings.plotsFolder },
            set: { session, text in
                guard !text.isEmpty else { return false }
                session.settings.plotsFolder = text
                return true
            }),
    choiceSetting("inline", "pictures drawn in the terminal too: auto asks it (kitty, iTerm2, sixel; else 24-bit half-blocks where COLORTERM "
                  + "says truecolor); never when output is not a terminal, while a script replays or while recording", \.settings.inline),
    sessionIntSetting("calibmin", 1...1_000_000, "validation samples at or above a threshold a calibration level needs (next calibrate)",
                      \.calibration.minimumSupport),
    choiceSetting("calibrate", "levels from the precision estimate or its Wilson 95 % lower bound (next calibrate)", \.settings.calibration.mode),
    choiceSetting("calibfit", "precision estimate: isotonic regression, or PR interpolation (next calibrate)", \.settings.calibration.fit),
    Setting(name: "valsplit", allowed: "0.0 to 0.9", summary: "share of each class held out as val by load when a task has no val/ folder (next load)",
            get: { "\($0.settings.valSplit)" },
            set: { session, text in
                guard let v = number(text, 0...0.9) else { return false }
                session.settings.valSplit = v
                return true
            }),
    sessionIntSetting("hamming", SettingRanges.nearDuplicateDistance,
                      "check: difference hashes at most this many bits (of 64) apart are near duplicates", \.nearDuplicateDistance),
    sessionIntSetting("folds", SettingRanges.labelFolds,
                      "check labels: K quick models judge the training images, each trained without its fold", \.labelFolds),
    sessionIntSetting("foldepochs", SettingRanges.foldEpochs, "check labels: epochs each quick model trains", \.foldEpochs),
    sessionIntSetting("pixellimit", 1...1_000_000_000, "largest image (pixels) load and predict accept", \.pixelLimit),
    Setting(name: "cache", allowed: "auto, memory, disk or none",
            summary: "where load keeps decoded images; auto: memory while they fit a quarter of RAM, disk beyond (next load)",
            values: ["auto"] + CacheMode.allCases.map(\.rawValue),
            get: { $0.settings.cache.mode?.rawValue ?? "auto" },
            set: { session, text in
                guard text == "auto" || CacheMode(rawValue: text) != nil else { return false }
                session.settings.cache.mode = CacheMode(rawValue: text)
                return true
            }),
    Setting(name: "cachedir", allowed: "a folder", summary: "where disk caches are written (default $XDG_CACHE_HOME/mtmc)",
            get: { $0.settings.cache.folder },
            set: { session, text in
                guard !text.isEmpty else { return false }
                session.settings.cache.folder = session.resolve(text)
                return true
            }),
    Setting(name: "cacheformat", allowed: "jpeg or raw", summary: "disk cache images re-encoded as JPEG (about the source size), or as exact pixels (7–14× larger)",
            values: CacheFormat.allCases.map(\.rawValue),
            get: { $0.settings.cache.format.rawValue },
            set: { session, text in
                guard let format = CacheFormat(rawValue: text) else { return false }
                session.settings.cache.format = format
                return true
            }),
]

let setCommand = Command("set", usage: "set [KEY [VALUE]]",
                         summary: "list settings, explain one (its range and default), or change one (lr, batch, size, schedule, tricks, threads, seed, logs …)",
                         example: "set lr 0.05", completions: allSettings.map(\.name)) { session, args in
    guard !args.isEmpty else {
        session.out.print(settingsListing(session, width: session.out.columns()))
        return
    }
    guard args.count <= 2 else { throw setCommand.usageError() }
    let setting = try namedSetting(args[0], command: "set")
    guard args.count == 2 else {
        session.out.print(settingExplanation(setting, session, width: session.out.columns()))
        return
    }
    guard setting.set(session, args[1]) else {
        throw CommandError("set \(setting.name): '\(args[1])' is not allowed; allowed: \(setting.allowed); it stays \(setting.get(session))")
    }
    session.out.print("\(setting.name) = \(setting.get(session))")
    if setting.name == "size" || setting.name == "batch", let note = inputSizeNote(session) { session.out.print(note) }
}

/// What the input size costs, when it is large or no longer matches the loaded dataset's cache: the
/// memory of a reload and of one batch, so that a size is never silently paid for in gigabytes.
func inputSizeNote(_ session: Session) -> String? {
    let input = (width: session.settings.training.inputWidth, height: session.settings.training.inputHeight)
    let cost = InputSizeCost(input: input, batchSize: session.settings.training.batchSize)
    let stale = session.dataset.map { $0.cache.width != cost.cacheWidth || $0.cache.height != cost.cacheHeight } ?? false
    guard stale || cost.batchInputBytes >= 100_000_000 else { return nil }
    var note = "note: at \(input.width)x\(input.height) one batch of \(session.settings.training.batchSize) takes \(byteCount(cost.batchInputBytes)) of input"
        + " before the network's activations (set batch lowers it)"
    if let dataset = session.dataset, stale {
        let images = dataset.tasks.reduce(0) { $0 + $1.train.count + $1.val.count }
        note += "; the loaded dataset is cached at \(dataset.cache.width)×\(dataset.cache.height): load it again for this size"
            + " (its \(images) images would take \(byteCount(cost.cacheBytes(images: images)))), or training upscales from the cache"
    }
    return note
}
