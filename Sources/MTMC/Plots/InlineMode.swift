/// How the pictures commands write are shown in the terminal as well (`set inline`): chosen by asking the
/// terminal (`auto`), never (`off`), or by one protocol the user names. A setting only: the terminal
/// protocols themselves are drawn by Commands and the shell, which own the terminal.
public enum InlineMode: String, CaseIterable {
    case auto, off, kitty, iterm, sixel, blocks
}
