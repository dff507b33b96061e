import Foundation
import XCTest

/// A process's exit status, standard output and standard error, kept apart (standard error through a file, so
/// that neither pipe can fill while the other is read).
private func runProgram(_ executable: String, _ arguments: [String], in folder: String) throws -> (status: Int32, out: String, err: String) {
    let process = Process(), output = Pipe()
    let errorPath = FileManager.default.temporaryDirectory.appendingPathComponent("mtmc-onnx-stderr-\(getpid())-\(UUID().uuidString)").path
    FileManager.default.createFile(atPath: errorPath, contents: nil)
    defer { try? FileManager.default.removeItem(atPath: errorPath) }
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: folder)
    process.standardOutput = output
    process.standardError = FileHandle(forWritingAtPath: errorPath)
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let outData = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let errors = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self), errors)
}

/// The virtual environment with onnx, onnxruntime, numpy and Pillow from PyPI, beside the build's products
/// (made by tools/onnx-venv.sh on first use, then reused).
private let onnxPython: Result<String, Error> = Result {
    let venv = URL(fileURLWithPath: MTMC.buildFolder).deletingLastPathComponent().appendingPathComponent("onnx-venv").path
    let made = try runProgram("/bin/bash", [MTMC.repository + "/tools/onnx-venv.sh", venv], in: MTMC.repository)
    guard made.status == 0 else { throw NSError(domain: "onnx-venv", code: Int(made.status), userInfo: [NSLocalizedDescriptionKey: made.err]) }
    return made.out.trimmingCharacters(in: .whitespacesAndNewlines)
}

/// Checkpoints of every architecture, trained one small epoch at 32×32 on part of the sample tree (so each task's
/// batch-norm statistics differ), saved with per-task statistics (`ARCH.safetensors`) and shared ones
/// (`ARCH-shared.safetensors`); the tiny one calibrated, and exported at the prompt right after it was saved
/// (`prompt-tiny.onnx`).
private let trained: Result<String, Error> = Result {
    let folder = MTMC.temporaryFolder()
    try copySampleTree(to: folder + "/prints", train: 3, val: 3)
    var script = "set size 32\nset validate 0\nload prints\nbalance base 3\n"
    for architecture in ["tiny", "resnet18", "darknet"] {
        script += "set bn per-task\nmodel \(architecture)\ntrain 1\n"
        if architecture == "tiny" { script += "eval\ncalibrate\nsave tiny.safetensors\nexport onnx prompt-tiny.onnx\n" }
        else { script += "save \(architecture).safetensors\n" }
        script += "set bn shared\nsave \(architecture)-shared.safetensors\n"
    }
    try script.write(toFile: folder + "/train.mtmc", atomically: true, encoding: .utf8)
    let (status, output) = try MTMC.run(["train.mtmc"], in: folder)
    guard status == 0 else { throw NSError(domain: "train", code: Int(status), userInfo: [NSLocalizedDescriptionKey: output]) }
    return folder
}

/// The first `train` and `val` images of every class of samples/prints (the same tasks and classes, fewer images).
private func copySampleTree(to root: String, train: Int, val: Int) throws {
    let files = FileManager.default, source = MTMC.repository + "/samples/prints"
    for task in try files.contentsOfDirectory(atPath: source) {
        for (split, count) in [("train", train), ("val", val)] {
            for label in try files.contentsOfDirectory(atPath: "\(source)/\(task)/\(split)") {
                let from = "\(source)/\(task)/\(split)/\(label)", to = "\(root)/\(task)/\(split)/\(label)"
                try files.createDirectory(atPath: to, withIntermediateDirectories: true)
                for name in try files.contentsOfDirectory(atPath: from).sorted().prefix(count) {
                    try files.copyItem(atPath: from + "/" + name, toPath: to + "/" + name)
                }
            }
        }
    }
}

/// Images of every kind the decoders take (JPEG at a reduced DCT scale, CMYK, progressive, grey; PNG with alpha,
/// palette, 16 bits) and two they refuse, in one folder, plus the samples.
private func imageFolder(in folder: String) throws -> [String] {
    let images = folder + "/images"
    try? FileManager.default.createDirectory(atPath: images, withIntermediateDirectories: true)
    let fixtures = MTMC.repository + "/Tests/VisionTests/Fixtures/"
    for name in ["cmyk.jpg", "progressive.jpg", "grayscale.jpg", "large.jpg", "rgba.png", "gray16.png", "rgb16.png",
                 "palette_transparent.png", "gray_alpha.png", "truncated.jpg", "bad_crc.png"] {
        try? FileManager.default.removeItem(atPath: images + "/" + name)
        try FileManager.default.copyItem(atPath: fixtures + name, toPath: images + "/" + name)
    }
    return [MTMC.repository + "/samples/predict", images]
}

