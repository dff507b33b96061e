import Foundation
import MTMC
import Vision

/// show why IMG [TASK] [--class NAME]: a Grad-CAM heat map per task (or for TASK) of the predicted class,
/// or of NAME, written as plots/why_IMAGE_TASK.png with the class, softmax and confidence under it.
func showWhy(_ session: Session, _ args: [String]) throws {
    var words = Array(args.dropFirst())
    var className: String?
    if let flag = words.firstIndex(of: "--class") {
        guard flag + 1 < words.count else { throw CommandError("show why: --class needs a class name") }
        className = words[flag + 1]
        words.removeSubrange(flag...(flag + 1))
    }
    guard (1...2).contains(words.count) else { throw showCommand.usageError(args) }
    let trainer = try session.requireModel("show why")
    let taskClasses = session.modelTasks
    var tasks: [Int]?
    if words.count == 2 {
        guard let t = taskClasses.firstIndex(where: { $0.name == words[1] }) else {
            throw CommandError("show why: no task '\(words[1])'; tasks: " + taskClasses.map(\.name).joined(separator: ", "))
        }
        tasks = [t]
    }
    var classIndex: Int?
    if let className {
        let found = try lookUpClass(className, task: words.count == 2 ? words[1] : nil, in: taskClasses, command: "show why")
        tasks = [found.task]
        classIndex = found.class
    }
    let path = session.resolve(words[0])
    let settings = session.settings.training
    let image = try ImageDecoder(pixelLimit: session.settings.pixelLimit, targetSize: nil).decode(file: path)
    let explanations = try explain(image, model: trainer.model, taskClasses: taskClasses, tasks: tasks, classIndex: classIndex,
                                   inputSize: (settings.inputWidth, settings.inputHeight), normalization: trainer.normalization,
                                   calibration: session.calibration)
    let font = try FontRasterizer()
    let base = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
    var lines: [String] = []
    for x in explanations {
        let task = taskClasses[x.task].name
        var sheet = ContactSheet(title: "\(task): why \(x.score.name)", items: [
            ContactSheet.Item(image: overlaid(x.view, map: x.map, side: 256), caption: [caption(x.score)]),
        ])
        sheet.thumbnail = 256
        sheet.columns = 1
        let output = try writePicture(sheet.draw(font: font), named: "why_\(base)_\(task)" + (className.map { "_" + $0 } ?? "") + ".png", session)
        lines.append("\(task): \(caption(x.score)); wrote \(displayPath(output, session))")
    }
    session.out.print(lines.joined(separator: "\n"))
}

/// plot why TASK [N]: the heat maps of the N (default 10) highest-loss images of the last eval, predicted class, as one sheet.
func whySheet(_ session: Session, _ args: [String]) throws -> ContactSheet {
    let worst = try worstOfTask(args, "plot why", session)
    let trainer = try session.requireModel("plot why")
    let settings = session.settings.training
    let items = try worst.images.map { w -> ContactSheet.Item in
        let x = try explain(worst.dataset.cache.image(worst.samples[w.row].image), model: trainer.model, taskClasses: session.modelTasks,
                            tasks: [worst.e.task], inputSize: (settings.inputWidth, settings.inputHeight),
                            normalization: trainer.normalization, calibration: session.calibration)[0]
        return ContactSheet.Item(image: overlaid(x.view, map: x.map, side: 128), caption: worst.caption(w),
                                 color: w.truth == w.predicted ? .black : RGB(200, 30, 30))
    }
    return ContactSheet(title: "\(worst.e.taskName) (\(worst.e.phase)): where the model looked in the \(items.count) highest losses (predicted class)",
                        items: items)
}

private func caption(_ s: ClassScore) -> String {
    String(format: "%@ softmax %.3f", s.name, s.softmax) + (s.confidence.map { $0 == 0 ? ", confidence <0.10" : String(format: ", confidence %.2f", $0) } ?? "")
}
