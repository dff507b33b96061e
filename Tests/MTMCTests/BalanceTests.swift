import Engine
import MTMC
import XCTest

final class BalanceTests: XCTestCase {
    func testBaseQuotaDividesMaxBaseByClassCountScaledToTheSmallestTask() {
        XCTAssertEqual(Balance.baseQuotas(maxBase: 100, classesPerTask: [3, 10]), [100, 30])
        XCTAssertEqual(Balance.baseQuotas(maxBase: 50, classesPerTask: [4, 6, 7]), [50, 33, 28])
    }

    func testQuotasPerClassForAThreeClassTaskBesideATenClassTask() {
        let sizes = [[5, 40, 12], Array(repeating: 20, count: 10)]
        XCTAssertEqual(Balance(maxBase: 60).quotas(classSizes: sizes), [[60, 60, 60], Array(repeating: 18, count: 10)])
        XCTAssertEqual(Balance(mode: .off).quotas(classSizes: sizes), sizes)
        // Default maxBase: mean class size, (57 + 200) / 13 = 19.
        XCTAssertEqual(Balance().quotas(classSizes: sizes), [[19, 19, 19], Array(repeating: 5, count: 10)])
    }

    /// A batch norm cannot train on one sample: a task whose only class with images would draw one draws two.
    func testATaskDrawsAtLeastTwoSamples() {
        // Base 1 for both tasks: the one-class task and the task with one class of images would each draw one.
        XCTAssertEqual(Balance(maxBase: 1).quotas(classSizes: [[3], [1, 0], [1, 1]]), [[2], [2, 1], [1, 1]])
        XCTAssertEqual(Balance(mode: .off).quotas(classSizes: [[1], [0, 1], [1, 1]]), [[2], [0, 2], [1, 1]])
        XCTAssertEqual(Balance(maxBase: 1).quotas(classSizes: [[0, 0]]), [[1, 1]], "no images, nothing drawn either way")
    }

    func testAdaptiveQuotaGrowsAsPrecisionFalls() {
        XCTAssertEqual(Balance.adaptiveQuota(base: 30, precision: 0.5), 45)
        XCTAssertEqual(Balance.adaptiveQuota(base: 30, precision: 1.0), 30)   // p clamped to 0.9999
        XCTAssertEqual(Balance.adaptiveQuota(base: 30, precision: 0.0), 59)   // p clamped to 0.001: 30 + 0.999·30
        XCTAssertEqual(Balance.adaptiveQuota(base: 30, precision: .nan), 59)
        let balance = Balance(mode: .adaptive(precision: [[0.9, 0.2, 0.6]]), maxBase: 40)
        XCTAssertEqual(balance.quotas(classSizes: [[10, 10, 10]]), [[44, 72, 56]])
    }

    func testSmallClassIsRepeatedAsEvenlyAsPossible() {
        var rng = RandomGenerator(seed: 1)
        let drawn = Balance.draw([0, 1, 2], quota: 8, rng: &rng)
        XCTAssertEqual(drawn.count, 8)
        let counts = (0..<3).map { item in drawn.filter { $0 == item }.count }
        XCTAssertEqual(counts.sorted(), [2, 3, 3])
    }

    func testLargeClassGivesARandomSubsetWithoutRepeats() {
        var rng = RandomGenerator(seed: 2)
        let drawn = Balance.draw(Array(0..<100), quota: 30, rng: &rng)
        XCTAssertEqual(Set(drawn).count, 30)
        var again = RandomGenerator(seed: 3)
        XCTAssertNotEqual(Balance.draw(Array(0..<100), quota: 30, rng: &again), drawn)
    }

    func testCoordinatorRepeatsEachTaskOncePerBatchInShuffledOrder() {
        var rng = RandomGenerator(seed: 4)
        let sequence = coordinatorSequence(batchesPerTask: [3, 1, 5], rng: &rng)
        XCTAssertEqual(sequence.count, 9)
        XCTAssertEqual(sequence.filter { $0 == 0 }.count, 3)
        XCTAssertEqual(sequence.filter { $0 == 1 }.count, 1)
        XCTAssertEqual(sequence.filter { $0 == 2 }.count, 5)
        XCTAssertNotEqual(sequence, [0, 0, 0, 1, 2, 2, 2, 2, 2])
        var same = RandomGenerator(seed: 4)
        XCTAssertEqual(coordinatorSequence(batchesPerTask: [3, 1, 5], rng: &same), sequence)
    }

    func testBatchingNeverLeavesASingleSampleBatch() {
        let samples = (0..<9).map { Sample(image: $0, label: 0) }
        XCTAssertEqual(batches(samples, batchSize: 4).map(\.count), [4, 5])
        XCTAssertEqual(batches(samples, batchSize: 3).map(\.count), [3, 3, 3])
        XCTAssertEqual(batches(Array(samples.prefix(1)), batchSize: 4).map(\.count), [1])
    }

    func testEpochPlanDrawsEachTasksQuotasAndInterleavesTasks() throws {
        let tree = TreeBuilder().task("a", classes: ["x": 2, "y": 6, "z": 3]).task("b", classes: ["p": 5, "q": 5])
        let dataset = try Dataset.load(tree.root, cacheSize: (8, 8))
        let quotas = Balance(maxBase: 8).quotas(classSizes: dataset.tasks.map { $0.trainCounts.map(\.used) })
        XCTAssertEqual(quotas, [[5, 5, 5], [8, 8]])  // 8·2/3 and 8·2/2: task b has the fewest classes
        var rng = RandomGenerator(seed: 5)
        let plan = planEpoch(dataset, quotas: quotas, batchSize: 5, rng: &rng)
        XCTAssertEqual(plan.filter { $0.task == 0 }.map(\.samples.count), [5, 5, 5])
        XCTAssertEqual(plan.filter { $0.task == 1 }.map(\.samples.count), [5, 5, 6])  // 16 = 5 + 5 + 5 + 1: the 1 joins
        XCTAssertNotEqual(plan.map(\.task), [0, 0, 0, 1, 1, 1])
        let taskA = plan.filter { $0.task == 0 }.flatMap(\.samples)
        XCTAssertEqual((0..<3).map { label in taskA.filter { $0.label == label }.count }, [5, 5, 5])
        let xImages = taskA.filter { $0.label == 0 }.map(\.image)
        XCTAssertEqual(Set(xImages).map { image in xImages.filter { $0 == image }.count }.sorted(), [2, 3])  // 2 images, 5 draws
    }
}
