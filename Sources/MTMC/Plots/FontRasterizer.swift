import CFreeType
import Foundation

/// Text through FreeType with a CJK-capable font from Debian, so Chinese class names are legible in plots.
public final class FontRasterizer {
    /// Fonts tried in order; fonts-wqy-microhei is what tools/install-deps.sh installs.
    public static let candidates = [
        "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
        "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    ]

    private var library: FT_Library?
    private var face: FT_Face?
    public let path: String
    private var size = 0

    /// Opens the first font found (or `path`); throws naming what to install when there is none.
    public init(path: String? = nil) throws {
        guard let found = path ?? FontRasterizer.candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw PlotError("no CJK font found (looked for \(FontRasterizer.candidates.joined(separator: ", "))); install one: apt-get install fonts-wqy-microhei")
        }
        self.path = found
        guard FT_Init_FreeType(&library) == 0, FT_New_Face(library, found, 0, &face) == 0 else {
            throw PlotError("FreeType cannot open the font \(found)")
        }
    }

    deinit {
        if let face { FT_Done_Face(face) }
        if let library { FT_Done_FreeType(library) }
    }

    private func setSize(_ pixels: Int) {
        guard pixels != size, let face else { return }
        FT_Set_Pixel_Sizes(face, 0, FT_UInt(pixels))
        size = pixels
    }

    /// Width in pixels of `text` at `pixels` size.
    public func width(_ text: String, size pixels: Int) -> Int {
        setSize(pixels)
        guard let face else { return 0 }
        var total = 0
        for scalar in text.unicodeScalars where FT_Load_Char(face, FT_ULong(scalar.value), FT_Int32(FT_LOAD_DEFAULT)) == 0 {
            total += Int(face.pointee.glyph.pointee.advance.x >> 6)
        }
        return total
    }

    /// Draws `text` with its baseline at y, starting at x, blending the glyphs' coverage into the canvas.
    public func draw(_ text: String, x: Int, y: Int, size pixels: Int, color: RGB, on canvas: inout Canvas) {
        setSize(pixels)
        guard let face else { return }
        var penX = x
        for scalar in text.unicodeScalars {
            guard FT_Load_Char(face, FT_ULong(scalar.value), FT_Int32(FT_LOAD_RENDER)) == 0 else { continue }
            let glyph = face.pointee.glyph.pointee
            let bitmap = glyph.bitmap
            if let buffer = bitmap.buffer {
                for row in 0..<Int(bitmap.rows) {
                    for column in 0..<Int(bitmap.width) {
                        let coverage = Double(buffer[row * Int(bitmap.pitch) + column]) / 255
                        if coverage > 0 {
                            canvas.blend(x: penX + Int(glyph.bitmap_left) + column, y: y - Int(glyph.bitmap_top) + row, color: color, alpha: coverage)
                        }
                    }
                }
            }
            penX += Int(glyph.advance.x >> 6)
        }
    }
}

/// Why a picture could not be made.
public struct PlotError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
