@testable import Engine
import XCTest

/// A device tensor's storage: an address in the device's memory that only the device's kernels and copies
/// take, never a host pointer; a host tensor's, host memory with no device address. Reading a device
/// tensor on the host goes through an explicit copy (`to(.cpu)`).
final class DeviceStorageTests: XCTestCase {
    func testADeviceTensorHasADeviceAddressAndNoHostPointer() throws {
        let gpu = Device.cuda(try EmulatedCUDARuntime.shared.get())
        let host = try Tensor(shape: [2, 2], values: [1, 2, 3, 4])
        let onDevice = host.to(gpu)
        XCTAssertNil(onDevice.storage.hostElements, "a device tensor's elements are not host memory")
        XCTAssertNotNil(onDevice.storage.deviceElements)
        XCTAssertNotNil(host.storage.hostElements)
        XCTAssertNil(host.storage.deviceElements, "a host tensor has no device address")
    }

    func testReadingADeviceTensorOnTheHostIsOneExplicitCopy() throws {
        let device = try EmulatedCUDARuntime.shared.get(), gpu = Device.cuda(device)
        let runtime = try XCTUnwrap(device.runtime as? EmulatedCUDARuntime)
        let onDevice = try Tensor(shape: [3], values: [1, 2, 3]).to(gpu)
        let before = runtime.copiesToHost
        let onHost = onDevice.to(.cpu)
        XCTAssertEqual(runtime.copiesToHost - before, 1)
        XCTAssertEqual(onHost.device, .cpu)
        XCTAssertEqual(onHost.withUnsafeBufferPointer { $0.reduce(0, +) }, 6)
        XCTAssertEqual(runtime.copiesToHost - before, 1, "reading the host copy copies nothing more")
    }
}
