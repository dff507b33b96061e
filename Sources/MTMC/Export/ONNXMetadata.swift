import Engine
import Foundation
import Vision

/// The exported model's metadata_props, each value JSON: what another program needs to prepare an image exactly
/// as `predict` does and to print what `predict --json` prints.
func onnxMetadata(_ d: ONNXExportDescription, statistics: String, architecture: String) -> [(key: String, value: String)] {
    let calibration = d.calibration.filter { table in d.tasks.contains { $0.name == table.task && $0.classes == table.classes } }
    let cache = Dataset.cacheSize(forInput: d.inputSize)
    return [
        ("mtmc_version", jsonQuoted(d.mtmcVersion)),
        ("checkpoint_sha256", jsonQuoted(d.checkpointSHA256)),
        ("architecture", jsonQuoted(architecture)),
        ("bn_statistics", jsonQuoted(statistics)),
        ("tasks", "[" + d.tasks.map { task in
            "{\"name\": \(jsonQuoted(task.name)), \"classes\": [" + task.classes.map(jsonQuoted).joined(separator: ", ")
                + "], \"raw_output\": \(jsonQuoted(task.name)), \"softmax_output\": \(jsonQuoted(task.name + "_softmax"))}"
        }.joined(separator: ", ") + "]"),
        ("input_size", "{\"width\": \(d.inputSize.width), \"height\": \(d.inputSize.height)}"),
        ("normalization", "{\"mean\": \(floats(d.normalization.mean)), \"std\": \(floats(d.normalization.std)), "
            + "\"in_graph\": \"(image - mean) * (1 / std), per RGB channel, float32\"}"),
        ("preprocessing", preprocessingJSON(input: d.inputSize, intermediate: cache)),
        ("calibration", calibration.isEmpty ? "null" : calibrationExportJSON(calibration)),
    ]
}

private func floats(_ values: [Float]) -> String { "[" + values.map { "\($0)" }.joined(separator: ", ") + "]" }

/// How `predict` turns a file into the graph's input (ImageDecoder, `predictLogits`, `resized`), step by step.
private func preprocessingJSON(input: (width: Int, height: Int), intermediate: (width: Int, height: Int)) -> String {
    let steps = [
        "decode JPEG with libjpeg-turbo's TurboJPEG API (tjDecompress2, TJFLAG_ACCURATEDCT: islow IDCT, fancy upsampling) to RGB, "
            + "at the scaling factor num/denom <= 1 from tjGetScalingFactors whose size ceil(w*num/denom) x ceil(h*num/denom) has "
            + "both sides >= intermediate_size and the smallest area (strictly smaller than the full size's to be chosen); "
            + "CMYK and YCCK JPEGs are decoded as CMYK and converted R = (C*K + 127) // 255 (likewise G, B); "
            + "a JPEG TurboJPEG reports corrupt or truncated (a warning) is refused",
        "decode PNG with libpng's simplified API (png_image_begin_read_from_memory, png_image_finish_read, no background): "
            + "an 8-bit PNG with format PNG_FORMAT_FLAG_COLOR|PNG_FORMAT_FLAG_ALPHA, each colour sample composited on white "
            + "as v = (v*a + 255*(255 - a) + 127) // 255; a 16-bit PNG (its header format has PNG_FORMAT_FLAG_LINEAR) with format "
            + "PNG_FORMAT_FLAG_COLOR|PNG_FORMAT_FLAG_ALPHA|PNG_FORMAT_FLAG_LINEAR, each sample v = min(65535, v + 65535 - a) >> 8",
        "resize the decoded image to intermediate_size, then that to input_size, each with `resize` (skipped when the size is already right)",
        "pixel values / 255 as float32, RGB planes: the graph's input image[n] (3 x input height x input width)",
    ]
    let resize = "separable antialiased bilinear, Pillow's BILINEAR coefficients: for each axis from size in to size out, "
        + "scale = in/out, support = max(scale, 1), for output o: center = (o + 0.5)*scale, "
        + "lo = max(int(center - support + 0.5), 0), hi = min(int(center + support + 0.5), in), "
        + "weight[i] = float32(max(0, 1 - |(i - center + 0.5)/support|)) for i in lo..<hi (float64 arithmetic before the cast), "
        + "each divided by their float32 sum (summed in order; no division when the sum is 0); "
        + "first along rows (skipped when the width is already right), then along columns (skipped when the height is): "
        + "output = sum over taps in order of weight*value in float32 (a multiply, then an add, each rounded), "
        + "rounded to 8 bits after each pass as min(255, int(sum + 0.5))"
    return "{\"intermediate_size\": {\"width\": \(intermediate.width), \"height\": \(intermediate.height)}, "
        + "\"input_size\": {\"width\": \(input.width), \"height\": \(input.height)}, "
        + "\"steps\": [" + steps.map(jsonQuoted).joined(separator: ", ") + "], \"resize\": \(jsonQuoted(resize))}"
}
