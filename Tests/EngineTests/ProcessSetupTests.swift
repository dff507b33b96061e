import Engine
import XCTest

final class ProcessSetupTests: XCTestCase {
    func testOpenBLASGetsItsAVX2KernelsOnlyOnAMDProcessorsWithAVX512() {
        let zen4 = "vendor_id\t: AuthenticAMD\nflags\t\t: fpu sse2 avx2 fma avx512f avx512bw\n"
        let zen3 = "vendor_id\t: AuthenticAMD\nflags\t\t: fpu sse2 avx2 fma\n"
        let skylakeX = "vendor_id\t: GenuineIntel\nflags\t\t: fpu sse2 avx2 fma avx512f avx512bw\n"
        XCTAssertEqual(ProcessSetup.preferredCoreType(cpuinfo: zen4), "Haswell")
        XCTAssertNil(ProcessSetup.preferredCoreType(cpuinfo: zen3), "OpenBLAS detects Zen 3 correctly")
        XCTAssertNil(ProcessSetup.preferredCoreType(cpuinfo: skylakeX), "Intel's AVX-512 kernels are OpenBLAS's own choice")
        XCTAssertNil(ProcessSetup.preferredCoreType(cpuinfo: ""))
    }
}
