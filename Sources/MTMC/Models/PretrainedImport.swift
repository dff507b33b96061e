import Engine

/// Loads a torchvision-named ResNet-18 state dict (what `safetensors.torch.save_file(resnet18().state_dict(), …)`
/// writes) into the model's backbone. `fc.*` and `num_batches_tracked` are ignored; every backbone tensor must be
/// present with its shape, or nothing changes and the error names each missing or mismatched tensor.
public func importTorchvisionResNet18(_ file: SafeTensorsFile, into model: MultiTaskModel) throws -> Int {
    guard case .resnet18(_, let resnetD) = model.architecture else {
        throw EngineError("import: torchvision ResNet-18 weights need model resnet18, this model is \(model.architecture)")
    }
    let expected = model.backbone.namedVariables(prefix: "")
    var problems: [String] = []
    for entry in expected {
        guard let t = file.tensors[entry.name] else { problems.append("missing \(entry.name)"); continue }
        if t.shape != entry.variable.value.shape {
            problems.append("\(entry.name): mtmc expects \(describe(entry.variable.value.shape)), file has \(describe(t.shape))")
        }
    }
    guard problems.isEmpty else {
        let hint = resnetD ? " (ResNet-D renames the shortcut convolutions; torchvision weights fit resnet18 without it)" : ""
        throw EngineError("import: \(problems.count) tensors do not fit: " + problems.prefix(8).joined(separator: "; ")
                          + (problems.count > 8 ? "; …" : "") + hint)
    }
    for entry in expected { entry.variable.value = file.tensors[entry.name]! }
    model.copyStatisticsToAllTasks()
    return expected.count
}
