import Engine
import Foundation

/// How a data-parallel job ends. A command that fails on any rank ends every rank (MPI_Abort), since the
/// others would wait for it forever in their next reduction; a job that went well leaves MPI cleanly. When
/// another rank dies, mpirun stops the rest with SIGTERM: rank 0 then says why before it goes.
enum JobEnd {
    static func install() {
        guard World.current.isRoot, World.current.size > 1 else { return }
        // Made here, since a signal handler may only write and _exit: no allocation.
        stoppedMessage = strdup("mtmc: rank 0: stopped by mpirun because another rank ended early (its message, if any, "
                                + "is above); files already saved are intact\n")
        signal(SIGTERM) { _ in
            if let message = JobEnd.stoppedMessage { _ = write(STDERR_FILENO, message, strlen(message)) }
            _exit(143)
        }
    }

    nonisolated(unsafe) private static var stoppedMessage: UnsafeMutablePointer<CChar>?

    /// Ends the job after a command failed on this rank.
    static func failed() -> Never {
        if World.current.size > 1 {
            printError("mtmc: rank \(World.current.rank) of \(World.current.size): a command failed; ending the whole job")
        }
        World.current.abort(1)
    }

    /// Ends the job after every command succeeded.
    static func succeeded() { World.current.finish() }
}
