import Foundation

extension DatasetAudit {
    /// The report as lines: a heading with timings and thresholds, then per task its duplicate groups
    /// (label conflicts, leaks with the share of val affected, plain duplicates; exact, then near) and the
    /// per-image findings. At most `limit` entries per list (nil: all), the rest counted.
    public func lines(_ dataset: Dataset, limit: Int?) -> [String] {
        var lines = [String(format: "check: %d images in %d tasks; hashing %.2f s, comparing %.2f s; near duplicates: difference hashes at most %d of 64 bits apart (set hamming) and mean colours at most %d of 255 apart, confirmed by pixels (16×16 thumbnails at most %.0f of 255 apart on average)",
                            images, tasks.count, hashSeconds, compareSeconds, limits.hamming, limits.colour, limits.pixelDifference)]
        for audit in tasks {
            let task = dataset.tasks[audit.task]
            lines.append("task \(task.name):")
            let taskRoot = task.name + "/"
            func path(_ image: AuditedImage) -> String {
                let shown = dataset.shownFile(image.image)
                return shown.hasPrefix(taskRoot) ? String(shown.dropFirst(taskRoot.count)) : shown
            }
            func list<T>(_ items: [T], _ render: (T) -> String) -> [String] {
                let shown = items.prefix(limit ?? items.count).map { "    " + render($0) }
                return shown + (items.count > shown.count ? ["    … \(items.count - shown.count) more (the check log lists every one)"] : [])
            }
            for (name, groups, leaked, joiner) in [("exact duplicates", audit.exact, audit.exactLeakedVal, " = "),
                                                   ("near duplicates", audit.near, audit.nearLeakedVal, " ≈ ")] {
                lines.append("  \(name): " + groupCounts(groups, leaked: leaked, valCount: audit.valCount))
                let ordered = groups.sorted { rank($0.kind) < rank($1.kind) }
                lines += list(ordered) { g in
                    let shown = g.members.prefix(limit.map { max(2, $0 / 2) } ?? g.members.count).map(path)
                    return kindName(g.kind) + ": " + shown.joined(separator: joiner)
                        + (shown.count < g.members.count ? joiner + "… (\(g.members.count) images)" : "")
                        + (joiner == " ≈ " ? " (distance ≤ \(g.distance))" : "")
                }
            }
            lines.append(String(format: "  near-uniform (brightness spread under %.1f of 255): %d", limits.uniformSpread, audit.uniform.count))
            lines += list(audit.uniform) { path($0.image) + String(format: " (brightness %.0f)", $0.brightness) }
            lines.append("  smaller than the input \(limits.input.width)×\(limits.input.height): \(audit.small.count)")
            lines += list(audit.small) { path($0) + " " + sizeText(dataset.sourceSizes[$0.image]) }
            lines.append(String(format: "  extreme aspect ratio (long side at least %.1f × the short): %d", limits.aspect, audit.extreme.count))
            lines += list(audit.extreme) { path($0) + " " + sizeText(dataset.sourceSizes[$0.image]) }
            if audit.valCount == 0 { lines.append("  no val images: nothing to leak into; train duplicates and conflicts still apply") }
        }
        if !dataset.broken.isEmpty {
            lines.append("unreadable (left out at load, not audited): \(dataset.broken.count)")
            lines += dataset.broken.prefix(limit ?? dataset.broken.count).map { "  \(dataset.shownPath($0.path)): \($0.reason)" }
        }
        return lines
    }

    /// Writes the whole report (every entry) as `check_DATE.txt` into `folder`; returns the path.
    public func write(_ dataset: Dataset, folder: String, date: Date = Date()) throws -> String {
        try EvaluationLog.writeLog(Data((lines(dataset, limit: nil).joined(separator: "\n") + "\n").utf8),
                                   name: "check", extension: "txt", folder: folder, date: date)
    }
}

private func rank(_ kind: DuplicateGroup.Kind) -> Int {
    switch kind {
    case .labelConflict: 0
    case .leak: 1
    case .withinClass: 2
    }
}

private func kindName(_ kind: DuplicateGroup.Kind) -> String {
    switch kind {
    case .labelConflict: "label conflict"
    case .leak: "leak"
    case .withinClass: "within class"
    }
}

private func sizeText(_ s: ImageSize) -> String { "\(s.width)×\(s.height)" }

/// "none", or "1 label conflict, 2 leaks (3 of 40 val images, 7.5 %, have a copy in train), 4 within a class".
private func groupCounts(_ groups: [DuplicateGroup], leaked: Int, valCount: Int) -> String {
    guard !groups.isEmpty else { return "none" }
    func count(_ kind: DuplicateGroup.Kind) -> Int { groups.filter { $0.kind == kind }.count }
    var parts: [String] = []
    let conflicts = count(.labelConflict), leaks = count(.leak), within = count(.withinClass)
    if conflicts > 0 { parts.append("\(conflicts) label conflict" + (conflicts == 1 ? "" : "s")) }
    if leaks > 0 { parts.append("\(leaks) leak" + (leaks == 1 ? "" : "s")) }
    if within > 0 { parts.append("\(within) within a class") }
    let share = leaked == 0 ? "" : String(format: "; %d of %d val images (%.1f %%) have a copy in train", leaked, valCount,
                                          100 * Double(leaked) / Double(max(1, valCount)))
    return parts.joined(separator: ", ") + " (groups)" + share
}
