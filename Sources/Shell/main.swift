import Engine
import Foundation

// Line editing, UTF-8 input and wide-character display need a UTF-8 character type, and only that:
// LC_ALL would also set LC_NUMERIC, and C formatting under a decimal-comma locale would change logs and JSON.
setlocale(LC_CTYPE, "")
if String(cString: nl_langinfo(nl_item(CODESET))) != "UTF-8" { setlocale(LC_CTYPE, "C.UTF-8") }
// A write past a file-size limit, or to a closed pipe, should fail with an error the command reports
// (EFBIG, EPIPE), not kill the session with a signal.
signal(SIGXFSZ, SIG_IGN)
signal(SIGPIPE, SIG_IGN)
// A one-off `mtmc predict` starts faster than OpenBLAS's thread and kernel settings pay back: the
// re-execution that applies them would double its time for one batch-1 forward pass (BENCHMARKS.md).
switch CommandLine.arguments.dropFirst().first {
case "predict": break
case "serve": ProcessSetup.prepareOpenBLAS(preferCoreType: false)
default: ProcessSetup.prepareOpenBLAS()
}
// Under mpirun every rank runs the same script; rank 0 alone prints and writes (World, DataParallel).
if World.launchedByMPI {
    do { try World.join() } catch {
        printError("mtmc: \(error)")
        exit(1)
    }
    JobEnd.install()
}
MTMCCommand.main()
