@testable import Engine
import Foundation
import XCTest

/// The cuDNN path of the CUDA backend without cuDNN: the descriptors it derives from a convolution, the
/// choice among cuDNN's algorithm results, the backend's use of the library (on the emulated runtime with
/// `HostCUDNN`), the fallback to im2col and GEMM, and the reason given when the library is off or missing.
final class CUDNNConvolutionTests: XCTestCase {
    private func geometry(_ layout: ImageLayout, batch: Int = 2) -> ConvGeometry {
        ConvGeometry(batch: batch, channels: 3, height: 5, width: 7, outChannels: 4, kernelH: 3, kernelW: 2, strideH: 2, strideW: 1,
                     padH: 1, padW: 0, outH: 3, outW: 6, layout: layout)
    }

    func testDescriptorsGiveNCHWItsPackedStrides() throws {
        let d = try XCTUnwrap(ConvolutionDescriptors(geometry(.nchw)))
        XCTAssertEqual(d.input, .init(sizes: [2, 3, 5, 7], strides: [105, 35, 7, 1]))
        XCTAssertEqual(d.output, .init(sizes: [2, 4, 3, 6], strides: [72, 18, 6, 1]))
        XCTAssertEqual(d.filter, [4, 3, 3, 2])
        XCTAssertEqual([d.padding.h, d.padding.w, d.stride.h, d.stride.w], [1, 0, 2, 1])
    }

    func testDescriptorsGiveChannelMajorCNHWItsStridesWithoutATranspose() throws {
        // [C, N, H, W]: the next image is one plane on, the next channel the whole batch's planes on.
        let d = try XCTUnwrap(ConvolutionDescriptors(geometry(.cnhw)))
        XCTAssertEqual(d.input, .init(sizes: [2, 3, 5, 7], strides: [35, 70, 7, 1]))
        XCTAssertEqual(d.output, .init(sizes: [2, 4, 3, 6], strides: [18, 36, 6, 1]))
    }

    func testDescriptorsRefuseATensorPastCUDNNs32BitSizes() {
        XCTAssertNotNil(ConvolutionDescriptors(geometry(.cnhw, batch: 20_000_000)))
        XCTAssertNil(ConvolutionDescriptors(geometry(.cnhw, batch: 21_000_000)), "3·5·7·21e6 elements pass Int32.max")
    }

    func testAlgorithmRowsAreReadAtTheOffsetsOfCUDNNsPerfStruct() {
        let rows = UnsafeMutableRawPointer.allocate(byteCount: 2 * CUDNNAlgorithmPerformance.stride, alignment: 8)
        defer { rows.deallocate() }
        memset(rows, 0x5a, 2 * CUDNNAlgorithmPerformance.stride)  // time, determinism and reserved: noise
        for (row, values) in [(0, (Int32(6), Int32(3000), UInt64(0), Int32(1))), (1, (Int32(1), Int32(0), UInt64(5_000_000_000), Int32(3)))] {
            let base = rows + row * CUDNNAlgorithmPerformance.stride
            base.storeBytes(of: values.0, toByteOffset: 0, as: Int32.self)
            base.storeBytes(of: values.1, toByteOffset: 4, as: Int32.self)
            base.storeBytes(of: values.2, toByteOffset: 16, as: UInt64.self)
            base.storeBytes(of: values.3, toByteOffset: 28, as: Int32.self)
        }
        XCTAssertEqual(CUDNNAlgorithmPerformance(rows), .init(algorithm: 6, status: 3000, workspace: 0, mathType: 1))
        XCTAssertEqual(CUDNNAlgorithmPerformance(rows + CUDNNAlgorithmPerformance.stride),
                       .init(algorithm: 1, status: 0, workspace: 5_000_000_000, mathType: 3))
    }

    func testTheFirstSucceededFMAAlgorithmWithinTheWorkspaceLimitIsChosen() {
        let failed = CUDNNAlgorithmPerformance(algorithm: 0, status: 3000, workspace: 0, mathType: 3)
        let tf32 = CUDNNAlgorithmPerformance(algorithm: 1, status: 0, workspace: 0, mathType: 1)
        let converting = CUDNNAlgorithmPerformance(algorithm: 2, status: 0, workspace: 0, mathType: 2)
        let large = CUDNNAlgorithmPerformance(algorithm: 3, status: 0, workspace: 2048, mathType: 3)
        let fma = CUDNNAlgorithmPerformance(algorithm: 4, status: 0, workspace: 1024, mathType: 3)
        let plain = CUDNNAlgorithmPerformance(algorithm: 5, status: 0, workspace: 0, mathType: 0)
        XCTAssertEqual(CUDNNAlgorithmPerformance.choose([failed, tf32, converting, large, fma, plain], workspaceLimit: 1024), fma)
        XCTAssertEqual(CUDNNAlgorithmPerformance.choose([large, plain], workspaceLimit: 1024), plain)
        XCTAssertNil(CUDNNAlgorithmPerformance.choose([failed, tf32, large], workspaceLimit: 1024))
    }

