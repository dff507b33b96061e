import Engine
import Foundation
import MTMC
import Vision
import XCTest

/// Non-finite and enormous values reach the plots: they draw what can be drawn, never trap or loop.
final class PlotValueTests: XCTestCase {
    func testLinesWithNonFiniteOrFarAwayPointsAreClipped() throws {
        var canvas = Canvas(width: 40, height: 30)
        canvas.line(.nan, 0, 10, 10, color: .black)
        canvas.line(-.infinity, 5, .infinity, 5, color: .black)
        XCTAssertEqual(canvas.pixels, Canvas(width: 40, height: 30).pixels, "nothing drawn for non-finite points")
        canvas.line(-1e15, 15, 1e15, 15, color: .black)  // 10¹⁵ pixels long: clipped to the 40 that show
        XCTAssertEqual(canvas.pixels[(15 * 40 + 20) * 3], 0, "the visible part is drawn")
        let font = try FontRasterizer()
        var panel = Panel(title: "t", xLabel: "x", yLabel: "y", xRange: -1e308...1e308, yRange: 0...1)
        panel.series = [Series(name: "a", points: [(-1e300, 0.5), (1e300, .nan), (3, .infinity)])]
        panel.bars = [(x: 1e300, width: 1e300, height: 0.5)]
        var big = Canvas(width: 600, height: 400)
        panel.draw(on: &big, x: 0, y: 0, width: 600, height: 400, font: font)
        // Every segment has a non-finite end: the panel is the one drawn without them (axes, ticks, legend, bar).
        var withoutPoints = panel
        withoutPoints.series = [Series(name: "a", points: [])]
        var expected = Canvas(width: 600, height: 400)
        withoutPoints.draw(on: &expected, x: 0, y: 0, width: 600, height: 400, font: font)
        XCTAssertTrue(expected.pixels == big.pixels, "a segment with a non-finite end drew something")
        // The bar, a vanishing part of the x range, is one pixel wide inside the plot (x 70…580), from y = 0.5
        // (pixel 190) down to the x axis (pixel 340).
        let barColour: [UInt8] = [120, 160, 220]
        func pixel(_ x: Int, _ y: Int) -> [UInt8] { Array(big.pixels[((y * 600 + x) * 3)..<((y * 600 + x) * 3 + 3)]) }
        let columns = (0..<600).filter { pixel($0, 300) == barColour }
        XCTAssertEqual(columns.count, 1, "the bar's columns at y = 300: \(columns)")
        XCTAssertTrue(columns.allSatisfy { (70...580).contains($0) }, "the bar's columns at y = 300: \(columns)")
        XCTAssertEqual((0..<400).filter { pixel(columns.first ?? 0, $0) == barColour }, Array(190...339), "the bar's rows")
    }
}
