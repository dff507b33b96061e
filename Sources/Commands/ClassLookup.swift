import MTMC

/// The task and class index of class `name` among `tasks` (only in task `taskName` when one is given), or an
/// error that names the real problem: the task does not exist; the class belongs to another task (which);
/// it is in several tasks (add one); or it is in none (the nearest names, then every considered task's classes).
func lookUpClass(_ name: String, task taskName: String?, in tasks: [TaskClasses], command: String) throws -> (task: Int, class: Int) {
    var considered = Array(tasks.indices)
    if let taskName {
        guard let t = tasks.firstIndex(where: { $0.name == taskName }) else {
            throw CommandError("\(command): no task '\(taskName)'; tasks: " + tasks.map(\.name).joined(separator: ", "))
        }
        considered = [t]
    }
    let holders = considered.filter { tasks[$0].classes.contains(name) }
    if holders.count == 1, let c = tasks[holders[0]].classes.firstIndex(of: name) { return (holders[0], c) }
    if holders.count > 1 {
        throw CommandError("\(command): class '\(name)' is in several tasks (" + holders.map { tasks[$0].name }.joined(separator: ", ")
                           + "); add the task")
    }
    let elsewhere = tasks.indices.filter { tasks[$0].classes.contains(name) }.map { tasks[$0].name }
    if let taskName, !elsewhere.isEmpty {
        throw CommandError("\(command): class '\(name)' belongs to task " + elsewhere.joined(separator: " and ") + ", not to \(taskName)")
    }
    let names = considered.flatMap { tasks[$0].classes }
    let prefixed = names.filter { $0.hasPrefix(name) || name.hasPrefix($0) }
    let near = prefixed.isEmpty && name.count >= 3 ? names.filter { editDistance($0, name) <= name.count / 3 } : prefixed
    let listing = considered.map { "\(tasks[$0].name): " + tasks[$0].classes.joined(separator: " ") }.joined(separator: "; ")
    throw CommandError("\(command): no class '\(name)'" + (near.isEmpty ? "" : "; did you mean \(near.joined(separator: ", "))?")
                       + "; classes: " + listing)
}