    /// A 3×3 stride-2 convolution with bias, in CNHW, forward and backward on `device`.
    private func convolve(on device: Device) throws -> [Tensor] {
        var rng = RandomGenerator(seed: 11)
        let x = Variable(Initializer.normal(shape: [2, 3, 9, 8], std: 1, rng: &rng).inLayout(.cnhw).to(device), requiresGrad: true)
        let w = Variable(Initializer.normal(shape: [5, 3, 3, 3], std: 1, rng: &rng).to(device), requiresGrad: true)
        let b = Variable(Initializer.normal(shape: [5], std: 1, rng: &rng).to(device), requiresGrad: true)
        let y = try conv2d(x, w, b, stride: (2, 2), padding: (1, 1))
        try y.backward(seed: Initializer.normal(shape: y.shape, std: 1, rng: &rng).to(device))
        return [y.value, x.grad!, w.grad!, b.grad!]
    }

    private func cudnnDevice() throws -> (Device, EmulatedCUDARuntime, HostCUDNN) {
        let device = try EmulatedCUDARuntime.withCUDNN.get()
        let runtime = try XCTUnwrap(device.runtime as? EmulatedCUDARuntime), library = try XCTUnwrap(runtime.convolution as? HostCUDNN)
        return (.cuda(device), runtime, library)
    }

    func testConvolutionsForwardAndBackwardGoThroughTheLibraryWhenPresent() throws {
        let (gpu, runtime, library) = try cudnnDevice()
        library.refused = []
        runtime.forgetLaunches()
        let before = library.calls
        let results = try convolve(on: gpu)
        for pass in ConvolutionPass.allCases { XCTAssertEqual(library.calls[pass, default: 0], before[pass, default: 0] + 1, "\(pass)") }
        XCTAssertTrue(runtime.launched.isDisjoint(with: ["im2col", "col2im", "gemm"]), "own kernels ran: \(runtime.launched.sorted())")
        for (name, (actual, expected)) in zip(["y", "dx", "dw", "db"], zip(results, try convolve(on: .cpu))) {
            assertClose(actual.to(.cpu), expected, rtol: 1e-4, atol: 1e-5, name)
        }
    }

    func testAPassWithoutAnAlgorithmFallsBackToIm2colAndGEMM() throws {
        let (gpu, runtime, library) = try cudnnDevice()
        defer { library.refused = [] }
        let expected = try convolve(on: .cpu)
        for refused in ConvolutionPass.allCases {
            library.refused = [refused]
            runtime.forgetLaunches()
            let results = try convolve(on: gpu)
            XCTAssertTrue(runtime.launched.contains(refused == .backwardData ? "col2im" : "im2col"), "\(refused): \(runtime.launched.sorted())")
            for (name, (actual, expected)) in zip(["y", "dx", "dw", "db"], zip(results, expected)) {
                assertClose(actual.to(.cpu), expected, rtol: 1e-4, atol: 1e-5, "\(name) with \(refused) refused")
            }
        }
    }

    func testCUDNNTurnedOffOrMissingSaysWhy() throws {
        let saved = ProcessInfo.processInfo.environment["MTMC_CUDNN"]
        defer { if let saved { setenv("MTMC_CUDNN", saved, 1) } else { unsetenv("MTMC_CUDNN") } }
        let allocate: (Int) throws -> DeviceAddress = { _ in throw EngineError("no device") }
        setenv("MTMC_CUDNN", "off", 1)
        XCTAssertEqual(CUDNN.open(allocate: allocate, release: { _ in }).failureReason, "turned off by $MTMC_CUDNN=off")
        setenv("MTMC_CUDNN", "/nonexistent/libcudnn.so.9", 1)
        let reason = CUDNN.open(allocate: allocate, release: { _ in }).failureReason
        XCTAssertTrue(reason.hasPrefix("cannot load /nonexistent/libcudnn.so.9 ("), reason)
        XCTAssertTrue(reason.hasSuffix("; the path in $MTMC_CUDNN"), reason)
    }
}
