import Engine
import Foundation
import MTMC
import Vision

/// Where a session's text goes. The shell points it at the terminal; tests collect it.
public struct OutputSink {
    /// Prints one or more complete lines.
    public var print: (String) -> Void
    /// Shows a transient progress line (redrawn on a terminal, ignored elsewhere); nil clears it.
    public var progress: (String?) -> Void
    /// Hears of each picture a command writes, by its path (the command prints the path too): the shell draws it in
    /// the terminal where it can (`set inline`); a notebook keeps a copy.
    public var picture: (String) -> Void
    /// Columns the output should fit: the terminal's width, or 100 where there is no terminal.
    public var columns: () -> Int

    public init(print: @escaping (String) -> Void, progress: @escaping (String?) -> Void = { _ in },
                picture: @escaping (String) -> Void = { _ in }, columns: @escaping () -> Int = { 100 }) {
        self.print = print
        self.progress = progress
        self.picture = picture
        self.columns = columns
    }
}

/// The state a user builds up between commands: dataset, model and optimizer (in the trainer),
/// settings, the last evaluation, and what was typed.
public final class Session {
    public var out: OutputSink
    /// Polled by long commands (load, train, eval) between images or steps; the shell sets it on Ctrl-C.
    public var isCancelled: () -> Bool = { false }

    public var dataset: Dataset?
    /// The model and optimizer. Whenever it is set it is bound to the session's settings and balance, which it
    /// reads from then on; a trainer it replaces keeps the values of that moment as its own.
    public var trainer: Trainer? {
        didSet {
            if let oldValue, oldValue !== trainer { oldValue.source = .own(settings.training, balance: balance) }
            trainer?.model.use(engine)
            bindTrainer()
        }
    }
    /// Tasks and classes of the model: the dataset's, or an opened checkpoint's when no dataset is loaded.
    public var modelTasks: [TaskClasses] = []
    /// Every setting, in one value: the trainer reads `training` from here; the model is given the statistics
    /// mode and device whenever they change.
    public var settings = SessionSettings() { didSet { applyToModel() } }
    /// Per-class quotas per epoch; the trainer reads it from here (and adaptive balance changes it during `train`).
    public var balance = Balance()
    public var evaluations: [TaskEvaluation] = []
    /// Per-task calibration from the last `calibrate` (or an opened checkpoint); empty when uncalibrated.
    public var calibration: [TaskCalibration] = []
    /// The threshold of `settings`, a shorthand for the commands that read it.
    public var predictThreshold: Float {
        get { settings.predictThreshold }
        set { settings.predictThreshold = newValue }
    }
    /// The last `check labels`: per task and split, the judged images and the suspects (for `plot suspects`).
    public var labelChecks: [LabelCheck] = []
    /// Backbone features of each task's images from the last `similar`, reused while the model and dataset stay.
    public var featureIndexes: [FeatureIndex] = []
    /// Relabels and drops since the last `load`, oldest first: `undo` reverses the newest.
    public var curationMoves: [ImageMove] = []
    /// Where `review` reads its answers: keys on a terminal, lines from a script; the shell sets it.
    public var input = KeyInput()
    /// The images the last `suggest` chose to label next, per task, most uncertain first; `label` files them (and
    /// drops them from here) and Tab completes them after `label`.
    public var suggestions: [LabelSuggestion] = []
    /// The Markdown notebook being recorded, if any.
    public var notebook: Notebook?
    /// What the terminal draws (kitty, iTerm2, sixel, half-blocks, or nothing), asked at the first picture
    /// shown inline and kept, so the terminal is asked once a session; nil until then.
    public var terminalGraphics: TerminalGraphics?
    /// Commands typed in this session, for `history`.
    public var typed: [String] = []
    /// What `history save` writes: the commands that succeeded, as a script replays them (an interrupted
    /// `train N` as the epochs it ran); a failed `run` leaves the lines of its script that succeeded.
    public var replayable: [String] = []
    /// Lines a command that just succeeded replays as, when not as it was typed; nil: as typed.
    var replaysAs: [String]?
    /// Scripts being replayed (`run`, or the script the shell was started with), outermost first.
    public internal(set) var scripts = ScriptChain()
    /// Folder relative paths are resolved against (the working directory).
    public var workingDirectory: String
    /// How the engine runs the session's models (the environment read when the session starts, and the
    /// `threads` setting); every model the session holds is handed it, and every command runs in it.
    public var engine = EngineContext.fromEnvironment() {
        didSet { trainer?.model.use(engine) }
    }

