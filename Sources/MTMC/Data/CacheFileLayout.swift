/// The layout of a disk cache file (all words little-endian UInt64):
///
///     header   16 words: magic, version, width, height, images, images per chunk, format, pixel limit,
///              JPEG quality, manifest bytes, manifest checksum, chunks, header checksum (of words 0–11)
///     manifest the tree's files (TreeManifest), padded to 8 bytes
///     table    per chunk: offset, length, checksum; length 0 means not written yet, offset `corruptMark`
///              that a session found the chunk failing its checksum
///     chunks   in order, each: image count n, n entries (kind << 56 | payload bytes), n sizes the source
///              files declare (width << 32 | height; 0 for a broken image), then the payloads
///
/// Slots hold images in `CacheOrder`'s fixed shuffle (version 3; 2 stored them in dataset order), so every chunk
/// mixes classes and an epoch can read chunks whole. Chunks are appended one at a time and their table entry written after their bytes, so a file cut
/// short by Ctrl-C holds a prefix of complete chunks that a later load continues from. Images are read
/// whole from a chunk; the chunk's checksum guards the entries, sizes and payloads together, and is checked
/// when the chunk is first read. The declared sizes spare a reusing load from opening every source file.
struct CacheFileLayout: Equatable {
    static let magic: UInt64 = 0x3143_4D49_434D_544D  // "MTMCIMC1"
    static let version: UInt64 = 3
    /// The offset word of a chunk found corrupt on a read.
    static let corruptMark = UInt64.max
    static let headerBytes = 128

    let width: Int
    let height: Int
    let images: Int
    let imagesPerChunk: Int
    let format: CacheFormat
    let pixelLimit: Int
    let jpegQuality: Int
    let manifestBytes: Int
    let manifestChecksum: UInt64

    var chunks: Int { (images + imagesPerChunk - 1) / imagesPerChunk }
    var tableOffset: Int { CacheFileLayout.headerBytes + (manifestBytes + 7) / 8 * 8 }
    var dataOffset: Int { tableOffset + chunks * 24 }

    /// The images of chunk `c`.
    func range(ofChunk c: Int) -> Range<Int> { (c * imagesPerChunk)..<min(images, (c + 1) * imagesPerChunk) }

    func encodedHeader() -> [UInt8] {
        var words: [UInt64] = [CacheFileLayout.magic, CacheFileLayout.version, UInt64(width), UInt64(height), UInt64(images),
                               UInt64(imagesPerChunk), format == .raw ? 0 : 1, UInt64(pixelLimit), UInt64(jpegQuality),
                               UInt64(manifestBytes), manifestChecksum, UInt64(chunks)]
        words.append(words.withUnsafeBytes { checksum($0) })
        words += [0, 0, 0]
        return words.flatMap { word in withUnsafeBytes(of: word.littleEndian) { Array($0) } }
    }

    /// Reads a header; throws the reason it cannot be one of ours.
    init(decoding bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count >= CacheFileLayout.headerBytes else { throw CacheFileProblem("shorter than its header") }
        let words = (0..<13).map { UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self)) }
        guard words[0] == CacheFileLayout.magic else { throw CacheFileProblem("not an mtmc cache file (bad magic number)") }
        guard words[1] == CacheFileLayout.version else { throw CacheFileProblem("made by another version (\(words[1]))") }
        guard Array(words[0..<12]).withUnsafeBytes({ checksum($0) }) == words[12] else { throw CacheFileProblem("its header fails its checksum") }
        guard words[6] <= 1, words[5] > 0, words[9] < 1 << 40, words[4] < 1 << 32, words[2] < 1 << 16, words[3] < 1 << 16 else {
            throw CacheFileProblem("its header holds impossible values")
        }
        self.init(width: Int(words[2]), height: Int(words[3]), images: Int(words[4]), imagesPerChunk: Int(words[5]),
                  format: words[6] == 0 ? .raw : .jpeg, pixelLimit: Int(words[7]), jpegQuality: Int(words[8]),
                  manifestBytes: Int(words[9]), manifestChecksum: words[10])
    }

    init(width: Int, height: Int, images: Int, imagesPerChunk: Int, format: CacheFormat, pixelLimit: Int, jpegQuality: Int,
         manifestBytes: Int, manifestChecksum: UInt64) {
        self.width = width
        self.height = height
        self.images = images
        self.imagesPerChunk = imagesPerChunk
        self.format = format
        self.pixelLimit = pixelLimit
        self.jpegQuality = jpegQuality
        self.manifestBytes = manifestBytes
        self.manifestChecksum = manifestChecksum
    }
}

/// How a disk cache stores each image.
public enum CacheFormat: String, CaseIterable, Equatable {
    /// The decoded pixels as they are: exact, w·h·3 bytes an image.
    case raw
    /// Re-encoded as JPEG at the cache size: a fraction of the bytes, decoded again on every read.
    case jpeg
}

/// What an image entry of a chunk holds.
enum CacheEntryKind: UInt64 {
    case raw = 0, jpeg = 1
    /// The image could not be decoded at load; the payload is the reason, in UTF-8.
    case broken = 2
}

/// Why a cache file cannot be used as it is.
struct CacheFileProblem: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A 64-bit checksum of `bytes`: each word is mixed in by a rotate and an odd multiply, both
/// bijections, so a change to any one word always changes the result.
func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
    var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
    let words = bytes.count / 8
    for i in 0..<words {
        let w = bytes.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)
        h = ((h ^ w) << 29 | (h ^ w) >> 35) &* 0x0000_0100_0000_01B3 &+ 0x9E37_79B9
    }
    for i in (words * 8)..<bytes.count { h = ((h ^ UInt64(bytes[i])) << 29 | (h ^ UInt64(bytes[i])) >> 35) &* 0x0000_0100_0000_01B3 }
    return h
}
