import Foundation

/// Base64 bytes per escape sequence of the kitty graphics protocol: its documented limit for one chunk.
let kittyChunkSize = 4096

/// The kitty graphics protocol's sequences that transmit a PNG file and show it at the cursor: the file in
/// base64, cut into chunks of at most 4096 bytes, each in its own APC sequence (`ESC _G keys;payload ESC \`).
/// The first chunk carries the keys: `a=T` transmit and display, `f=100` PNG, `q=2` no answer (an answer would
/// arrive as typed input), `c=` the columns to scale to when given; `m=1` says more chunks follow, `m=0` the last.
/// The cursor moves below the picture's last row.
public func kittyImage(png: Data, columns: Int? = nil) -> [String] {
    let payload = Array(png.base64EncodedString().utf8)
    let starts = Array(stride(from: 0, to: max(payload.count, 1), by: kittyChunkSize))
    return starts.enumerated().map { index, start in
        let chunk = String(decoding: payload[start..<min(start + kittyChunkSize, payload.count)], as: UTF8.self)
        let more = index < starts.count - 1 ? "m=1" : "m=0"
        let keys = index == 0 ? "a=T,f=100,q=2" + (columns.map { ",c=\($0)" } ?? "") + "," + more : more
        return "\u{1B}_G" + keys + ";" + chunk + "\u{1B}\\"
    }
}
