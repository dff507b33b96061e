import Foundation

/// What `set` alone prints: every setting with its value, in columns that fit `width` (a long value, such as
/// a folder, on a line of its own after them, so it does not widen every column), and how to learn more.
func settingsListing(_ session: Session, width: Int) -> String {
    let keyWidth = allSettings.map { displayWidth($0.name) }.max() ?? 0
    let entries = allSettings.map { padded($0.name, to: keyWidth) + " " + $0.get(session) }
    let short = entries.filter { displayWidth($0) <= keyWidth + 1 + 16 }
    let rows = (columnListing(short, width: width - 2) + entries.filter { !short.contains($0) }).map { "  " + $0 }
    let hint = wrapped("set KEY (or help set KEY) explains one: what it does, allowed values, default; set KEY VALUE changes it",
                       width: width - 1)
    return (["settings:"] + rows + hint).joined(separator: "\n")
}

/// What `set KEY` and `help set KEY` print: the value, the default, what it does and the values allowed, wrapped to `width`.
func settingExplanation(_ setting: Setting, _ session: Session, width: Int) -> String {
    let value = setting.get(session)
    let standard = setting.defaultValue ?? setting.get(Session(out: OutputSink(print: { _ in })))
    var lines = ["\(setting.name) = \(value)" + (value == standard ? " (the default)" : " (default \(standard))")]
    lines += wrapped(setting.summary, width: width - 3).map { "  " + $0 }
    lines += wrapped("allowed: \(setting.allowed)", width: width - 3).map { "  " + $0 }
    lines.append("  change it: set \(setting.name) " + (setting.values.isEmpty ? "VALUE" : setting.values.joined(separator: "|")))
    return lines.joined(separator: "\n")
}

/// The setting named `name`, or an error naming the nearest keys.
func namedSetting(_ name: String, command: String) throws -> Setting {
    if let setting = allSettings.first(where: { $0.name == name }) { return setting }
    let names = allSettings.map(\.name)
    let prefixed = names.filter { $0.hasPrefix(name) }
    let near = prefixed.isEmpty ? names.filter { editDistance($0, name) <= 2 } : prefixed
    throw CommandError("\(command): unknown key '\(name)'" + (near.isEmpty ? "" : "; did you mean \(near.joined(separator: ", "))?")
                       + " (set lists them)")
}
