import ConciergeTestSupport
import Foundation
import Testing

/// `concierge train --engine spark` without --spark-job, from a binary that has no spark/train_als.py near it.
@Suite struct TrainSparkJobTests {
    @Test func aBinaryWithoutTheJobNearItAsksForSparkJob() throws {
        guard let binary = requireConciergeBinary() else { return }
        let scratch = ScratchDirectory("spark-job")
        let copy = scratch.path + "/bin/concierge"
        try FileManager.default.createDirectory(atPath: scratch.path + "/bin", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: binary, toPath: copy)
        let train = try runProcess(copy, ["train", "--engine", "spark", "--store", scratch.path + "/store.sqlite"])
        #expect(train.status != 0)
        #expect(
            train.stderr.contains(
                "no spark/train_als.py near \(copy) (in a parent folder, or in ../share/concierge): pass --spark-job"),
            "\(train.stderr)")
    }
}
