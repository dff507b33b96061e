import Engine
@testable import MTMC
import XCTest

/// `set order chunks`: an epoch read chunk by chunk of the cache, with the same samples as a full shuffle.
final class EpochOrderTests: XCTestCase {
    /// 400 images in chunks of 10, each drawn once.
    private let cache = CacheOrder(images: 400, imagesPerChunk: 10)
    private let samples = (0..<400).map { Sample(image: $0, label: $0 % 5) }

    private func distinctChunks(_ batch: [Sample]) -> Int { Set(batch.map { cache.chunk(ofImage: $0.image) }).count }

    func testTheStorageOrderIsAFixedShuffleThatMixesClassesInEveryChunk() {
        XCTAssertEqual(CacheOrder(images: 400, imagesPerChunk: 10), cache, "the same for the same number of images")
        XCTAssertEqual(cache.chunks, 40)
        XCTAssertEqual(cache.images.sorted(), Array(0..<400))
        XCTAssertEqual((0..<400).filter { cache.images[cache.slots[$0]] != $0 }, [])
        XCTAssertNotEqual(cache.images, Array(0..<400))
        let labelsPerChunk = (0..<40).map { c in Set(cache.images(inChunk: c).map { $0 % 5 }).count }
        XCTAssertGreaterThanOrEqual(labelsPerChunk.min()!, 3, "10 images of 5 interleaved classes: every chunk mixes classes")
    }

    func testChunkOrderDrawsTheSameNumbersAndSamplesAsAShuffle() {
        var a = RandomGenerator(seed: 9), b = RandomGenerator(seed: 9)
        let repeated = samples + samples.prefix(37)
        let shuffled = EpochOrder.shuffle.arrange(repeated, cache: cache, rng: &a)
        let chunked = EpochOrder.chunks.arrange(repeated, cache: cache, rng: &b)
        XCTAssertEqual(a.next(), b.next(), "the generator is left where a shuffle leaves it")
        XCTAssertEqual(chunked.map(\.image).sorted(), repeated.map(\.image).sorted())
        XCTAssertNotEqual(chunked, shuffled)
    }

    func testConsecutiveBatchesUnderChunkOrderTouchFewChunks() {
        var a = RandomGenerator(seed: 3), b = RandomGenerator(seed: 3)
        let chunked = batches(EpochOrder.chunks.arrange(samples, cache: cache, rng: &a), batchSize: 8)
        let shuffled = batches(EpochOrder.shuffle.arrange(samples, cache: cache, rng: &b), batchSize: 8)
        XCTAssertEqual(chunked.map(distinctChunks).max(), 4, "a window of 4 whole chunks is 40 samples, 5 batches of 8")
        XCTAssertEqual(chunked.map(distinctChunks).reduce(0, +), 188, "of 50 batches, most mix all 4 chunks of their window")
        XCTAssertEqual(shuffled.map(distinctChunks).reduce(0, +), 367, "a shuffle: nearly every sample from another chunk")
        let firstSeen = chunked.flatMap { $0 }.map { cache.chunk(ofImage: $0.image) }.reduce(into: [Int]()) { if !$0.contains($1) { $0.append($1) } }
        XCTAssertEqual(firstSeen.count, 40)
        for (w, window) in stride(from: 0, to: 400, by: 40).enumerated() {
            let chunks = Set(chunked.flatMap { $0 }[window..<(window + 40)].map { cache.chunk(ofImage: $0.image) })
            XCTAssertEqual(chunks, Set(firstSeen[(w * 4)..<(w * 4 + 4)]), "window \(w) reads its 4 chunks and no other")
        }
    }
}
