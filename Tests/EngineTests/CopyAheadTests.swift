@testable import Engine
import XCTest

/// A batch copied ahead to the GPU (`Tensor.prefetched`): the call returns with the copy under way, the
/// host buffer is free again at once (the bytes were staged), and the next kernel sees the values. On the
/// emulated runtime, whose copies ahead land when the stream next does anything, as a GPU's event makes
/// later kernels wait.
final class CopyAheadTests: XCTestCase {
    func testACopyAheadReturnsAtOnceFreesTheHostBufferAndLandsBeforeTheNextKernel() throws {
        let device = try EmulatedCUDARuntime.shared.get(), gpu = Device.cuda(device)
        let runtime = try XCTUnwrap(device.runtime as? EmulatedCUDARuntime)
        let values = (0..<600).map { Float($0) - 300 }
        var host = try Tensor(shape: [2, 300], values: values)
        let ahead = host.prefetched(to: gpu)
        XCTAssertEqual(ahead.device, gpu)
        XCTAssertEqual(runtime.inFlight.map(\.staged.count), [2400], "one copy of 600 floats under way")
        // The pipeline fills its next batch into the same host memory while the copy is in flight.
        host.withUnsafeMutableBufferPointer { for i in $0.indices { $0[i] = .nan } }
        let doubled = scale(Variable(ahead), by: 2).value
        XCTAssertTrue(runtime.inFlight.isEmpty, "a kernel waits for the copy")
        XCTAssertEqual(doubled.scalars, values.map { 2 * $0 })
        XCTAssertEqual(ahead.scalars, values)
    }

    func testOnlyHostToGPUCopiesGoAhead() throws {
        let device = try EmulatedCUDARuntime.shared.get(), gpu = Device.cuda(device)
        let runtime = try XCTUnwrap(device.runtime as? EmulatedCUDARuntime)
        let host = try Tensor(shape: [3], values: [1, 2, 3])
        XCTAssertEqual(host.prefetched(to: .cpu).scalars, [1, 2, 3])
        let onDevice = host.to(gpu)
        XCTAssertEqual(onDevice.prefetched(to: .cpu).device, .cpu)
        XCTAssertEqual(onDevice.prefetched(to: gpu).scalars, [1, 2, 3])
        XCTAssertTrue(runtime.inFlight.isEmpty)
    }
}
