import Engine

/// What a step on a batch mixing tasks did for one of its tasks.
struct TaskStepResult {
    let task: Int
    let loss: Double
    let predictions: [Int]
}

extension Trainer {
    /// Forward, loss, backward and update on a batch whose rows belong to several tasks: one backbone pass, each
    /// task's rows through its own head, the loss the batch's mean (each task's mean loss weighted by its share of
    /// the rows), so a step weighs every image alike, as a single-task step does. Mixup and CutMix mix images of
    /// one task only; the teacher answers each task's rows. `globalParts`: in a data-parallel job, the global batch's
    /// parts, of which `batch` holds this rank's slice of each.
    func trainMixedStep(_ batch: Batch, classes: [Int], rate: Float, mixer: BatchMixer?, rng: inout RandomGenerator,
                        across: (parallel: DataParallel, globalParts: [TaskRows])? = nil) throws -> StepOutcome {
        var inputs = batch.images, targets: [Tensor] = []
        var partImages = mixer != nil || teacher != nil ? try batch.parts.map { try imageRows(batch.images, $0.rows) } : []
        for (p, part) in batch.parts.enumerated() {
            let labels = Array(batch.labels[part.rows]), k = classes[part.task]
            guard let mixer else { targets.append(oneHot(labels, classes: k)); continue }
            let (mixed, target) = try mixer.apply(images: partImages[p], labels: labels, classes: k, rng: &rng)
            partImages[p] = mixed
            targets.append(target)
        }
        if mixer != nil { inputs = try Tensor(concatenating: partImages) }
        let logits = try model(Variable(inputs), parts: batch.parts)
        let globalTotal = Float(across.map { $0.globalParts.reduce(0) { $0 + $1.rows.count } } ?? batch.labels.count)
        var loss: Variable?, results: [TaskStepResult] = [], lossValue: Float = 0
        for (p, part) in batch.parts.enumerated() {
            var partLoss = try crossEntropy(logits[p], targetDistribution: targets[p], labelSmoothing: settings.labelSmoothing)
            if let teacher {
                let distillation = Distillation(teacher: teacher.model, temperature: settings.distillTemperature, weight: settings.distillWeight)
                partLoss = try distillation.loss(student: logits[p], hard: partLoss,
                                                 teacherLogits: distillation.teacherLogits(partImages[p], task: part.task))
            }
            let n = Float(part.rows.count), value = partLoss.value.scalar
            let weighted = scale(partLoss, by: n / globalTotal)
            loss = try loss.map { try add($0, weighted) } ?? weighted
            var predictions = argmaxRows(logits[p].value), taskLoss = value
            if let across {
                let globalCount = across.globalParts[p].rows.count
                taskLoss = across.parallel.globalLoss(share: value * n / Float(globalCount))
                predictions = across.parallel.globalPredictions(predictions, count: globalCount)
            }
            lossValue += taskLoss * Float(across?.globalParts[p].rows.count ?? part.rows.count) / globalTotal
            results.append(TaskStepResult(task: part.task, loss: Double(taskLoss), predictions: predictions))
        }
        guard lossValue.isFinite, let loss else { return .nonFinite("loss became \(lossValue)") }
        return try update(loss, rate: rate, across: across?.parallel) ?? .trainedMixed(results)
    }

    /// Backward and update, with the checks every step makes: nil when the update was made, else what went non-finite.
    func update(_ loss: Variable, rate: Float, across parallel: DataParallel?) throws -> StepOutcome? {
        optimizer.zeroGrad()
        try loss.backward()
        parallel?.sumGradients(optimizer.parameters)
        do {
            try optimizer.step(settings.sgdHyperparameters(rate: rate))  // changes nothing when a gradient is not finite
        } catch {
            return .nonFinite("\(error)")
        }
        if let bad = Tensor.firstNonFinite(in: optimizer.parameters.map(\.variable.value)) {
            return .nonFinite("the update made \(optimizer.parameters[bad].name) non-finite")
        }
        return nil
    }
}

/// Images `rows` of a batch [N, C, H, W] as their own batch.
func imageRows(_ images: Tensor, _ rows: Range<Int>) throws -> Tensor { try images.selecting(Array(rows)) }
