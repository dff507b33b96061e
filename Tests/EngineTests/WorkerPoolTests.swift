import CBLAS
@testable import Engine
import Synchronization
import XCTest

/// The engine's worker threads: every chunk of every loop once, loops inside loops and from two threads
/// at once, and the workers really sharing a loop with the caller.
final class WorkerPoolTests: XCTestCase {
    func testEveryChunkOfEveryLoopRunsExactlyOnce() {
        let pool = WorkerPool(workers: 3)
        defer { pool.stop() }
        let visits = UnsafeMutableBufferPointer<Int>.allocate(capacity: 7)
        defer { visits.deallocate() }
        nonisolated(unsafe) let shared = visits
        var wrong = 0
        // Thousands of short loops back to back: a worker late for one loop must not run a chunk of the next.
        for loop in 0..<20_000 {
            let chunks = 2 + loop % 6
            visits.initialize(repeating: 0)
            pool.run(chunks: chunks) { shared[$0] += 1 }
            if Array(visits.prefix(chunks)) != Array(repeating: 1, count: chunks) || visits[chunks...].contains(where: { $0 != 0 }) { wrong += 1 }
        }
        XCTAssertEqual(wrong, 0)
    }

    func testTheWorkersRunChunksBesideTheCaller() {
        let pool = WorkerPool(workers: 1)
        defer { pool.stop() }
        let started = Atomic<Int>(0)
        let sawTheOther = Atomic<Int>(0)
        // Each chunk waits for the other to start: only two threads at once get both through without the
        // time-out (one thread runs them one after the other, and each waits in vain).
        pool.run(chunks: 2) { _ in
            started.add(1, ordering: .sequentiallyConsistent)
            let deadline = Date().addingTimeInterval(5)
            while started.load(ordering: .sequentiallyConsistent) < 2, Date() < deadline { sched_yield() }
            if started.load(ordering: .sequentiallyConsistent) == 2 { sawTheOther.add(1, ordering: .sequentiallyConsistent) }
        }
        XCTAssertEqual(sawTheOther.load(ordering: .sequentiallyConsistent), 2)
    }

    func testALoopInsideALoopRunsOnTheThreadThatMetIt() {
        let pool = WorkerPool(workers: 1)
        defer { pool.stop() }
        let sums = UnsafeMutableBufferPointer<Int>.allocate(capacity: 2)
        sums.initialize(repeating: 0)
        defer { sums.deallocate() }
        nonisolated(unsafe) let shared = sums
        pool.run(chunks: 2) { outer in
            pool.run(chunks: 3) { inner in shared[outer] += inner + 1 }
        }
        XCTAssertEqual(Array(sums), [6, 6])
    }

    func testLoopsFromTwoThreadsAtOnceBothFinish() {
        let pool = WorkerPool(workers: 1)
        defer { pool.stop() }
        let total = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            for _ in 0..<2_000 { pool.run(chunks: 4) { total.add($0, ordering: .relaxed) } }
        }
        XCTAssertEqual(total.load(ordering: .relaxed), 2 * 2_000 * (0 + 1 + 2 + 3))
    }

    func testTheThreadCountSetsTheWorkersAndOpenBLASStaysOnOneThread() {
        XCTAssertEqual(HostResources(threads: 3).workers.workers, 2)
        XCTAssertEqual(HostResources(threads: 1).workers.workers, 0)
        XCTAssertEqual(openblas_get_num_threads(), 1)
    }
}
