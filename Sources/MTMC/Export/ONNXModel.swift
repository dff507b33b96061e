/// An ONNX model as the few messages of onnx.proto an exported classifier needs, and their encoding
/// (field numbers from onnx.proto: ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto,
/// ValueInfoProto, TypeProto, TensorShapeProto, OperatorSetIdProto, StringStringEntryProto).
public struct ONNXModel {
    public var irVersion: Int
    public var opset: Int
    public var producerVersion: String
    public var graphName: String
    public var nodes: [ONNXNode] = []
    public var initializers: [ONNXTensor] = []
    public var inputs: [ONNXValue] = []
    public var outputs: [ONNXValue] = []
    /// metadata_props, in this order.
    public var metadata: [(key: String, value: String)] = []

    /// The serialized ModelProto.
    public func serialized() -> [UInt8] {
        var model = ProtobufWriter()
        model.int(1, irVersion)
        model.string(2, "mtmc")
        model.string(3, producerVersion)
        model.message(7) { graph in
            for node in nodes { graph.message(1) { node.encode(into: &$0) } }
            graph.string(2, graphName)
            for tensor in initializers { graph.message(5) { tensor.encode(into: &$0) } }
            for value in inputs { graph.message(11) { value.encode(into: &$0) } }
            for value in outputs { graph.message(12) { value.encode(into: &$0) } }
        }
        model.message(8) { $0.string(1, ""); $0.int(2, opset) }
        for (key, value) in metadata { model.message(14) { $0.string(1, key); $0.string(2, value) } }
        return model.bytes
    }
}

/// One operator application (NodeProto) in the default domain.
public struct ONNXNode {
    public var opType: String
    public var inputs: [String]
    public var outputs: [String]
    public var name: String
    public var attributes: [(name: String, value: ONNXAttribute)] = []

    func encode(into node: inout ProtobufWriter) {
        for input in inputs { node.string(1, input) }
        for output in outputs { node.string(2, output) }
        node.string(3, name)
        node.string(4, opType)
        for (name, value) in attributes { node.message(5) { value.encode(name: name, into: &$0) } }
    }
}

/// An attribute value (AttributeProto with its type).
public enum ONNXAttribute {
    case int(Int)
    case float(Float)
    case ints([Int])

    func encode(name: String, into attribute: inout ProtobufWriter) {
        attribute.string(1, name)
        switch self {
        case .float(let f): attribute.float(2, f); attribute.int(20, 1)
        case .int(let i): attribute.int(3, i); attribute.int(20, 2)
        case .ints(let values): attribute.packedInts(8, values); attribute.int(20, 7)
        }
    }
}

/// A float32 initializer (TensorProto with raw little-endian data).
public struct ONNXTensor {
    public var name: String
    public var dims: [Int]
    public var values: [Float]

    func encode(into tensor: inout ProtobufWriter) {
        tensor.packedInts(1, dims)
        tensor.int(2, 1)  // FLOAT
        tensor.string(8, name)
        tensor.bytes(9, values.withUnsafeBufferPointer { buffer in
            // ONNX's raw data is little-endian, as every platform Swift runs mtmc on.
            Array(UnsafeRawBufferPointer(buffer))
        })
    }
}

/// A graph input or output (ValueInfoProto): a float32 tensor whose dimensions are sizes or named (dynamic) ones.
public struct ONNXValue {
    public enum Dimension { case size(Int), named(String) }
    public var name: String
    public var dims: [Dimension]

    func encode(into value: inout ProtobufWriter) {
        value.string(1, name)
        value.message(2) { type in
            type.message(1) { tensor in
                tensor.int(1, 1)  // FLOAT
                tensor.message(2) { shape in
                    for dim in dims {
                        shape.message(1) {
                            switch dim {
                            case .size(let n): $0.int(1, n)
                            case .named(let name): $0.string(2, name)
                            }
                        }
                    }
                }
            }
        }
    }
}