/// Per image, per task, class → (raw, softmax, confidence) from JSON lines as `mtmc predict --json` prints them.
private typealias Scores = [String: [String: [String: (raw: Double, softmax: Double, confidence: Double?)]]]

private func parse(_ lines: String) throws -> (scores: Scores, order: [String: [String: [String]]], above: [String: [String: [String]]]) {
    var scores: Scores = [:], order: [String: [String: [String]]] = [:], above: [String: [String: [String]]] = [:]
    for line in lines.split(separator: "\n") where line.hasPrefix("{") {
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
        let image = object["image"] as! String
        for (task, classes) in object["tasks"] as! [String: [[String: Any]]] {
            order[image, default: [:]][task] = classes.map { $0["class"] as! String }
            for entry in classes {
                scores[image, default: [:]][task, default: [:]][entry["class"] as! String] =
                    (entry["raw"] as! Double, entry["softmax"] as! Double, entry["confidence"] as? Double)
            }
        }
        above[image] = object["above"] as? [String: [String]]
    }
    return (scores, order, above)
}

final class ONNXExportTests: XCTestCase {
    private func python() throws -> String { try onnxPython.get() }

    /// Every architecture with either statistics mode: the exported graph passes onnx's full check, and the reference
    /// program, preparing each image itself and running ONNX Runtime, prints what `mtmc predict --json` prints.
    func testEveryArchitectureAndStatisticsModeMatchesPredict() throws {
        let folder = try trained.get(), python = try python()
        let images = try imageFolder(in: folder)
        var figures: [String] = []
        for name in ["tiny", "tiny-shared", "resnet18", "resnet18-shared", "darknet", "darknet-shared"] {
            let exported = try MTMC.run(["export", "onnx", "--model", name + ".safetensors", name + ".onnx"], in: folder)
            XCTAssertEqual(exported.status, 0, exported.output)
            XCTAssertTrue(exported.output.hasPrefix("wrote \(name).onnx ("), exported.output)
            try assertCheckerPasses(python, folder + "/" + name + ".onnx", backbones: name.hasSuffix("shared") ? 1 : 2)
            let mtmc = try runProgram(MTMC.binary, ["predict", "--json", "--model", name + ".safetensors"] + images, in: folder)
            let onnx = try runProgram(python, [MTMC.repository + "/tools/onnx-predict.py", name + ".onnx"] + images, in: folder)
            XCTAssertEqual(onnx.status, 0, onnx.err)
            figures.append("\(name): " + (try assertSamePredictions(mtmc, onnx)))
        }
        print("parity (ONNX Runtime against mtmc predict, raw outputs):\n  " + figures.joined(separator: "\n  "))
    }

    /// onnx.checker with full_check (shape inference included); the graph's input, outputs and metadata.
    private func assertCheckerPasses(_ python: String, _ path: String, backbones: Int) throws {
        let check = try runProgram(python, ["-c", """
            import json, sys, onnx
            model = onnx.load(sys.argv[1])
            onnx.checker.check_model(model, full_check=True)
            graph = model.graph
            print(json.dumps({"ir": model.ir_version, "opset": model.opset_import[0].version,
                "input": [graph.input[0].name] + [d.dim_param or d.dim_value for d in graph.input[0].type.tensor_type.shape.dim],
                "outputs": [o.name for o in graph.output], "first_convs": sum(1 for n in graph.node if n.op_type == "Conv"
                    and n.input[0] == graph.node[1].output[0]),
                "metadata": sorted(p.key for p in model.metadata_props)}, ensure_ascii=False))
            """, path], in: MTMC.repository)
        XCTAssertEqual(check.status, 0, check.err)
        let report = try JSONSerialization.jsonObject(with: Data(check.out.utf8)) as! [String: Any]
        XCTAssertEqual(report["ir"] as? Int, 8)
        XCTAssertEqual(report["opset"] as? Int, 17)
        XCTAssertEqual(report["input"] as? [AnyHashable], ["image", "N", 3, 32, 32])
        XCTAssertEqual(report["outputs"] as? [String], ["印花", "印花_softmax", "颜色", "颜色_softmax"])
        // One folded backbone per task with per-task statistics, one for all with shared ones: each starts at the normalised image.
        XCTAssertEqual(report["first_convs"] as? Int, backbones)
        XCTAssertEqual(report["metadata"] as? [String], ["architecture", "bn_statistics", "calibration", "checkpoint_sha256", "input_size",
                                                          "mtmc_version", "normalization", "preprocessing", "tasks"])
    }

