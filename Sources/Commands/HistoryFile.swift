import Foundation

/// Where the prompt keeps its history: `$XDG_STATE_HOME/mtmc/history`, else `$HOME/.local/state/mtmc/history`.
/// `$HOME` comes first, as shells read it: on Linux `NSHomeDirectory()` reads the password database,
/// which for root ignores a `HOME` set elsewhere (a container, a test, `sudo -H`). The database is the
/// last resort, when `HOME` is unset or empty.
public func historyFilePath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
    func nonEmpty(_ key: String) -> String? { environment[key].flatMap { $0.isEmpty ? nil : $0 } }
    let state = nonEmpty("XDG_STATE_HOME") ?? ((nonEmpty("HOME") ?? NSHomeDirectory()) + "/.local/state")
    return state + "/mtmc/history"
}
