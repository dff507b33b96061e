import Foundation

/// Element types of the safetensors format, with their sizes in bytes.
public enum SafeTensorsDType: String, CaseIterable {
    case F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL

    public var size: Int {
        switch self {
        case .F64, .I64: 8
        case .F32, .I32: 4
        case .F16, .BF16, .I16: 2
        case .I8, .U8, .BOOL: 1
        }
    }
}

/// A safetensors file (https://github.com/huggingface/safetensors): an 8-byte little-endian header
/// length, a JSON header (dtype, shape, data_offsets per tensor, and a `__metadata__` string map),
/// then the raw little-endian data. Tensors of every dtype are read as Float32; mtmc writes F32.
public struct SafeTensorsFile {
    /// Tensor names in the order of their data in the file.
    public var names: [String]
    public var tensors: [String: Tensor]
    /// The dtype each tensor had in the file.
    public var dtypes: [String: SafeTensorsDType]
    public var metadata: [String: String]

    /// The largest header accepted, as the reference implementation (100 MB).
    public static let maximumHeaderSize = 100_000_000

    /// Reads and validates a file; every offset, size and dtype is checked before any tensor is allocated.
    public static func read(from path: String) throws -> SafeTensorsFile {
        let data: Data
        do {
            // Read, not mapped: a mapped file that another program truncates faults on the next read of a lost page.
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw EngineError("cannot read \(path): \((error as NSError).localizedDescription)")
        }
        return try decode(data, source: path)
    }

    /// Parses the bytes of a safetensors file; `source` names it in error messages.
    public static func decode(_ data: Data, source: String) throws -> SafeTensorsFile {
        func fail(_ why: String) -> EngineError { EngineError("\(source): not a valid safetensors file: \(why)") }
        guard data.count >= 8 else { throw fail("\(data.count) bytes, too short for the 8-byte header length") }
        let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard headerLength <= UInt64(maximumHeaderSize) else { throw fail("header length \(headerLength) exceeds \(maximumHeaderSize) bytes") }
        guard headerLength <= UInt64(data.count - 8) else {
            throw fail("header length \(headerLength) runs past the end of the file (\(data.count) bytes): truncated?")
        }
        let headerEnd = 8 + Int(headerLength)
        let headerBytes = data.subdata(in: data.startIndex + 8 ..< data.startIndex + headerEnd)
        guard headerBytes.first == UInt8(ascii: "{") else { throw fail("header does not start with '{'") }
        guard let object = try? JSONSerialization.jsonObject(with: headerBytes),
              let header = object as? [String: Any] else { throw fail("header is not a JSON object") }

        var metadata: [String: String] = [:]
        if let raw = header["__metadata__"] {
            guard let map = raw as? [String: Any] else { throw fail("__metadata__ is not an object") }
            for (key, value) in map {
                guard let string = value as? String else { throw fail("__metadata__ value of \(key) is not a string") }
                metadata[key] = string
            }
        }

        struct Entry { let name: String; let dtype: SafeTensorsDType; let shape: [Int]; let begin: Int; let end: Int }
        let dataSize = data.count - headerEnd
        var entries: [Entry] = []
        for (name, raw) in header where name != "__metadata__" {
            guard let info = raw as? [String: Any] else { throw fail("entry \(name) is not an object") }
            guard let dtypeName = info["dtype"] as? String else { throw fail("\(name) has no dtype") }
            guard let dtype = SafeTensorsDType(rawValue: dtypeName) else { throw fail("\(name) has unknown dtype \(dtypeName)") }
            guard let shapeValues = info["shape"] as? [Any] else { throw fail("\(name) has no shape") }
            var shape: [Int] = []
            var elements = 1
            for value in shapeValues {
                guard let number = value as? NSNumber, let dim = Int(exactly: number.doubleValue), dim >= 0 else {
                    throw fail("\(name) has an invalid dimension \(value) in its shape")
                }
                let product = elements.multipliedReportingOverflow(by: dim)
                guard !product.overflow else { throw fail("\(name) shape \(shapeValues) overflows") }
                elements = product.partialValue
                shape.append(dim)
            }
            guard let offsets = info["data_offsets"] as? [Any], offsets.count == 2,
                  let begin = (offsets[0] as? NSNumber).flatMap({ Int(exactly: $0.doubleValue) }),
                  let end = (offsets[1] as? NSNumber).flatMap({ Int(exactly: $0.doubleValue) }),
                  begin >= 0, begin <= end else {
                throw fail("\(name) has invalid data_offsets \(info["data_offsets"] ?? "none")")
            }
            let bytes = elements.multipliedReportingOverflow(by: dtype.size)
            guard !bytes.overflow else { throw fail("\(name): \(dtypeName) \(describe(shape)) needs more bytes than a file can hold") }
            guard end - begin == bytes.partialValue else {
                throw fail("\(name): data_offsets [\(begin), \(end)] hold \(end - begin) bytes but \(dtypeName) \(describe(shape)) needs \(bytes.partialValue)")
            }
            guard end <= dataSize else {
                throw fail("\(name): data_offsets end \(end) is past the data section (\(dataSize) bytes): truncated?")
            }
            entries.append(Entry(name: name, dtype: dtype, shape: shape, begin: begin, end: end))
        }
        entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var covered = 0
        for entry in entries {
            guard entry.begin == covered else {
                throw fail(entry.begin < covered ? "\(entry.name) overlaps the previous tensor's data" : "gap in the data before \(entry.name)")
            }
            covered = entry.end
        }
        guard covered == dataSize else { throw fail("\(dataSize - covered) bytes after the last tensor are not indexed") }

        var tensors: [String: Tensor] = [:]
        var dtypes: [String: SafeTensorsDType] = [:]
        data.withUnsafeBytes { raw in
            let base = raw.baseAddress! + headerEnd
            for entry in entries {
                tensors[entry.name] = convertToFloat(base + entry.begin, dtype: entry.dtype, shape: entry.shape)
                dtypes[entry.name] = entry.dtype
            }
        }
        return SafeTensorsFile(names: entries.map(\.name), tensors: tensors, dtypes: dtypes, metadata: metadata)
    }

