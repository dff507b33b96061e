@testable import Engine
import XCTest

/// Three SGD-momentum steps of a small two-head conv net, alternating heads, against PyTorch:
/// losses, gradients, updated weights and running statistics (1e-3: summation order differs); on the
/// CPU, and on the CUDA backend with its kernels run on the host (the whole step on the device).
final class ThreeStepTrainingTests: XCTestCase {
    func testThreeSGDStepsOfATwoHeadNetMatchPyTorch() throws {
        try threeSteps(on: .cpu)
    }

    func testThreeSGDStepsOnTheCUDABackendMatchPyTorch() throws {
        try threeSteps(on: .cuda(try EmulatedCUDARuntime.shared.get()))
    }

    private func emulated(_ device: Device) -> EmulatedCUDARuntime? {
        guard case .cuda(let gpu) = device else { return nil }
        return gpu.runtime as? EmulatedCUDARuntime
    }

    private func threeSteps(on device: Device) throws {
        let f = try Fixture("three_steps")
        let initialNames = f.file.names.filter { $0.hasPrefix("initial.") }
        var state: [String: Variable] = [:]
        for name in initialNames {
            let key = String(name.dropFirst("initial.".count))
            let isBuffer = key.hasSuffix("running_mean") || key.hasSuffix("running_var")
            state[key] = Variable(f.file.tensors[name]!.to(device), requiresGrad: !isBuffer)
        }
        func v(_ key: String) -> Variable { state[key]! }
        func bn(_ x: Variable, _ prefix: String) throws -> Variable {
            try batchNorm(x, weight: v("\(prefix).weight"), bias: v("\(prefix).bias"),
                          runningMean: v("\(prefix).running_mean"), runningVar: v("\(prefix).running_var"), training: true)
        }
        func forward(_ x: Variable, task: Int) throws -> Variable {
            var h = relu(try bn(try conv2d(x, v("conv1.weight"), padding: (1, 1)), "bn1"))
            h = try maxPool2d(h, kernel: 2)
            h = relu(try bn(try conv2d(h, v("conv2.weight"), stride: (2, 2), padding: (1, 1)), "bn2"))
            h = try globalAvgPool(h)
            h = relu(try bn(try linear(h, v("head\(task)_embed.weight"), v("head\(task)_embed.bias")), "head\(task)_bn"))
            return try linear(h, v("head\(task)_classifier.weight"), v("head\(task)_classifier.bias"))
        }

        let parameters = state.keys.sorted().filter { state[$0]!.requiresGrad }.map { NamedVariable(name: $0, variable: state[$0]!) }
        let sgd = SGD(parameters: parameters), hyperparameters = SGDHyperparameters(learningRate: 0.1, momentum: 0.9, weightDecay: 1e-4)
        for (step, task) in [0, 1, 0].enumerated() {
            let x = Variable(try f.tensor("step\(step)", "x").to(device))
            let labels = try f.tensor("step\(step)", "labels").scalars.map { Int($0) }
            sgd.zeroGrad()
            let loss = try crossEntropy(try forward(x, task: task), labels: labels)
            assertClose(try loss.value.reshaped([1]), try f.tensor("step\(step)", "loss"), rtol: 1e-3, "step \(step) loss")
            try loss.backward()
            for entry in parameters {
                let key = "step\(step).grad.\(entry.name)"
                if let expected = f.file.tensors[key] {
                    assertClose(entry.variable.grad, expected, rtol: 1e-3, atol: 1e-5, key)
                } else {
                    XCTAssertNil(entry.variable.grad, "\(entry.name) is not used by task \(task) and must have no gradient")
                }
            }
            let copies = emulated(device)?.copiesToHost ?? 0
            try sgd.step(hyperparameters)
            if let runtime = emulated(device) {
                XCTAssertEqual(runtime.copiesToHost - copies, 1, "an SGD step reads back one flag (whether every gradient is finite)")
            }
        }
        for (key, variable) in state {
            XCTAssertEqual(variable.value.device, device, "\(key) left the device")
            assertClose(variable.value, try f.tensor("final", key), rtol: 1e-3, atol: 1e-5, "final \(key)")
        }
    }
}
