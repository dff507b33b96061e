import Foundation

/// One line of a chart: a name for the legend and its points.
public struct Series {
    public let name: String
    public let points: [(x: Double, y: Double)]
    /// Palette index; nil takes the series' position (two series of one task share a colour).
    public var color: Int?
    public var dashed = false

    public init(name: String, points: [(x: Double, y: Double)], color: Int? = nil, dashed: Bool = false) {
        self.name = name
        self.points = points
        self.color = color
        self.dashed = dashed
    }
}

/// A chart panel: title, axes with ticks and labels, grid, lines or bars, and a legend.
public struct Panel {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var xRange: ClosedRange<Double>
    public var yRange: ClosedRange<Double>
    public var series: [Series] = []
    /// Bars (x centre, width, height) drawn under the lines, e.g. a reliability diagram's accuracy per bin.
    public var bars: [(x: Double, width: Double, height: Double)] = []
    /// A dashed diagonal y = x (perfect calibration).
    public var diagonal = false
    /// Ticks on the x axis at whole numbers only (epochs).
    public var wholeX = false

    public init(title: String, xLabel: String, yLabel: String, xRange: ClosedRange<Double>, yRange: ClosedRange<Double>) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.xRange = xRange
        self.yRange = yRange
    }

    /// Draws the panel into the rectangle (x, y, width, height) of the canvas.
    public func draw(on canvas: inout Canvas, x: Int, y: Int, width: Int, height: Int, font: FontRasterizer) {
        let left = x + 70, right = x + width - 20, top = y + 40, bottom = y + height - 60
        let span = xRange.upperBound - xRange.lowerBound, ySpan = yRange.upperBound - yRange.lowerBound
        func px(_ v: Double) -> Double { Double(left) + (v - xRange.lowerBound) / (span == 0 ? 1 : span) * Double(right - left) }
        func py(_ v: Double) -> Double { Double(bottom) - (v - yRange.lowerBound) / (ySpan == 0 ? 1 : ySpan) * Double(bottom - top) }
        // A pixel position as Int: data far off the panel (or not finite) lands just outside it instead of trapping.
        func pixel(_ v: Double) -> Int { v.isFinite ? Int(min(max(v, -1_000_000), 1_000_000)) : -1_000_000 }
        font.draw(title, x: left, y: y + 24, size: 18, color: .black, on: &canvas)
        let xTicks = NiceTicks(xRange, whole: wholeX), yTicks = NiceTicks(yRange)
        for vx in xTicks.values {
            canvas.line(px(vx), Double(top), px(vx), Double(bottom), color: .light, thickness: 1)
            let xt = xTicks.label(vx)
            font.draw(xt, x: pixel(px(vx)) - font.width(xt, size: 13) / 2, y: bottom + 18, size: 13, color: .black, on: &canvas)
        }
        for vy in yTicks.values {
            canvas.line(Double(left), py(vy), Double(right), py(vy), color: .light, thickness: 1)
            let yt = yTicks.label(vy)
            font.draw(yt, x: left - 8 - font.width(yt, size: 13), y: pixel(py(vy)) + 5, size: 13, color: .black, on: &canvas)
        }
        canvas.line(Double(left), Double(bottom), Double(right), Double(bottom), color: .black, thickness: 1.5)
        canvas.line(Double(left), Double(top), Double(left), Double(bottom), color: .black, thickness: 1.5)
        font.draw(xLabel, x: (left + right - font.width(xLabel, size: 15)) / 2, y: bottom + 42, size: 15, color: .black, on: &canvas)
        font.draw(yLabel, x: x + 6, y: top - 10, size: 15, color: .black, on: &canvas)
        for bar in bars {
            let x0 = px(bar.x - bar.width / 2), x1 = px(bar.x + bar.width / 2)
            canvas.fill(x: pixel(x0) + 1, y: pixel(py(bar.height)), width: max(1, pixel(x1 - x0) - 2),
                        height: pixel(py(yRange.lowerBound) - py(bar.height)),
                        color: RGB(120, 160, 220))
        }
        if diagonal {
            for i in stride(from: 0, to: 20, by: 2) {
                let a = xRange.lowerBound + span * Double(i) / 20, b = xRange.lowerBound + span * Double(i + 1) / 20
                canvas.line(px(a), py(a), px(b), py(b), color: .gray, thickness: 1.5)
            }
        }
        for (index, s) in series.enumerated() {
            let color = RGB.palette[(s.color ?? index) % RGB.palette.count]
            for (p, q) in zip(s.points, s.points.dropFirst()) {
                guard s.dashed else { canvas.line(px(p.x), py(p.y), px(q.x), py(q.y), color: color, thickness: 2); continue }
                // Six dashes per segment, so a dashed line reads as one at any number of epochs.
                for d in stride(from: 0, to: 12, by: 2) {
                    let a = Double(d) / 12, b = Double(d + 1) / 12
                    canvas.line(px(p.x + (q.x - p.x) * a), py(p.y + (q.y - p.y) * a), px(p.x + (q.x - p.x) * b), py(p.y + (q.y - p.y) * b),
                                color: color, thickness: 2)
                }
            }
            if s.points.count == 1 { canvas.line(px(s.points[0].x), py(s.points[0].y), px(s.points[0].x), py(s.points[0].y), color: color, thickness: 5) }
        }
        // Legend, top right inside the plot area.
        let names = series.map(\.name).filter { !$0.isEmpty }
        guard !names.isEmpty else { return }
        let legendWidth = (names.map { font.width($0, size: 14) }.max() ?? 0) + 36
        let lx = right - legendWidth - 8, ly = top + 8
        canvas.fill(x: lx, y: ly, width: legendWidth, height: names.count * 20 + 8, color: RGB(250, 250, 250))
        for (i, s) in series.enumerated() where !s.name.isEmpty {
            let color = RGB.palette[(s.color ?? i) % RGB.palette.count], name = s.name
            let yl = Double(ly + 14 + i * 20)
            if s.dashed {
                canvas.line(Double(lx + 6), yl, Double(lx + 12), yl, color: color, thickness: 3)
                canvas.line(Double(lx + 18), yl, Double(lx + 24), yl, color: color, thickness: 3)
            } else {
                canvas.line(Double(lx + 6), yl, Double(lx + 24), yl, color: color, thickness: 3)
            }
            font.draw(name, x: lx + 30, y: ly + 19 + i * 20, size: 14, color: .black, on: &canvas)
        }
    }
}