    private static func convertToFloat(_ source: UnsafeRawPointer, dtype: SafeTensorsDType, shape: [Int]) -> Tensor {
        var t = Tensor(uninitialized: shape)
        let out = t.mutablePointer()
        let n = t.count
        // Unaligned loads: offsets in a file need not be aligned to the element size.
        func load<T>(_ type: T.Type, _ i: Int) -> T { source.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self) }
        switch dtype {
        case .F32: for i in 0..<n { out[i] = load(Float.self, i) }
        case .F64: for i in 0..<n { out[i] = Float(load(Double.self, i)) }
        case .F16: for i in 0..<n { out[i] = halfToFloat(load(UInt16.self, i)) }
        case .BF16: for i in 0..<n { out[i] = Float(bitPattern: UInt32(load(UInt16.self, i)) << 16) }
        case .I64: for i in 0..<n { out[i] = Float(load(Int64.self, i)) }
        case .I32: for i in 0..<n { out[i] = Float(load(Int32.self, i)) }
        case .I16: for i in 0..<n { out[i] = Float(load(Int16.self, i)) }
        case .I8: for i in 0..<n { out[i] = Float(load(Int8.self, i)) }
        case .U8, .BOOL: for i in 0..<n { out[i] = Float(load(UInt8.self, i)) }
        }
        return t
    }

    /// IEEE half precision to single, by bits (no Float16 type needed).
    private static func halfToFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = Int((h >> 10) & 0x1F), mantissa = UInt32(h & 0x3FF)
        if exponent == 0 { return (sign != 0 ? -1 : 1) * Float(mantissa) * 0x1p-24 }
        if exponent == 31 { return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13)) }
        return Float(bitPattern: sign | UInt32(exponent + 112) << 23 | (mantissa << 13))
    }

    /// The bytes of a safetensors file holding `tensors` as F32, in the given order, and `metadata`.
    public static func encode(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:]) throws -> Data {
        var seen = Set<String>()
        var fields: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { jsonQuoted($0) + ":" + jsonQuoted(metadata[$0]!) }
            fields.append("\"__metadata__\":{" + pairs.joined(separator: ",") + "}")
        }
        var offset = 0
        for (name, tensor) in tensors {
            guard name != "__metadata__", seen.insert(name).inserted else {
                throw EngineError("safetensors: tensor name \(name) is reserved or repeated")
            }
            let size = tensor.count * 4
            fields.append(jsonQuoted(name) + ":{\"dtype\":\"F32\",\"shape\":[" + tensor.shape.map(String.init).joined(separator: ",")
                          + "],\"data_offsets\":[\(offset),\(offset + size)]}")
            offset += size
        }
        var header = Array(("{" + fields.joined(separator: ",") + "}").utf8)
        while header.count % 8 != 0 { header.append(UInt8(ascii: " ")) }
        var data = Data(capacity: 8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: header)
        for (_, tensor) in tensors {
            tensor.to(.cpu).withUnsafeBufferPointer { data.append(UnsafeBufferPointer(start: $0.baseAddress, count: $0.count)) }
        }
        return data
    }

    /// Writes a safetensors file atomically (an interrupted write leaves any previous file intact).
    public static func write(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:], to path: String) throws {
        try writeAtomically(encode(tensors, metadata: metadata), to: path)
    }
}

/// A JSON string literal; non-ASCII text (Chinese class names) stays as UTF-8, unescaped.
public func jsonQuoted(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}
