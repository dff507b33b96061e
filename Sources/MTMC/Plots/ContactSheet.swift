import Vision

/// A grid of images, each with caption lines under it: the worst images of a task, samples of a class.
public struct ContactSheet {
    public struct Item {
        public let image: RGBImage
        public let caption: [String]
        /// Caption colour (e.g. red for a wrong prediction).
        public let color: RGB

        public init(image: RGBImage, caption: [String], color: RGB = .black) {
            self.image = image
            self.caption = caption
            self.color = color
        }
    }

    public var title: String
    public var items: [Item]
    /// The side every thumbnail is scaled to, in pixels.
    public var thumbnail = 128
    public var columns = 5

    public init(title: String, items: [Item]) {
        self.title = title
        self.items = items
    }

    /// Draws the sheet: title on top, then rows of thumbnails, each with its caption in 13-pixel text.
    public func draw(font: FontRasterizer) -> Canvas {
        let lineHeight = 17, captionLines = items.map(\.caption.count).max() ?? 0
        let cellWidth = max(thumbnail, 150) + 12, cellHeight = thumbnail + 8 + captionLines * lineHeight + 12
        let rows = (items.count + columns - 1) / columns
        var canvas = Canvas(width: max(1, min(items.count, columns)) * cellWidth + 12, height: 40 + rows * cellHeight)
        font.draw(title, x: 12, y: 26, size: 16, color: .black, on: &canvas)
        for (index, item) in items.enumerated() {
            let x = 12 + (index % columns) * cellWidth, y = 40 + (index / columns) * cellHeight
            let scaled = resized(item.image, width: thumbnail, height: thumbnail)
            for py in 0..<thumbnail {
                for px in 0..<thumbnail {
                    let i = (py * thumbnail + px) * 3
                    canvas.fill(x: x + px, y: y + py, width: 1, height: 1,
                                color: RGB(scaled.pixels[i], scaled.pixels[i + 1], scaled.pixels[i + 2]))
                }
            }
            for (line, text) in item.caption.enumerated() {
                font.draw(text, x: x, y: y + thumbnail + 8 + (line + 1) * lineHeight - 4, size: 13, color: item.color, on: &canvas)
            }
        }
        return canvas
    }
}
