import Foundation

/// A terminal's input without line editing or echo, so every byte can be read as it is typed (a single key, a
/// terminal's answer to a query); Ctrl-C still interrupts. `restore()` puts back the mode that was there before.
struct RawInputMode {
    private let descriptor: Int32
    private let saved: termios

    /// Switches `descriptor` to raw input; nil when it is not a terminal.
    init?(_ descriptor: Int32) {
        var saved = termios()
        guard tcgetattr(descriptor, &saved) == 0 else { return nil }
        var raw = saved
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        tcsetattr(descriptor, TCSANOW, &raw)
        self.descriptor = descriptor
        self.saved = saved
    }

    func restore() {
        var mode = saved
        tcsetattr(descriptor, TCSANOW, &mode)
    }
}
