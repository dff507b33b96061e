import Foundation
import XCTest

/// What the serve tests share: a folder with an untrained checkpoint, the sample images, and images made
/// in memory.
enum ServeFixtures {
    /// A new temporary folder holding `plain.safetensors` (tiny, 16×16 input, untrained); the caller removes it.
    static func folderWithCheckpoint() -> String {
        let folder = MTMC.temporaryFolder()
        let made = try? MTMC.run(["-c", "set size 16; load \(MTMC.repository)/samples/prints; model tiny; save plain.safetensors"], in: folder)
        precondition(made?.status == 0, made?.output ?? "mtmc did not run")
        return folder
    }

    /// The bytes of samples/predict/NAME.
    static func sample(_ name: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: MTMC.repository + "/samples/predict/" + name))
    }

    /// A black RGB PNG of `width`×`height` whose pixels compress about 1000 to 1 (a decompression bomb in
    /// miniature): the zlib stream is one literal zero and then copies of 258 bytes at distance 1.
    static func blackPNG(width: Int, height: Int) -> Data {
        let raw = height * (1 + 3 * width)  // each row: filter byte 0, then its pixels
        var bits = BitWriter()
        bits.write(0b1, count: 1)  // final block
        bits.write(0b01, count: 2)  // fixed Huffman codes
        bits.writeCode(0x30, count: 8)  // literal 0
        var left = raw - 1
        while left >= 258 {
            bits.writeCode(0xC5, count: 8)  // length 258
            bits.writeCode(0, count: 5)  // distance 1
            left -= 258
        }
        for _ in 0..<left { bits.writeCode(0x30, count: 8) }
        bits.writeCode(0, count: 7)  // end of block
        let adler = UInt32(raw % 65521) << 16 | 1  // Adler-32 of zeros: a stays 1, b adds 1 per byte
        let zlib = Data([0x78, 0x01]) + bits.padded + bigEndian(adler)
        let header = bigEndian(UInt32(width)) + bigEndian(UInt32(height)) + Data([8, 2, 0, 0, 0])
        return Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) + chunk("IHDR", header) + chunk("IDAT", zlib) + chunk("IEND", Data())
    }

    private static func chunk(_ type: String, _ data: Data) -> Data {
        let body = Data(type.utf8) + data
        return bigEndian(UInt32(data.count)) + body + bigEndian(crc32(body))
    }

    private static func bigEndian(_ value: UInt32) -> Data {
        Data([UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)])
    }

    private static func crc32(_ data: Data) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
        }
        return ~crc
    }
}

/// Bits in DEFLATE's order: values least significant bit first, Huffman codes most significant bit first.
private struct BitWriter {
    private(set) var bytes = Data()
    private var current: UInt8 = 0
    private var used = 0

    mutating func write(_ value: Int, count: Int) {
        for i in 0..<count { push((value >> i) & 1) }
    }

    mutating func writeCode(_ code: Int, count: Int) {
        for i in (0..<count).reversed() { push((code >> i) & 1) }
    }

    private mutating func push(_ bit: Int) {
        current |= UInt8(bit) << used
        used += 1
        if used == 8 { flush() }
    }

    private mutating func flush() {
        bytes.append(current)
        current = 0
        used = 0
    }

    /// The bytes with the last one padded.
    var padded: Data {
        var copy = self
        if copy.used > 0 { copy.flush() }
        return copy.bytes
    }
}

/// Tests against `mtmc serve` that share one folder holding `plain.safetensors`, made once per class.
class ServeFolderTestCase: XCTestCase {
    nonisolated(unsafe) static var sharedFolder = ""

    override class func setUp() {
        sharedFolder = ServeFixtures.folderWithCheckpoint()
    }

    override class func tearDown() {
        try? FileManager.default.removeItem(atPath: sharedFolder)
    }

    var folder: String { Self.sharedFolder }
}
