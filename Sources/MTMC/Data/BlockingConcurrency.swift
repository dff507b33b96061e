import Dispatch
import Foundation

/// Runs `body(i)` for every i in 0..<iterations on up to `threads` threads of their own (thread k takes
/// k, k + threads, …) and returns when all are done. For blocking system calls: DispatchQueue.concurrentPerform
/// runs one thread per core, and a cold stat or directory read waits on the disk, so with 2 threads the disk
/// serves one or two requests at a time where it could serve dozens.
func concurrentBlocking(iterations: Int, threads: Int, _ body: @escaping (Int) -> Void) {
    let count = min(threads, iterations)
    guard count > 1 else {
        for i in 0..<iterations { body(i) }
        return
    }
    let group = DispatchGroup()
    for k in 0..<count {
        group.enter()
        Thread {
            for i in stride(from: k, to: iterations, by: count) { body(i) }
            group.leave()
        }.start()
    }
    group.wait()
}