    /// Same images skipped, same classes in the same order, raw outputs within 1e-4 (relative above 1), softmax
    /// within 1e-5, the same calibrated confidences and classes above the threshold. Returns the largest differences.
    private func assertSamePredictions(_ mtmc: (status: Int32, out: String, err: String),
                                       _ onnx: (status: Int32, out: String, err: String)) throws -> String {
        let expected = try parse(mtmc.out), actual = try parse(onnx.out)
        func skipped(_ text: String) -> [String] {
            text.split(separator: "\n").filter { $0.hasPrefix("skipped ") }.map { String($0.split(separator: ":")[0]) }.sorted()
        }
        XCTAssertEqual(skipped(onnx.err), skipped(mtmc.err))
        XCTAssertEqual(skipped(mtmc.err).count, 2, mtmc.err)
        XCTAssertEqual(expected.scores.count, 12, mtmc.out)
        XCTAssertEqual(actual.order, expected.order)
        XCTAssertEqual(actual.above.count, expected.above.count)
        for (image, tables) in expected.above { XCTAssertEqual(actual.above[image], tables, image) }
        var maxAbs = 0.0, maxRel = 0.0
        for (image, tasks) in expected.scores {
            for (task, classes) in tasks {
                for (name, want) in classes {
                    guard let got = actual.scores[image]?[task]?[name] else { XCTFail("\(image) \(task) \(name) missing"); continue }
                    let diff = abs(got.raw - want.raw)
                    maxAbs = max(maxAbs, diff)
                    maxRel = max(maxRel, diff / max(abs(want.raw), 1e-12))
                    XCTAssertLessThanOrEqual(diff, 1e-4 * max(1, abs(want.raw)), "\(image) \(task) \(name)")
                    XCTAssertEqual(got.softmax, want.softmax, accuracy: 1e-5, "\(image) \(task) \(name)")
                    XCTAssertEqual(got.confidence, want.confidence, "\(image) \(task) \(name)")
                }
            }
        }
        return String(format: "max abs %.2e, max rel %.2e", maxAbs, maxRel)
    }

    /// At the prompt: the hash is the checkpoint `save` wrote just before, the tables are `export calib`'s, and the
    /// metadata says what another program needs (tasks, sizes, normalisation, the resize rule).
    func testPromptExportRecordsTheSavedCheckpointAndItsCalibration() throws {
        let folder = try trained.get(), python = try python()
        let read = try runProgram(python, ["-c", """
            import hashlib, json, sys, onnx
            props = {p.key: json.loads(p.value) for p in onnx.load(sys.argv[1]).metadata_props}
            props["file_sha256"] = hashlib.sha256(open(sys.argv[2], "rb").read()).hexdigest()
            print(json.dumps(props, ensure_ascii=False))
            """, "prompt-tiny.onnx", "tiny.safetensors"], in: folder)
        XCTAssertEqual(read.status, 0, read.err)
        let meta = try JSONSerialization.jsonObject(with: Data(read.out.utf8)) as! [String: Any]
        XCTAssertEqual(meta["checkpoint_sha256"] as? String, meta["file_sha256"] as? String)
        XCTAssertEqual((meta["mtmc_version"] as? String).map { $0 + "\n" }, try MTMC.run(["--version"]).output)
        XCTAssertEqual(meta["architecture"] as? String, "tiny")
        XCTAssertEqual(meta["bn_statistics"] as? String, "per-task")
        XCTAssertEqual(meta["input_size"] as? [String: Int], ["width": 32, "height": 32])
        let preprocessing = meta["preprocessing"] as! [String: Any]
        XCTAssertEqual(preprocessing["intermediate_size"] as? [String: Int], ["width": 37, "height": 37])
        let normalization = meta["normalization"] as! [String: Any]
        XCTAssertEqual(normalization["mean"] as? [Double], [0.485, 0.456, 0.406])
        XCTAssertEqual(normalization["std"] as? [Double], [0.229, 0.224, 0.225])
        let tasks = meta["tasks"] as! [[String: Any]]
        XCTAssertEqual(tasks.map { $0["name"] as! String }, ["印花", "颜色"])
        XCTAssertEqual(tasks[1]["classes"] as? [String], ["紫", "红", "绿", "蓝", "黄"])
        XCTAssertEqual(tasks[1]["softmax_output"] as? String, "颜色_softmax")
        let exported = try MTMC.run(["-c", "open tiny.safetensors; export calib calibration.json"], in: folder)
        XCTAssertEqual(exported.status, 0, exported.output)
        let calibration = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/calibration.json")))
        XCTAssertEqual(meta["calibration"] as? NSDictionary, calibration as? NSDictionary)
        XCTAssertEqual((meta["calibration"] as? [String: Any])?.count, 2)
    }

