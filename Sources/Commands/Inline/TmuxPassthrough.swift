/// `sequence` wrapped in tmux's passthrough (DCS tmux; … ST, every ESC inside doubled), which tmux hands
/// to the outer terminal unchanged when its `allow-passthrough` option is on, and drops otherwise.
public func tmuxPassthrough(_ sequence: String) -> String {
    "\u{1B}Ptmux;" + sequence.replacingOccurrences(of: "\u{1B}", with: "\u{1B}\u{1B}") + "\u{1B}\\"
}
