import Engine

/// The nodes and weights of a multi-task model in evaluation, as an ONNX graph in NCHW: batch norms folded
/// into the layer before them (per set of running statistics), one head per task. Values between nodes are
/// named `SCOPE/OP_N`; the slash keeps them apart from task names, which are folder names.
struct ONNXGraph {
    private(set) var nodes: [ONNXNode] = []
    private(set) var initializers: [ONNXTensor] = []
    /// Prefix of the names made next (`t0` for task 0's backbone, `shared`, `head0` …).
    var scope = ""
    private var made = 0

    /// Adds one node; its output is `output`, or a fresh name.
    @discardableResult
    mutating func add(_ op: String, _ inputs: [String], _ attributes: [(name: String, value: ONNXAttribute)] = [],
                      output: String? = nil) -> String {
        made += 1
        let name = "\(scope)/\(op)_\(made)"
        nodes.append(ONNXNode(opType: op, inputs: inputs, outputs: [output ?? name], name: name, attributes: attributes))
        return output ?? name
    }

    /// Adds a weight under `SCOPE/name`.
    mutating func constant(_ name: String, _ tensor: Tensor) -> String {
        constant(name, dims: tensor.shape, values: tensor.scalars)
    }

    mutating func constant(_ name: String, dims: [Int], values: [Float]) -> String {
        let full = "\(scope)/\(name)"
        initializers.append(ONNXTensor(name: full, dims: dims, values: values))
        return full
    }

    /// activation(bn(conv(x)) + residual), the batch norm folded into the convolution as mtmc folds it.
    mutating func convolution(_ x: String, _ unit: ConvBN, name: String, activation: Activation,
                              adding residual: String? = nil) throws -> String {
        let folded = try foldBatchNorm(weight: unit.conv.weight.value, bias: unit.conv.bias?.value, into: unit.bn)
        let shape = folded.weight.shape, (stride, padding) = (unit.conv.stride, unit.conv.padding)
        var y = add("Conv", [x, constant(name + ".weight", folded.weight), constant(name + ".bias", folded.bias)],
                    [("kernel_shape", .ints([shape[2], shape[3]])), ("strides", .ints([stride.0, stride.1])),
                     ("pads", .ints([padding.0, padding.1, padding.0, padding.1]))])
        if let residual { y = add("Add", [y, residual]) }
        return self.activation(y, activation)
    }

    mutating func activation(_ x: String, _ activation: Activation) -> String {
        switch activation {
        case .identity: x
        case .relu: add("Relu", [x])
        case .leakyReLU(let slope): add("LeakyRelu", [x], [("alpha", .float(slope))])
        }
    }

    /// Max pooling as `maxPool2d` (square kernel, PyTorch's output size without ceil mode).
    mutating func maxPool(_ x: String, kernel: Int, stride: Int, padding: Int = 0) -> String {
        add("MaxPool", [x], [("kernel_shape", .ints([kernel, kernel])), ("strides", .ints([stride, stride])),
                             ("pads", .ints([padding, padding, padding, padding]))])
    }

    /// Images [N, 3, H, W] (normalised) → features [N, F]: the backbone, then the global average pool.
    mutating func backbone(_ backbone: Backbone, input: String) throws -> String {
        var h: String
        switch backbone {
        case let tiny as TinyBackbone:
            h = input
            for (index, block) in tiny.blocks.enumerated() {
                h = try convolution(h, block, name: "blocks.\(index)", activation: .relu)
                if index < 3 { h = maxPool(h, kernel: 2, stride: 2) }
            }
        case let darknet as Darknet:
            h = input
            for (index, unit) in darknet.convs.enumerated() {
                h = try convolution(h, unit, name: "features.\(index)", activation: .leakyReLU(slope: 0.1))
                if Darknet.poolsAfter.contains(index) { h = maxPool(h, kernel: 2, stride: 2) }
            }
        case let resnet as ResNet18:
            h = maxPool(try convolution(input, resnet.stem, name: "conv1", activation: .relu), kernel: 3, stride: 2, padding: 1)
            for (layer, blocks) in resnet.layers.enumerated() {
                for (index, block) in blocks.enumerated() { h = try basicBlock(h, block, name: "layer\(layer + 1).\(index)") }
            }
        default:
            throw EngineError("export onnx: no ONNX form for the backbone \(type(of: backbone))")
        }
        return add("Flatten", [add("GlobalAveragePool", [h])], [("axis", .int(1))])
    }

    private mutating func basicBlock(_ x: String, _ block: BasicBlock, name: String) throws -> String {
        var shortcut = x
        if let downsample = block.downsample {
            if block.averageFirst {
                shortcut = add("AveragePool", [shortcut], [("kernel_shape", .ints([2, 2])), ("strides", .ints([2, 2])),
                                                           ("ceil_mode", .int(1)), ("count_include_pad", .int(0))])
            }
            shortcut = try convolution(shortcut, downsample, name: name + ".downsample", activation: .identity)
        }
        let middle = try convolution(x, block.first, name: name + ".conv1", activation: .relu)
        return try convolution(middle, block.second, name: name + ".conv2", activation: .relu, adding: shortcut)
    }

    /// Features [N, F] → raw outputs [N, classes] named `output`: Linear with BatchNorm1d folded in, ReLU, Linear.
    mutating func head(_ head: Head, features: String, output: String) throws -> String {
        let embed = try foldBatchNorm(weight: head.embed.weight.value, bias: head.embed.bias?.value, into: head.bn)
        let hidden = add("Relu", [add("Gemm", [features, constant("embed.weight", embed.weight), constant("embed.bias", embed.bias)],
                                      [("transB", .int(1))])])
        let classifier = head.classifier
        let bias = classifier.bias?.value ?? Tensor(zeros: [classifier.weight.shape[0]])
        return add("Gemm", [hidden, constant("classifier.weight", classifier.weight.value), constant("classifier.bias", bias)],
                   [("transB", .int(1))], output: output)
    }
}
