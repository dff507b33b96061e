import Foundation
import Vision

extension Dataset {
    /// The folder holding task `t`'s training images of class `label`: the folder of one of them (every class
    /// has at least one, or the load fails), so it is right for both tree layouts.
    public func trainFolder(task t: Int, label: Int) -> String? {
        tasks[t].train.first { $0.label == label }.map { (files[$0.image] as NSString).deletingLastPathComponent }
    }

    /// `path` decoded as `load` decodes a file for this dataset's cache, and the size its file declares; throws the
    /// `ImageError` of a file that is not a readable image.
    public func cachedForm(of path: String, pixelLimit: Int) throws -> (image: RGBImage, sourceSize: ImageSize) {
        let decoder = ImageDecoder(pixelLimit: pixelLimit, targetSize: (cache.width, cache.height))
        let image = try decodeForCache(path, decoder: decoder, width: cache.width, height: cache.height)
        let size = try ImageDecoder.declaredSize(file: path)
        return (image, ImageSize(width: size.width, height: size.height))
    }

    /// This dataset with one more training image of task `t`: `file` (already in the tree) of class `label`, its
    /// pixels `image` at the cache's size and `sourceSize` as its file declares. The cache gains the image; the
    /// images already cached are shared, not decoded again.
    public func addingTrainImage(file: String, image: RGBImage, sourceSize: ImageSize, task t: Int, label: Int) -> Dataset {
        let index = files.count
        let old = tasks[t]
        var counts = old.trainCounts
        counts[label].used += 1
        var added = DatasetTask(name: old.name, classes: old.classes, train: old.train + [Sample(image: index, label: label)],
                                val: old.val, trainCounts: counts, valCounts: old.valCounts)
        added.valShare = old.valShare
        var all = tasks
        all[t] = added
        let stamp = FileStamp.current(file)?.stamp ?? FileStamp(size: -1, modifiedNanoseconds: -1)
        return Dataset(root: root, tasks: all, cache: cache.adding(image), files: files + [file], stamps: stamps + [stamp], split: split,
                       broken: broken, skipped: skipped,
                       sourceSizes: sourceSizes + [sourceSize], loadSeconds: loadSeconds, cacheNotes: cacheNotes,
                       chosenCacheMode: chosenCacheMode)
    }
}
