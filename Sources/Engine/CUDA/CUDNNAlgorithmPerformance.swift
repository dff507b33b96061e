/// One row of the results of cudnnGetConvolution{Forward,BackwardData,BackwardFilter}Algorithm_v7
/// (cudnnConvolutionFwdAlgoPerf_t and its two backward twins, one layout, cudnn_cnn.h of cuDNN 9):
/// algo int at byte 0, status int at 4, time float at 8, memory size_t at 16 (its 8-byte alignment),
/// determinism int at 24, mathType int at 28, reserved int[3] at 32; 48 bytes a row.
struct CUDNNAlgorithmPerformance: Equatable {
    static let stride = 48
    // cudnnMathType_t (cudnn_graph.h): CUDNN_TENSOR_OP_MATH = 1 and CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION = 2
    // run FP32 as TF32 (or lower); CUDNN_DEFAULT_MATH = 0 and CUDNN_FMA_MATH = 3 under an FMA descriptor do not.
    static let tensorOpMath: Set<Int32> = [1, 2]

    let algorithm: Int32
    let status: Int32
    /// Workspace bytes the algorithm needs.
    let workspace: Int
    let mathType: Int32

    init(algorithm: Int32, status: Int32, workspace: Int, mathType: Int32) {
        (self.algorithm, self.status, self.workspace, self.mathType) = (algorithm, status, workspace, mathType)
    }

    /// Reads the row at `row`.
    init(_ row: UnsafeRawPointer) {
        self.init(algorithm: row.loadUnaligned(fromByteOffset: 0, as: Int32.self), status: row.loadUnaligned(fromByteOffset: 4, as: Int32.self),
                  workspace: Int(row.loadUnaligned(fromByteOffset: 16, as: UInt64.self)),
                  mathType: row.loadUnaligned(fromByteOffset: 28, as: Int32.self))
    }

    /// The first usable of `results` (cuDNN lists them best first): one that succeeded, without tensor-op
    /// math, and whose workspace fits `workspaceLimit`.
    static func choose(_ results: [Self], workspaceLimit: Int) -> Self? {
        results.first { $0.status == CUDNN.success && !tensorOpMath.contains($0.mathType) && $0.workspace <= workspaceLimit }
    }
}