    /// A path that cannot be written, or no model, is refused with the reason, and leaves no file (not even a temporary one).
    func testBadPathsAndAMissingModelLeaveNoFile() throws {
        let trainedFolder = try trained.get()
        let folder = MTMC.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.copyItem(atPath: trainedFolder + "/tiny.safetensors", toPath: folder + "/tiny.safetensors")
        try Data("text".utf8).write(to: URL(fileURLWithPath: folder + "/notes.txt"))
        try FileManager.default.createDirectory(atPath: folder + "/taken.onnx", withIntermediateDirectories: false)
        let before = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        let long = String(repeating: "m", count: 300) + ".onnx"
        let refusals: [([String], String)] = [
            (["nowhere/m.onnx"], "error: export onnx: cannot write nowhere/m.onnx: folder \(folder)/nowhere does not exist or is not a folder; nothing was written"),
            (["notes.txt/m.onnx"], "error: export onnx: cannot write notes.txt/m.onnx: folder \(folder)/notes.txt does not exist or is not a folder; nothing was written"),
            (["taken.onnx"], "error: export onnx: taken.onnx is a folder; give a file name, e.g. taken.onnx/model.onnx"),
            (["new/"], "error: export onnx: new/ is a folder; give a file name, e.g. new/model.onnx"),
            ([long], "error: export onnx: cannot write \(folder)/\(long): File name too long"),
            (["m.onnx", "--opset", "9"], "error: export onnx: opset 9 is not supported; use one of 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21"),
        ]
        for (arguments, message) in refusals {
            let run = try MTMC.run(["export", "onnx", "--model", "tiny.safetensors"] + arguments, in: folder)
            XCTAssertEqual(run.status, 1, arguments.joined(separator: " "))
            XCTAssertEqual(run.output, message + "\n")
        }
        let prompt = try MTMC.run(["--keep-going", "-c", "export onnx m.onnx; open tiny.safetensors; export onnx nowhere/m.onnx"], in: folder)
        XCTAssertEqual(prompt.status, 1)
        XCTAssertTrue(prompt.output.contains("mtmc> export onnx m.onnx\nerror: export onnx: no model; use: model tiny|resnet18|darknet, or open CHECKPOINT\n"),
                      prompt.output)
        XCTAssertTrue(prompt.output.hasSuffix("error: export onnx: cannot write nowhere/m.onnx: folder \(folder)/nowhere does not exist or is not a folder; nothing was written\n"),
                      prompt.output)
        // A write that fails part way (here at a file-size limit, which holds for root too) leaves the previous file as it was.
        try Data("previous".utf8).write(to: URL(fileURLWithPath: folder + "/m.onnx"))
        let limited = try runProgram("/bin/bash", ["-c", "ulimit -f 64 && exec \"$0\" export onnx --model tiny.safetensors m.onnx", MTMC.binary],
                                     in: folder)
        XCTAssertEqual(limited.status, 1)
        XCTAssertEqual(limited.err, "error: export onnx: cannot write \(folder)/m.onnx: File too large; the previous file, if any, is unchanged\n")
        XCTAssertEqual(try String(contentsOfFile: folder + "/m.onnx", encoding: .utf8), "previous")
        try FileManager.default.removeItem(atPath: folder + "/m.onnx")
        let missing = try MTMC.run(["export", "onnx", "--model", "none.safetensors", "m.onnx"], in: folder)
        XCTAssertEqual(missing.status, 1)
        XCTAssertEqual(missing.output, "error: cannot read none.safetensors: No such file or directory\n")
        let noModel = try MTMC.run(["export", "onnx", "m.onnx"], in: folder)
        XCTAssertNotEqual(noModel.status, 0)
        XCTAssertTrue(noModel.output.contains("Missing expected argument '--model <model>'"), noModel.output)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder).sorted(), before)
    }

    /// Other opsets carry the IR version they need, pass the checker and run.
    func testOpsetChoiceSetsTheIRVersion() throws {
        let folder = try trained.get(), python = try python()
        for (opset, ir) in [(13, 7), (21, 10)] {
            let exported = try MTMC.run(["export", "onnx", "--model", "tiny.safetensors", "--opset", String(opset), "o\(opset).onnx"], in: folder)
            XCTAssertTrue(exported.output.contains("ONNX opset \(opset), IR \(ir),"), exported.output)
            let run = try runProgram(python, ["-c", """
                import sys, numpy, onnx, onnxruntime
                model = onnx.load(sys.argv[1])
                onnx.checker.check_model(model, full_check=True)
                session = onnxruntime.InferenceSession(sys.argv[1], providers=["CPUExecutionProvider"])
                outputs = session.run(None, {"image": numpy.zeros((2, 3, 32, 32), numpy.float32)})
                print(model.ir_version, model.opset_import[0].version, [o.shape for o in outputs])
                """, "o\(opset).onnx"], in: folder)
            XCTAssertEqual(run.out, "\(ir) \(opset) [(2, 8), (2, 8), (2, 5), (2, 5)]\n", run.err)
        }
    }
}
