import ConciergeModel
import ConciergeTestSupport
import Foundation
import Testing

@testable import ConciergeTraining

/// Factors coming back from Spark are refused, like a bad import, unless every vector is there exactly once,
/// in range, of the right length and finite.
@Suite struct SparkFactorsTests {
    /// A folder as Spark's DataFrame JSON writer leaves it: `part-*` files and `_SUCCESS`.
    private func folder(_ lines: [String], committed: Bool = true) throws -> ScratchDirectory {
        let folder = ScratchDirectory("spark-factors")
        try Data(lines.joined(separator: "\n").utf8).write(
            to: URL(fileURLWithPath: folder.path + "/part-00000-c000.json"))
        if committed { try Data().write(to: URL(fileURLWithPath: folder.path + "/_SUCCESS")) }
        return folder
    }

    @Test func readsEveryVectorAndZerosIdsWithoutData() throws {
        let written = try folder([#"{"id":2,"features":[1.5,-2.0E-3]}"#, #"{"id":0,"features":[3,4]}"#])
        let factors = try SparkFactors.read(folder: written.path, rows: 3, rank: 2, required: [true, false, true])
        #expect(factors == DenseMatrix(rows: 3, columns: 2, values: [3, 4, 0, 0, 1.5, -0.002]))
    }

    @Test(arguments: [
        ([#"{"id":0,"features":[1,2]}"#, #"{"id":0,"features":[1,2]}"#], "appears a second time"),
        ([#"{"id":7,"features":[1,2]}"#], "outside 0..<2"),
        ([#"{"id":0,"features":[1]}"#], "has 1 features, not 2"),
        ([#"{"id":0,"features":[1,"NaN"]}"#], "not a finite number"),
        ([#"{"id":0,"features":[1,1e39]}"#], "not a finite number"),
        ([#"{"id":"0","features":[1,2]}"#], "integer id"),
        ([#"{"id":0,"features":[1,2]"#], "integer id"),
        ([#"{"id":1,"features":[1,2]}"#], "id 0 has data but no factors"),
    ])
    func refusesMalformedFactors(lines: [String], problem: String) throws {
        let written = try folder(lines)
        #expect {
            try SparkFactors.read(folder: written.path, rows: 2, rank: 2, required: [true, true])
        } throws: { error in
            (error as? SparkFactors.Malformed)?.problem.contains(problem) == true
        }
    }

    @Test func refusesAWriteThatDidNotCommit() throws {
        let written = try folder([#"{"id":0,"features":[1,2]}"#], committed: false)
        #expect {
            try SparkFactors.read(folder: written.path, rows: 1, rank: 2, required: [true])
        } throws: { error in
            (error as? SparkFactors.Malformed)?.problem.contains("_SUCCESS") == true
        }
    }
}

/// Spark's implicit ALS regularizes each guest with `regParam · nᵤ`; the native λ maps to `λ / n̄`.
@Suite struct SparkALSParametersTests {
    @Test func mapsNativeSettingsToSparksTerms() {
        let configuration = ImplicitALS.Configuration(
            factors: 32, regularization: 0.5, alpha: 10, iterations: 12, seed: 9)
        let parameters = SparkALSParameters(configuration, meanItemsPerGuest: 2)
        #expect(parameters == SparkALSParameters(rank: 32, regParam: 0.25, alpha: 10, maxIter: 12, seed: 9))
        #expect(parameters.hyperParameters["spark.regParam"] == .number(0.25))
        #expect(parameters.hyperParameters["engine"] == "spark")
    }
}
