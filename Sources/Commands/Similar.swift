import Foundation
import MTMC
import Vision

let similarCommand = Command("similar", usage: "similar IMG [N] [TASK]",
                             summary: "the N (default 8) dataset images nearest to IMG in the backbone's feature space (cosine), per task, with a contact sheet",
                             example: "similar samples/predict/blue.jpg 8 印花") { session, args in
    guard (1...3).contains(args.count) else { throw similarCommand.usageError() }
    let dataset = try session.requireDataset("similar")
    let trainer = try session.requireModel("similar", matching: dataset)
    var words = Array(args.dropFirst())
    var count = 8
    if let first = words.first, let n = Int(first) {
        guard (1...100).contains(n) else { throw CommandError("similar: N must be a whole number from 1 to 100, got '\(first)'") }
        count = n
        words.removeFirst()
    }
    guard words.count <= 1 else { throw similarCommand.usageError() }
    let tasks = try words.first.map { [try dataset.taskIndex($0, command: "similar")] } ?? Array(dataset.tasks.indices)
    let path = session.resolve(args[0])
    let image: RGBImage
    do {
        image = try ImageDecoder(pixelLimit: session.settings.pixelLimit).decode(file: path)
    } catch let error as ImageError {
        throw CommandError("similar: \(displayPath(error.path, session)): \(error.reason)")
    }
    let s = session.settings.training
    let font = try FontRasterizer()
    var lines: [String] = []
    // With shared statistics the query's features are the same for every task: one backbone pass.
    var sharedQuery: [Float]?
    for t in tasks {
        let start = Date()
        let (index, computed) = try featureIndex(session, trainer.model, dataset, task: t)
        let built = Date().timeIntervalSince(start)
        let query = try sharedQuery ?? queryFeatures(trainer.model, image: image, task: t, inputSize: (s.inputWidth, s.inputHeight),
                                                     normalization: trainer.normalization)
        if trainer.model.sharedStatistics { sharedQuery = query }
        let found = index.nearest(query, count: count)
        let task = dataset.tasks[t]
        let rows = found.enumerated().map { rank, hit -> [String] in
            let sample = index.samples[hit.row]
            return ["\(rank + 1)", taskRelative(dataset.shownFile(sample.image), task.name), task.classes[sample.label],
                    hit.row < index.trainCount ? "train" : "val", String(format: "%.3f", hit.cosine)]
        }
        lines.append("task \(task.name): the \(found.count) images nearest to \(displayPath(path, session)) (cosine of backbone features; "
                     + String(format: "%d images, features %@ %.2f s)", index.samples.count, computed ? "computed in" : "reused, checked in", built))
        lines.append(Table(headers: ["rank", "image", "class", "split", "cosine"], rows: rows, rightAligned: [0, 4]).render())
        var items = [ContactSheet.Item(image: image, caption: ["query", (path as NSString).lastPathComponent])]
        items += found.map { hit in
            let sample = index.samples[hit.row]
            return ContactSheet.Item(image: dataset.cache.image(sample.image),
                                     caption: ["\(task.classes[sample.label]) · \(hit.row < index.trainCount ? "train" : "val")",
                                               (dataset.files[sample.image] as NSString).lastPathComponent, String(format: "cosine %.3f", hit.cosine)])
        }
        let base = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        var sheet = ContactSheet(title: "\(task.name): nearest to \((path as NSString).lastPathComponent) in feature space", items: items)
        sheet.thumbnail = 96
        let output = try writePicture(sheet.draw(font: font), named: "similar_\(base)_\(task.name).png", session)
        lines.append("  wrote \(displayPath(output, session))")
    }
    session.out.print(lines.joined(separator: "\n"))
}

/// The session's features of task `t` when they still describe the model and dataset, or new ones (with progress; Ctrl-C stops).
private func featureIndex(_ session: Session, _ model: MultiTaskModel, _ dataset: Dataset, task t: Int) throws -> (FeatureIndex, computed: Bool) {
    if let kept = session.featureIndexes.first(where: { $0.task == t }), kept.matches(model, dataset: dataset) { return (kept, false) }
    let index: FeatureIndex
    do {
        index = try FeatureIndex.build(model, dataset: dataset, task: t, settings: session.settings.training,
                                       normalization: session.trainer!.normalization, isCancelled: session.isCancelled) { done, total in
            session.out.progress("similar: features of \(dataset.tasks[t].name) \(done)/\(total) images")
        }
    } catch let stop as Cancelled {
        session.out.progress(nil)
        throw CommandError("similar cancelled (\(stop)); nothing reported")
    }
    session.out.progress(nil)
    session.featureIndexes = session.featureIndexes.filter { $0.task != t } + [index]
    return (index, true)
}
