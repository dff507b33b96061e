import Engine
import Foundation
import Vision
import MTMC

let modelCommand = Command("model", usage: "model tiny | resnet18 | darknet",
                           summary: "build a model: shared backbone, one head per task of the loaded dataset",
                           example: "model resnet18", completions: ["tiny", "resnet18", "darknet"]) { session, args in
    guard args.count == 1 else { throw modelCommand.usageError() }
    let architecture: Architecture
    switch args[0] {
    case "tiny": architecture = .tiny
    case "resnet18": architecture = .resnet18(zeroGamma: session.settings.zeroGamma, resnetD: session.settings.resnetD)
    case "darknet": architecture = .darknet
    default: throw CommandError("model: unknown architecture '\(args[0])'; choose tiny, resnet18 or darknet")
    }
    let dataset = try session.requireDataset("model")
    if case .resnet18 = architecture, min(session.settings.training.inputWidth, session.settings.training.inputHeight) < 32 {
        throw CommandError("model: resnet18 needs an input of at least 32×32; the size is \(session.settings.training.inputWidth)x\(session.settings.training.inputHeight) (set size 64)")
    }
    let model = MultiTaskModel(architecture: architecture, classesPerTask: dataset.tasks.map(\.classes.count), seed: session.settings.training.seed)
    // The session hands the new trainer its settings, statistics mode and balance.
    session.trainer = Trainer(model: model, settings: session.settings.training)
    session.modelTasks = Session.tasks(of: dataset)
    session.forgetResults("a new model")
    let parameters = model.namedParameters().reduce(0) { $0 + $1.variable.value.count }
    session.out.print("model \(architecture): \(parameters) parameters, \(model.backbone.featureCount) features, heads "
                      + dataset.tasks.map { "\($0.name) (\($0.classes.count) classes)" }.joined(separator: ", "))
}

let importCommand = Command("import", usage: "import PATH",
                            summary: "load torchvision-named ResNet-18 weights (safetensors) into the backbone",
                            example: "import resnet18.safetensors") { session, args in
    guard args.count == 1 else { throw importCommand.usageError(args) }
    let trainer = try session.requireModel("import")
    // Read as checkpoints are: a FIFO or device is refused from its type instead of blocking.
    let path = session.resolve(args[0])
    let file: SafeTensorsFile
    do { file = try SafeTensorsFile.decode(try readRegularFile(path), source: path) } catch let error as FileReadError {
        throw CommandError("import: \(error)")
    }
    let count = try importTorchvisionResNet18(file, into: trainer.model)
    session.forgetResults("the backbone's weights changed")
    session.out.print("imported \(count) backbone tensors from \(args[0]) (fc.* ignored); heads keep their initialisation")
}

let freezeCommand = Command("freeze", usage: "freeze", summary: "train the heads only (backbone weights and statistics fixed)",
                            example: "freeze") { session, args in
    guard args.isEmpty else { throw freezeCommand.usageError() }
    try session.requireModel("freeze").model.setBackboneFrozen(true)
    session.out.print("backbone frozen: train updates the heads only")
}

let unfreezeCommand = Command("unfreeze", usage: "unfreeze", summary: "train everything", example: "unfreeze") { session, args in
    guard args.isEmpty else { throw unfreezeCommand.usageError() }
    try session.requireModel("unfreeze").model.setBackboneFrozen(false)
    session.out.print("backbone unfrozen: train updates every parameter")
}
