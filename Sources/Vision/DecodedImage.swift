/// A decoded image with the size its file declares: a large JPEG may be decoded at a reduced DCT scale,
/// and what the file held (for a size audit) is then known only from its header.
public struct DecodedImage {
    public let image: RGBImage
    public let sourceSize: (width: Int, height: Int)
}
