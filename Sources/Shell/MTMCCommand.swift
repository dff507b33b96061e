import ArgumentParser
import Commands
import Engine
import Foundation
import Engine
import MTMC

/// `mtmc`: the interactive shell, a script runner, and ad hoc prediction.
struct MTMCCommand: ParsableCommand {
    static let version = mtmcVersion
    static let configuration = CommandConfiguration(
        commandName: "mtmc",
        abstract: "A shell for multi-task multi-class image classification: load, balance, train, eval, calibrate, predict.",
        discussion: "With no arguments on a terminal: an interactive prompt (help lists commands). A FILE.mtmc is replayed as a notebook-like transcript; piped standard input is read as a script.",
        version: version,
        subcommands: [Shell.self, Predict.self, ServeCommand.self, ExportCommand.self],
        defaultSubcommand: Shell.self)
}

struct Shell: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "shell", abstract: "Run the shell (the default).")

    @Argument(help: "A session script to replay (one command per line, # comments).")
    var script: String?

    @Option(name: .customShort("c"), help: "Commands to run, separated by ';'.")
    var commands: String?

    @Flag(help: "With a script or -c: run on after a failing command (the exit status is still 1).")
    var keepGoing = false

    func run() throws {
        Interrupt.install()
        do { try runSession() } catch {
            if World.current.size > 1 { JobEnd.failed() }
            throw error
        }
        JobEnd.succeeded()
    }

    private func runSession() throws {
        let runner = Runner()
        if let commands {
            let lines: [String]
            do { lines = try splitCommands(commands) } catch {
                runner.session.out.print("error: -c: \(error)")
                throw ExitCode(1)
            }
            guard runner.run(lines: lines, source: "-c", echo: true, keepGoing: keepGoing) else { throw ExitCode(1) }
        } else if let script {
            let lines: [String]
            do {
                lines = try readScript(script)
                try runner.session.enterScript(script)
            } catch {
                runner.session.out.print("error: \(error)")
                throw ExitCode(1)
            }
            guard runner.run(lines: lines, source: script, echo: true, keepGoing: keepGoing) else { throw ExitCode(1) }
        } else if isatty(STDIN_FILENO) == 1 {
            runner.interactive()
        } else {
            // Each line runs as soon as it arrives, not after the input ends: a program on the other end of
            // the pipe can wait for a command's output before sending the next (mtmc-bench train-row does).
            let lines = AnySequence { AnyIterator { Swift.readLine() } }
            guard runner.run(lines: lines, source: "<stdin>", echo: false, keepGoing: keepGoing) else { throw ExitCode(1) }
        }
    }
}

struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Predict images with a checkpoint, without entering the shell or loading a dataset.")

    @Option(help: "The checkpoint (.safetensors) written by save.")
    var model: String

    @Flag(help: "One JSON object per image: task → classes with raw output, softmax, calibrated confidence.")
    var json = false

    @Option(help: "Calibrated confidence at which a class is listed (text output; \"above\" in JSON).")
    var threshold = Defaults.threshold

    @Option(help: "cpu, or cuda for an NVIDIA GPU (without a driver or NVRTC it says why on stderr and uses the CPU).")
    var device: String = "cpu"

    @Argument(help: "Images or folders of images.")
    var images: [String]

    func validate() throws {
        guard ["cpu", "cuda"].contains(device) else { throw ValidationError("--device must be cpu or cuda, not \(device)") }
    }

    func run() throws {
        do {
            let checkpoint = try Checkpoint.open(model)
            let trainer = try checkpoint.makeTrainer()
            trainer.model.use(.fromEnvironment())
            if device == "cuda" {
                switch CUDADevice.shared {
                case .success(let gpu): trainer.model.move(to: .cuda(gpu))
                case .failure(let why): printError("device: CUDA unavailable, staying on cpu: \(why)")
                }
            }
            let calibration = checkpoint.calibrationTables
            var predicted = 0, calibrated = false
            try predictImages(images, shown: images, model: trainer.model, tasks: checkpoint.tasks, settings: checkpoint.settings,
                              normalization: checkpoint.normalization, calibration: calibration, pixelLimit: Defaults.pixelLimit) { report in
                predicted += report.results.count
                calibrated = report.calibrated
                if json {
                    report.jsonLines(threshold: threshold).forEach { Swift.print($0) }
                    for failure in report.failures { printError("skipped \(failure)") }
                } else {
                    let text = report.text(threshold: threshold, note: false)
                    if !text.isEmpty { Swift.print(text) }
                }
            }
            if !json && !calibrated && predicted > 0 { Swift.print(PredictionReport.uncalibratedNote) }
            if predicted == 0 { throw ExitCode(1) }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }
    }
}
