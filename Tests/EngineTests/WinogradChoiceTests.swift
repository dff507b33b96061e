@testable import Engine
import XCTest

/// Which tile each pass of a 3×3 convolution takes under `auto` (the measurements are with
/// `WinogradPlan.automatic` and `init(weightGradientOf:)`).
final class WinogradChoiceTests: XCTestCase {
    private func geometry(batch: Int, channels: Int, outChannels: Int, side: Int) -> ConvGeometry {
        ConvGeometry(batch: batch, channels: channels, height: side, width: side, outChannels: outChannels,
                     kernelH: 3, kernelW: 3, strideH: 1, strideW: 1, padH: 1, padW: 1, outH: side, outW: side, layout: .cnhw)
    }

    func testTheWeightGradientTakesF2WhereTrainingsForwardPassStaysOnIm2col() {
        let lastStage = geometry(batch: 64, channels: 512, outChannels: 512, side: 2)
        XCTAssertNil(WinogradPlan(lastStage, use: .auto)?.tile)
        XCTAssertEqual(WinogradPlan(weightGradientOf: lastStage, use: .auto)?.tile, .f2)
    }

    func testLargeMapsTakeF4AndASingleSmallImageNoWinograd() {
        let large = geometry(batch: 64, channels: 64, outChannels: 128, side: 16)
        XCTAssertEqual(WinogradPlan(large, use: .auto)?.tile, .f4)
        XCTAssertEqual(WinogradPlan(weightGradientOf: large, use: .auto)?.tile, .f4)
        let single = geometry(batch: 1, channels: 128, outChannels: 256, side: 8)
        XCTAssertNil(WinogradPlan(weightGradientOf: single, use: .auto)?.tile)
    }

    func testAForcedTileIsTakenByEveryPass() {
        let lastStage = geometry(batch: 64, channels: 512, outChannels: 512, side: 2)
        XCTAssertEqual(WinogradPlan(weightGradientOf: lastStage, use: .f4)?.tile, .f4)
        XCTAssertNil(WinogradPlan(weightGradientOf: lastStage, use: .off)?.tile)
    }
}
