import Foundation
import MTMC
import Vision

/// plot samples TASK [CLASS] [N]: without CLASS a row of N (default 5) images per class; with it, N (default
/// 20) images of that class; spread evenly over the class's train images (then val), captioned with class and file.
func samplesSheet(_ session: Session, _ args: [String]) throws -> (sheet: ContactSheet, name: String) {
    guard (2...4).contains(args.count) else { throw plotCommand.usageError(args) }
    let dataset = try session.requireDataset("plot samples")
    let t = try dataset.taskIndex(args[1], command: "plot samples")
    let task = dataset.tasks[t]
    var words = Array(args.dropFirst(2))
    var count: Int?
    if let last = words.last, let n = Int(last), !task.classes.contains(last) {
        guard (1...200).contains(n) else { throw CommandError("plot samples: N must be a whole number from 1 to 200, got '\(last)'") }
        count = n
        words.removeLast()
    }
    guard words.count <= 1 else { throw plotCommand.usageError(args) }
    let classes = try words.first.map { [try classIndex($0, task: task.name, in: dataset, command: "plot samples").1] } ?? Array(task.classes.indices)
    let perClass = count ?? (words.isEmpty ? 5 : 20)
    var items: [ContactSheet.Item] = []
    for c in classes {
        let samples = (task.train.map { ($0, "train") } + task.val.map { ($0, "val") }).filter { $0.0.label == c }
        items += evenlySpaced(samples, count: perClass).map { sample, split in
            ContactSheet.Item(image: dataset.cache.image(sample.image),
                              caption: [task.classes[c], split + " · " + (dataset.files[sample.image] as NSString).lastPathComponent])
        }
    }
    let scope = words.first.map { "class \($0)" } ?? "\(perClass) per class"
    var sheet = ContactSheet(title: "\(task.name): samples, \(scope) (\(items.count) images)", items: items)
    sheet.thumbnail = 96
    sheet.columns = words.isEmpty ? min(max(perClass, 1), 10) : 5
    return (sheet, "samples_\(task.name)" + (words.first.map { "_" + $0 } ?? "") + ".png")
}

/// show augment IMG [N]: the validation view of IMG and N (default 8) training views under the current
/// settings, as a contact sheet plots/augment_NAME.png. A dataset file is taken from the cache, as training does.
func showAugment(_ session: Session, _ args: [String]) throws {
    guard (2...3).contains(args.count) else { throw showCommand.usageError(args) }
    let count = args.count == 3 ? Int(args[2]) : 8
    guard let count, (1...64).contains(count) else { throw CommandError("show augment: N must be a whole number from 1 to 64, got '\(args[2])'") }
    let s = session.settings.training
    let input = (width: s.inputWidth, height: s.inputHeight)
    let path = session.resolve(args[1])
    // Broken files have a cache slot too, never written: they are decoded (and refused) like outside files.
    let cached = session.dataset.flatMap { d in
        d.broken.contains { $0.path == path } ? nil : d.files.firstIndex(of: path).map { d.cache.image($0) }
    }
    let image: RGBImage
    if let cached {
        image = cached
    } else {
        let cacheSize = Dataset.cacheSize(forInput: input)
        let decoded: RGBImage
        do {
            decoded = try ImageDecoder(pixelLimit: session.settings.pixelLimit, targetSize: cacheSize).decode(file: path)
        } catch let error as ImageError {
            throw CommandError("show augment: \(displayPath(error.path, session)): \(error.reason)")
        }
        image = resized(decoded, width: cacheSize.width, height: cacheSize.height)
    }
    // auto depends on the run's length: the fixed plan's when `epochs` is set, otherwise a 20-epoch run's.
    let runEpochs = s.epochs > 0 ? s.epochs : 20
    let strength = s.augment.resolved(runEpochs: runEpochs)
    let views = augmentedViews(image, count: count, input: input, settings: s.augmentation(runEpochs: runEpochs), seed: s.seed)
    let described = "augment \(strength.rawValue)" + (s.augment == .auto ? " (auto for a \(runEpochs)-epoch run)" : "")
        + ", crop \(s.crop.rawValue), hflip \(s.horizontalFlip ? "on" : "off")"
        + (s.randAugmentCount > 0 ? ", randaugment \(s.randAugmentCount),\(Int(s.randAugmentMagnitude))" : "")
    var items = [ContactSheet.Item(image: resized(image, width: input.width, height: input.height), caption: ["as validated"])]
    items += views.enumerated().map { ContactSheet.Item(image: $1, caption: ["training view \($0 + 1)"]) }
    var sheet = ContactSheet(title: "\((path as NSString).lastPathComponent): \(described), \(input.width)×\(input.height)", items: items)
    sheet.thumbnail = 128
    let base = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
    let output = try writePicture(sheet.draw(font: try FontRasterizer()), named: "augment_\(base).png", session)
    session.out.print("\(count) training views of \(displayPath(path, session)) (\(cached == nil ? "decoded from the file" : "from the dataset cache")), "
                      + "\(described); wrote \(displayPath(output, session))")
}

/// plot suspects TASK [N]: the N (default 20) suspects of the last `check labels` of TASK with the largest
/// margins, both splits together, captioned with split, file, given and suggested class and their probabilities.
func suspectsSheet(_ session: Session, _ args: [String]) throws -> ContactSheet {
    guard (2...3).contains(args.count) else { throw plotCommand.usageError(args) }
    let limit = args.count == 3 ? Int(args[2]) : 20
    guard let limit, (1...200).contains(limit) else { throw CommandError("plot suspects: N must be a whole number from 1 to 200, got '\(args[2])'") }
    let dataset = try session.requireDataset("plot suspects")
    let checks = session.labelChecks.filter { $0.taskName == args[1] }
    guard !checks.isEmpty else {
        let checked = Set(session.labelChecks.map(\.taskName)).sorted()
        throw CommandError("plot suspects: no check labels of task '\(args[1])' yet; run check labels \(args[1])"
                           + (checked.isEmpty ? "" : " (checked: \(checked.joined(separator: ", ")))"))
    }
    let ranked = checks.flatMap { check in check.result.suspects.map { (check, $0) } }.sorted { $0.1.margin > $1.1.margin }.prefix(limit)
    let items = ranked.map { check, s in
        ContactSheet.Item(image: dataset.cache.image(check.samples[s.row].image),
                          caption: [check.split + " · " + (dataset.files[check.samples[s.row].image] as NSString).lastPathComponent,
                                    "given \(check.classes[s.given]) " + String(format: "p %.2f", s.givenProbability),
                                    "suggested \(check.classes[s.suggested]) " + String(format: "p %.2f", s.suggestedProbability)],
                          color: RGB(200, 30, 30))
    }
    return ContactSheet(title: "\(args[1]): \(items.count) likely mislabelled images (confident learning), largest margin first", items: items)
}
