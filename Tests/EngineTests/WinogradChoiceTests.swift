@testable import Engine
import XCTest

/// Which tile a 3×3 convolution takes under `auto` (the measurements are with `WinogradPlan.automatic`):
/// F(4,3) from 64 tiles on maps of 4×4 and more, F(2,3) on smaller maps with 128 channels, else im2col.
final class WinogradChoiceTests: XCTestCase {
    private func geometry(batch: Int, channels: Int, outChannels: Int, side: Int) -> ConvGeometry {
        ConvGeometry(batch: batch, channels: channels, height: side, width: side, outChannels: outChannels,
                     kernelH: 3, kernelW: 3, strideH: 1, strideW: 1, padH: 1, padW: 1, outH: side, outW: side, layout: .cnhw)
    }

    func testOneTilePerFourByFourMapTakesF4InEveryPass() {
        let stage = geometry(batch: 64, channels: 256, outChannels: 256, side: 4)
        XCTAssertEqual(WinogradPlan(stage.using(.auto))?.tile, .f4)
        XCTAssertEqual(WinogradPlan(weightGradientOf: stage.using(.auto))?.tile, .f4)
        XCTAssertEqual(WinogradPlan(inputGradientOf: stage.using(.auto))?.tile, .f4)
    }

    func testTwoByTwoMapsTakeF2WithManyChannelsAndIm2colWithFew() {
        XCTAssertEqual(WinogradPlan(geometry(batch: 64, channels: 512, outChannels: 512, side: 2).using(.auto))?.tile, .f2)
        XCTAssertNil(WinogradPlan(geometry(batch: 64, channels: 64, outChannels: 64, side: 2).using(.auto)))
    }

    func testFewTilesAndFirstLayersStayOnIm2col() {
        XCTAssertNil(WinogradPlan(geometry(batch: 1, channels: 128, outChannels: 256, side: 8).using(.auto)))
        XCTAssertNil(WinogradPlan(geometry(batch: 64, channels: 3, outChannels: 32, side: 64).using(.auto)))
    }

    func testAForcedTileIsTakenByEveryPass() {
        let lastStage = geometry(batch: 64, channels: 512, outChannels: 512, side: 2)
        XCTAssertEqual(WinogradPlan(weightGradientOf: lastStage.using(.f4))?.tile, .f4)
        XCTAssertNil(WinogradPlan(weightGradientOf: lastStage.using(.off)))
    }
}