    public init(out: OutputSink, workingDirectory: String = FileManager.default.currentDirectoryPath) {
        self.out = out
        self.workingDirectory = workingDirectory
    }

    /// Points the trainer at the session's settings and balance, so that it reads and writes these and no copy.
    private func bindTrainer() {
        guard let trainer else { return }
        trainer.source = SettingsSource(settings: { [unowned self] in settings.training },
                                        setSettings: { [unowned self] in settings.training = $0 },
                                        balance: { [unowned self] in balance }, setBalance: { [unowned self] in balance = $0 })
        applyToModel()
    }

    /// The settings that act on the model itself: its batch-norm statistics mode and where it computes.
    private func applyToModel() {
        guard let trainer else { return }
        if trainer.model.sharedStatistics != settings.sharedStatistics { trainer.model.sharedStatistics = settings.sharedStatistics }
        if trainer.model.device != settings.device { trainer.move(to: settings.device) }
    }

    /// An absolute path for what the user typed (`~` expanded, relative to the working directory).
    public func resolve(_ path: String) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        return expanded.hasPrefix("/") ? expanded : (workingDirectory as NSString).appendingPathComponent(expanded)
    }

    /// Marks the script the shell replays as running, so that a `run` of it inside is refused.
    public func enterScript(_ path: String) throws { try scripts.enter(resolve(path), shown: path) }

    /// Drops what described the model or data before a change (`why`): evaluations always, calibration too
    /// unless `keepCalibration`. Tables of another model or other classes would be applied to outputs they
    /// do not describe (or indexed past their end), so they go, and the user is told.
    func forgetResults(_ why: String, keepCalibration: Bool = false) {
        evaluations = []
        labelChecks = []
        featureIndexes = []
        guard !keepCalibration, !calibration.isEmpty else { return }
        calibration = []
        out.print("note: calibration cleared (\(why)); eval, then calibrate, to calibrate again")
    }

    /// The loaded dataset, or an error saying to load one.
    func requireDataset(_ command: String) throws -> Dataset {
        guard let dataset else { throw CommandError("\(command): no dataset loaded; use: load PATH") }
        return dataset
    }

    /// The trainer (model), or an error saying to build or open one.
    func requireModel(_ command: String) throws -> Trainer {
        guard let trainer else { throw CommandError("\(command): no model; use: model tiny|resnet18|darknet, or open CHECKPOINT") }
        return trainer
    }

    /// The trainer, when its tasks and classes are `dataset`'s; otherwise an error naming the differences.
    func requireModel(_ command: String, matching dataset: Dataset) throws -> Trainer {
        let trainer = try requireModel(command)
        guard modelTasks == Session.tasks(of: dataset) else {
            throw CommandError("\(command): the model's tasks and classes differ from the dataset's ("
                               + Checkpoint.differences(modelTasks, Session.tasks(of: dataset)).joined(separator: "; ") + ")")
        }
        return trainer
    }

    /// The calibration as the JSON a checkpoint stores; nil when uncalibrated. Keys sorted, so that saving the same
    /// state twice writes the same bytes (the checkpoint hash an ONNX export records).
    var calibrationJSON: String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard !calibration.isEmpty, let data = try? encoder.encode(calibration) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// Task names and classes of a dataset.
    static func tasks(of dataset: Dataset) -> [TaskClasses] {
        dataset.tasks.map { TaskClasses(name: $0.name, classes: $0.classes) }
    }
}
