import Foundation

/// Ctrl-C as a flag: a SIGINT handler that only stores 1 (no SA_RESTART, so the prompt's read returns
/// EINTR); long commands poll it between steps, and the prompt clears the line. The process never dies of it.
enum Interrupt {
    /// Allocated before the handler is installed; the handler only writes to it.
    static let flag: UnsafeMutablePointer<sig_atomic_t> = {
        let p = UnsafeMutablePointer<sig_atomic_t>.allocate(capacity: 1)
        p.pointee = 0
        return p
    }()

    static func install() {
        _ = flag
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in Interrupt.flag.pointee = 1 }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)
    }

    static var isSet: Bool { flag.pointee != 0 }
    static func clear() { flag.pointee = 0 }
}
