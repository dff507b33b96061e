import Foundation
import Vision

/// The defaults that the shell, `mtmc predict` and `mtmc serve` share: each is written here once, and every
/// setting, option, query parameter and help text that has it reads it from here.
public enum Defaults {
    /// Calibrated confidence at or above which a class is listed: `set threshold`, `predict --threshold`,
    /// POST /predict's `threshold` and the upload page's field.
    public static let threshold = 0.5
    /// Largest image, in pixels, that `load`, the shell's `predict` and `mtmc predict` decode (refused from its
    /// header beyond): the decoder's own limit.
    public static let pixelLimit = ImageDecoder.defaultPixelLimit
    /// How `mtmc serve` listens, batches and bounds what a request may cost.
    public static let serve = ServeOptions()
}
