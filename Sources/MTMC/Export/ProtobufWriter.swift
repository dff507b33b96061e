/// Protocol Buffers' wire format, as much of it as ONNX's messages need: varints, 32-bit floats,
/// length-delimited bytes (strings, nested messages, packed repeated integers). Fields are written in
/// the order they are called; a reader accepts any order, and packed or unpacked repeated scalars alike.
public struct ProtobufWriter {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    /// A varint field (wire type 0): int32, int64 (negative values as ten-byte two's complement), enums.
    public mutating func int(_ field: Int, _ value: Int) {
        key(field, wireType: 0)
        varint(UInt64(bitPattern: Int64(value)))
    }

    /// A float field (wire type 5, little-endian IEEE 754).
    public mutating func float(_ field: Int, _ value: Float) {
        key(field, wireType: 5)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// A bytes field (wire type 2).
    public mutating func bytes(_ field: Int, _ value: [UInt8]) {
        key(field, wireType: 2)
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// A string field: its UTF-8 bytes.
    public mutating func string(_ field: Int, _ value: String) { bytes(field, Array(value.utf8)) }

    /// A nested message field.
    public mutating func message(_ field: Int, _ build: (inout ProtobufWriter) -> Void) {
        var nested = ProtobufWriter()
        build(&nested)
        bytes(field, nested.bytes)
    }

    /// A packed repeated varint field (proto3's default encoding for repeated integers).
    public mutating func packedInts(_ field: Int, _ values: [Int]) {
        var packed = ProtobufWriter()
        for value in values { packed.varint(UInt64(bitPattern: Int64(value))) }
        bytes(field, packed.bytes)
    }

    private mutating func key(_ field: Int, wireType: UInt64) { varint(UInt64(field) << 3 | wireType) }

    private mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }
}
