@testable import Engine
import XCTest

/// The backward pass frees each intermediate result as soon as no step still to run can read it, so a
/// network's activations do not all live until the pass ends (peak memory of training).
final class BackwardMemoryTests: XCTestCase {
    func testAnIntermediateResultIsFreedOnceItsOwnBackwardStepHasRun() throws {
        let w = Variable(Tensor(shape: [2], repeating: 1), requiresGrad: true)
        weak var second: Variable?
        var secondAliveAtFirstStep: Bool?
        // w → first → second → loss, each op passing its gradient on; the first op's step runs last.
        let first = Variable.result(w.value, parents: [w]) { dy in
            secondAliveAtFirstStep = second != nil
            w.accumulate(dy)
        }
        let loss: Variable = {
            let hidden = Variable.result(first.value, parents: [first]) { dy in first.accumulate(dy) }
            second = hidden
            return Variable.result(Tensor(shape: [2], repeating: 0), parents: [hidden]) { dy in hidden.accumulate(dy) }
        }()
        try loss.backward(seed: Tensor(shape: [2], repeating: 1))
        XCTAssertEqual(secondAliveAtFirstStep, false, "the second result outlived its backward step")
        XCTAssertEqual(w.grad?.scalars, [1, 1])
    }
}
