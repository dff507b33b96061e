@testable import Engine
import XCTest

/// A device tensor's storage: an address in the device's memory that only the device's kernels and copies
/// take, never a host pointer; a host tensor's, host memory with no device address. (That neither can be
/// passed as the other is the types' doing: `DeviceAddress` is not a pointer.)
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
}
