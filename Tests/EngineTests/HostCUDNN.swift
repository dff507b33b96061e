@testable import Engine

/// cuDNN's convolution contract (DeviceConvolution) on host memory, by plain loops over the descriptors'
/// sizes and strides: the CUDA backend's convolutions through it read and write the engine's tensors only
/// where the descriptors say they lie, so a wrong stride, a swapped operand or a missed pass shows up as a
/// wrong result, as it would with cuDNN on a GPU.
final class HostCUDNN: DeviceConvolution {
    let summary = "host loops as cuDNN"
    var report: String { "host loops ran \(calls.values.reduce(0, +)) passes" }
    /// Calls per pass that ran.
    private(set) var calls: [ConvolutionPass: Int] = [:]
    /// Passes answered "no algorithm", as cuDNN does for a geometry it does not support.
    var refused: Set<ConvolutionPass> = []

    func run(_ pass: ConvolutionPass, _ p: ConvolutionDescriptors, _ first: DeviceAddress, _ second: DeviceAddress,
             into output: DeviceAddress) -> Bool {
        guard !refused.contains(pass) else { return false }
        let (first, second, output) = (first.emulatedHostMemory, second.emulatedHostMemory, output.emulatedHostMemory)
        calls[pass, default: 0] += 1
        let (n, c, h, w) = (Int(p.input.sizes[0]), Int(p.input.sizes[1]), Int(p.input.sizes[2]), Int(p.input.sizes[3]))
        let (k, kh, kw) = (Int(p.filter[0]), Int(p.filter[2]), Int(p.filter[3]))
        let (oh, ow) = (Int(p.output.sizes[2]), Int(p.output.sizes[3]))
        func at(_ t: ConvolutionDescriptors.Tensor4D, _ i: Int, _ j: Int, _ y: Int, _ x: Int) -> Int {
            i * Int(t.strides[0]) + j * Int(t.strides[1]) + y * Int(t.strides[2]) + x * Int(t.strides[3])
        }
        func filter(_ o: Int, _ i: Int, _ y: Int, _ x: Int) -> Int { ((o * c + i) * kh + y) * kw + x }
        switch pass {
        case .forward: for b in 0..<n { for o in 0..<k { for y in 0..<oh { for x in 0..<ow { output[at(p.output, b, o, y, x)] = 0 } } } }
        case .backwardData: for b in 0..<n { for i in 0..<c { for y in 0..<h { for x in 0..<w { output[at(p.input, b, i, y, x)] = 0 } } } }
        case .backwardFilter: for e in 0..<(k * c * kh * kw) { output[e] = 0 }
        }
        // Every (image, output channel, output pixel, input channel, kernel tap) pairs one input element with one weight.
        for b in 0..<n { for o in 0..<k { for y in 0..<oh { for x in 0..<ow { for i in 0..<c { for u in 0..<kh { for v in 0..<kw {
            let iy = y * Int(p.stride.h) - Int(p.padding.h) + u, ix = x * Int(p.stride.w) - Int(p.padding.w) + v
            guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
            let input = at(p.input, b, i, iy, ix), out = at(p.output, b, o, y, x), weight = filter(o, i, u, v)
            switch pass {
            case .forward: output[out] += first[input] * second[weight]
            case .backwardData: output[input] += first[weight] * second[out]
            case .backwardFilter: output[weight] += first[input] * second[out]
            }
        } } } } } } }
        return true
    }
}
