import ConciergeTestSupport
import ConciergeTraining
import Foundation
import Testing

/// `concierge train --spark-job`'s default: spark/train_als.py found from where the binary is, not from the
/// current folder.
@Suite struct SparkJobLocationTests {
    private func file(_ path: String) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data().write(to: URL(fileURLWithPath: path))
    }

    @Test func aBuildInTheRepositoryFindsTheRepositorysJob() throws {
        let scratch = ScratchDirectory("spark-job")
        try file(scratch.path + "/repo/spark/train_als.py")
        try file(scratch.path + "/repo/.build/x86_64-unknown-linux-gnu/release/concierge")
        #expect(
            SparkJob.script(besideExecutable: scratch.path + "/repo/.build/x86_64-unknown-linux-gnu/release/concierge")
                == scratch.path + "/repo/spark/train_als.py")
    }

    @Test func anInstalledBinaryFindsTheJobUnderShare() throws {
        let scratch = ScratchDirectory("spark-job")
        try file(scratch.path + "/usr/local/share/concierge/spark/train_als.py")
        try file(scratch.path + "/usr/local/bin/concierge")
        #expect(
            SparkJob.script(besideExecutable: scratch.path + "/usr/local/bin/concierge")
                == scratch.path + "/usr/local/share/concierge/spark/train_als.py")
    }

    @Test func nothingFoundIsNil() throws {
        let scratch = ScratchDirectory("spark-job")
        try file(scratch.path + "/opt/concierge/bin/concierge")
        #expect(SparkJob.script(besideExecutable: scratch.path + "/opt/concierge/bin/concierge") == nil)
    }
}
