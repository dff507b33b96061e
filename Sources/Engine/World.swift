import CMPI
import Dispatch
import Foundation

/// The processes of one data-parallel job: every rank of `mpirun -np N mtmc …`, or this process alone.
/// MPI is joined once, at start, when mpirun launched the process; rank 0 alone prints and writes files.
public struct World: Sendable {
    /// This process's place in the job, 0 ..< size.
    public let rank: Int
    /// Number of processes in the job.
    public let size: Int
    /// The host each rank runs on, in rank order.
    public let hosts: [String]
    /// The MPI library's version line; empty when alone.
    public let library: String

    /// The world this process belongs to; `alone` until `join` succeeds.
    nonisolated(unsafe) public private(set) static var current = alone

    /// This process by itself: a job of one rank.
    public static var alone: World { World(rank: 0, size: 1, hosts: [hostName()], library: "") }

    /// Rank 0 prints, writes logs, plots and checkpoints; the other ranks only compute.
    public var isRoot: Bool { rank == 0 }

    /// True when the process was started by Open MPI's launcher (mpirun, mpiexec).
    public static var launchedByMPI: Bool { ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_SIZE"] != nil }

    /// Loads Open MPI (libmpi.so.40, or `MTMC_MPI_LIBRARY`) and joins its world; a world of one changes nothing.
    public static func join() throws {
        var why = [CChar](repeating: 0, count: 512)
        let path = ProcessInfo.processInfo.environment["MTMC_MPI_LIBRARY"]
        guard mtmc_mpi_load(path, &why, Int32(why.count)) == 0 else {
            throw EngineError("started by mpirun, but MPI cannot be used: \(String(cString: why))")
        }
        guard mtmc_mpi_init() == 0 else { throw EngineError("MPI_Init failed") }
        let rank = Int(mtmc_mpi_rank()), size = Int(mtmc_mpi_size())
        var version = [CChar](repeating: 0, count: 256)
        mtmc_mpi_library_version(&version, Int32(version.count))
        let partial = World(rank: rank, size: size, hosts: [], library: String(cString: version))
        current = World(rank: rank, size: size, hosts: partial.gatherNames(hostName()), library: partial.library)
    }

    /// Seconds this process has spent in sums across ranks (waiting for the slowest rank included).
    nonisolated(unsafe) public private(set) static var secondsSumming = 0.0

    /// Sums `values` element-wise across every rank, in place.
    public func sum(_ values: UnsafeMutableBufferPointer<Float>) {
        guard size > 1 else { return }
        let start = DispatchTime.now().uptimeNanoseconds
        defer { World.secondsSumming += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        // MPI counts are 32-bit: larger buffers go in pieces.
        for offset in stride(from: 0, to: values.count, by: Int(Int32.max)) {
            check(mtmc_mpi_sum_floats(values.baseAddress! + offset, Int32(min(values.count - offset, Int(Int32.max)))), "sum")
        }
    }

    /// Sums `values` element-wise across every rank, in place.
    public func sum(_ values: inout [Double]) {
        guard size > 1 else { return }
        let start = DispatchTime.now().uptimeNanoseconds
        defer { World.secondsSumming += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        let count = Int32(values.count)
        values.withUnsafeMutableBufferPointer { check(mtmc_mpi_sum_doubles($0.baseAddress!, count), "sum") }
    }

    /// Replaces `values` on every rank with rank 0's.
    public func broadcast(_ values: UnsafeMutableBufferPointer<Float>) {
        guard size > 1 else { return }
        check(mtmc_mpi_broadcast(values.baseAddress!, Int32(values.count * MemoryLayout<Float>.stride), 0), "broadcast")
    }

    /// Waits until every rank has reached this point.
    public func barrier() {
        guard size > 1 else { return }
        check(mtmc_mpi_barrier(), "barrier")
    }

    /// Ends every process of the job with `code`; never returns.
    public func abort(_ code: Int32) -> Never {
        if size > 1 { mtmc_mpi_abort(code) }
        exit(code)
    }

    /// Leaves MPI at the end of a job that went well.
    public func finish() {
        if size > 1 || World.launchedByMPI { _ = mtmc_mpi_finalize() }
    }

    /// Each rank's `name` (up to 255 bytes), in rank order.
    private func gatherNames(_ name: String) -> [String] {
        let width = 256
        var mine = [UInt8](repeating: 0, count: width)
        for (i, byte) in name.utf8.prefix(width - 1).enumerated() { mine[i] = byte }
        return gather(mine).map { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }

    /// Every rank's `record`, in rank order (MPI_Allgather); every rank must give a record of the same size.
    public func gather(_ record: [UInt8]) -> [[UInt8]] {
        guard size > 1 else { return [record] }
        let width = record.count
        var all = [UInt8](repeating: 0, count: width * size)
        check(mtmc_mpi_gather_all(record, &all, Int32(width)), "gather")
        return (0..<size).map { r in Array(all[r * width ..< (r + 1) * width]) }
    }

    /// Open MPI's default error handler ends the job on a failed call, so a failure here means it was changed.
    private func check(_ status: Int32, _ operation: String) {
        if status != 0 {
            FileHandle.standardError.write(Data("mtmc: rank \(rank): MPI \(operation) failed (\(status))\n".utf8))
            abort(1)
        }
    }
}

private func hostName() -> String {
    var name = [CChar](repeating: 0, count: 256)
    gethostname(&name, name.count - 1)
    return String(cString: name)
}
