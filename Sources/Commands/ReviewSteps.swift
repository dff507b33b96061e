import Foundation
import MTMC

/// An item's number, file, facts and picture (the image, and its duplicate partner beside it): the picture
/// goes through `writePicture`, so the terminal shows it where it can; the file's path is printed either way.
func showItem(_ item: ReviewItem, number: Int, of count: Int, _ dataset: Dataset, _ session: Session) {
    var lines = ["[\(number)/\(count)] \(dataset.tasks[item.task].name): \(dataset.shownFile(item.image))", "  " + item.facts,
                 "  file: \(displayPath(dataset.files[item.image], session))"]
    if let font = try? FontRasterizer() {
        let classes = dataset.tasks[item.task].classes
        var shown = [ContactSheet.Item(image: dataset.cache.image(item.image),
                                       caption: [(dataset.files[item.image] as NSString).lastPathComponent, "truth \(classes[item.truth])"])]
        if let partner = item.partner {
            let label = dataset.membership(of: partner).map { classes[$0.label] } ?? "dropped"
            shown.append(ContactSheet.Item(image: dataset.cache.image(partner),
                                           caption: ["partner " + (dataset.files[partner] as NSString).lastPathComponent, label]))
        }
        var sheet = ContactSheet(title: "\(number)/\(count) \(dataset.shownFile(item.image))", items: shown)
        sheet.thumbnail = 160
        let stem = (dataset.shownFile(item.image) as NSString).deletingPathExtension
        do {
            lines.append("  picture: " + displayPath(try writePicture(sheet.draw(font: font), named: "review_\(stem).png", session), session))
        } catch {
            lines.append("  picture not written: \(error)")
        }
    }
    session.out.print(lines.joined(separator: "\n"))
}

/// The move key `key` asks for on `item`: r relabels to the proposed class, c to a class given after it (a
/// script line "c 格子") or asked for (Tab completes), d drops. nil, having said why, when there is nothing to do.
func chosenMove(_ key: Character, rest: String, _ item: ReviewItem, _ dataset: Dataset, _ session: Session) -> ImageMove? {
    let task = dataset.tasks[item.task]
    do {
        switch key.lowercased() {
        case "r":
            guard let proposed = item.proposed, proposed != item.truth else {
                session.out.print("  nothing proposed for this image: c chooses a class")
                return nil
            }
            return try ImageMove.relabel(item.image, to: proposed, in: dataset)
        case "c":
            guard let name = rest.isEmpty ? session.input.line("class of \(task.name) (Tab completes) > ", task.classes) : rest,
                  !name.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
            let label = try lookUpClass(name.trimmingCharacters(in: .whitespaces), task: task.name, in: Session.tasks(of: dataset), command: "review").class
            return try ImageMove.relabel(item.image, to: label, in: dataset)
        default:
            return try ImageMove.drop(item.image, in: dataset, evaluations: session.evaluations)
        }
    } catch {
        session.out.print("  error: \(error)")
        return nil
    }
}

/// Applies a review's move, printing what it did or why it could not; whether it was applied.
func perform(_ move: ImageMove, _ session: Session) -> Bool {
    do {
        session.out.print(try performRecorded(move, in: session).map { "  " + $0 }.joined(separator: "\n"))
        return true
    } catch {
        session.out.print("  error: \(error)")
        return false
    }
}