/// A heat map of a confusion matrix: cells shaded by row ratio, counts written in, class names on both axes.
public func drawConfusion(_ confusion: [[Int]], classes: [String], title: String, font: FontRasterizer) -> Canvas {
    let k = classes.count
    let labelWidth = (classes.map { font.width($0, size: 15) }.max() ?? 0) + 20
    let cell = max(36, min(70, 640 / max(k, 1)))
    let width = labelWidth + k * cell + 40, height = 90 + k * cell + labelWidth
    var canvas = Canvas(width: width, height: height)
    font.draw(title, x: 10, y: 26, size: 18, color: .black, on: &canvas)
    font.draw("rows: true class · columns: predicted · shade: share of the row", x: 10, y: 50, size: 13, color: .gray, on: &canvas)
    let top = 70
    for (r, row) in confusion.enumerated() {
        let total = max(1, row.reduce(0, +))
        font.draw(classes[r], x: labelWidth - 10 - font.width(classes[r], size: 15), y: top + r * cell + cell / 2 + 6, size: 15, color: .black, on: &canvas)
        for (c, count) in row.enumerated() {
            let share = Double(count) / Double(total)
            let shade = RGB(UInt8(255 - 200 * share), UInt8(255 - 140 * share), UInt8(255 - 40 * share))
            canvas.fill(x: labelWidth + c * cell, y: top + r * cell, width: cell - 1, height: cell - 1, color: shade)
            let text = "\(count)"
            font.draw(text, x: labelWidth + c * cell + (cell - font.width(text, size: 14)) / 2, y: top + r * cell + cell / 2 + 5, size: 14,
                      color: share > 0.6 ? .white : .black, on: &canvas)
        }
    }
    // Column labels, written downwards one character per line so long names fit.
    for (c, name) in classes.enumerated() {
        var y = top + k * cell + 20
        for ch in name {
            let s = String(ch)
            font.draw(s, x: labelWidth + c * cell + (cell - font.width(s, size: 15)) / 2, y: y, size: 15, color: .black, on: &canvas)
            y += 18
        }
    }
    return canvas
}
