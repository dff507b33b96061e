import MTMC
import XCTest

final class ValidationSplitTests: XCTestCase {
    func testEachClassHoldsOutItsShareByFileNameStableWhenFilesAreAdded() {
        let split = ValidationSplit(share: 0.2, seed: 1)
        let names = (0..<50).map { "猫/\($0).jpg" }
        let held = split.isVal(names)
        XCTAssertEqual(held.filter { $0 }.count, 10, "a fifth of 50")
        // Fifty more files: every file held out before is still held out unless it sits at the new boundary,
        // and the count follows the share.
        let grown = split.isVal(names + (50..<100).map { "猫/\($0).jpg" })
        XCTAssertEqual(grown.filter { $0 }.count, 20)
        let before = Set(names.indices.filter { held[$0] }), after = Set(names.indices.filter { grown[$0] })
        XCTAssertTrue(after.isSubset(of: before), "adding files only moves held-out files back to train, never the reverse")
        // Order does not matter: the decision is the file's, not its position's.
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: zip(names, held)),
                       Dictionary(uniqueKeysWithValues: zip(names.reversed(), split.isVal(names.reversed()))))
        XCTAssertNotEqual(held, ValidationSplit(share: 0.2, seed: 2).isVal(names), "another seed, another split")
        XCTAssertEqual(split.key("猫/0.jpg"), ValidationSplit(share: 0.5, seed: 1).key("猫/0.jpg"), "the key is the seed's and path's only")
    }

    func testSmallClassesKeepATrainImageAndGetOneValWhenTheyCan() {
        let split = ValidationSplit(share: 0.2, seed: 1)
        XCTAssertEqual([0, 1, 2, 3, 7, 8, 10].map(split.valCount(of:)), [0, 0, 1, 1, 1, 2, 2])
        XCTAssertEqual(ValidationSplit(share: 0.9, seed: 1).valCount(of: 2), 1, "never the whole class")
        XCTAssertEqual(ValidationSplit(share: 0, seed: 1).valCount(of: 10), 0)
    }
}
