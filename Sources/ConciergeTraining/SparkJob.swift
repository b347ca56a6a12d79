import ConciergeData
public import ConciergeModel
import Foundation

/// Fits Spark ALS grid points with `spark-submit` and the repository's PySpark job (`spark/train_als.py`).
///
/// Each call is one Spark application, so the JVM starts once for a whole stage of training. Its work folder
/// (the interactions as CSV, the request, the factors, the log) is removed when the factors are read; after a
/// failure it stays, and the error names it.
public struct SparkJob: Sendable {
    /// `spark-submit`'s `--master`.
    public let master: String
    /// The PySpark job, `spark/train_als.py`.
    public let script: String
    let submit: String
    /// The Python that pyspark was installed into, when it is a venv beside `spark-submit`: the job imports it.
    let python: String?

    /// What ran the job, for the manifest.
    public struct Run: Sendable, Equatable {
        public var sparkVersion: String
        public var master: String
    }

    public enum Failure: Error, CustomStringConvertible {
        case javaMissing
        case sparkSubmitMissing(String)
        case jobMissing(String)
        case jobFailed(status: Int32, log: String)
        case malformedFactors(path: String, problem: String)
        case workFolder(String)

        public var description: String {
            switch self {
            case .javaMissing:
                "no java on PATH or in JAVA_HOME: Spark needs Java 17 (apt-get install openjdk-17-jre-headless)"
            case .sparkSubmitMissing(let tried):
                "\(tried): no spark-submit there: install pyspark (python3 -m pip install pyspark==4.3.0, in a "
                    + "venv) and put its bin folder on PATH, or set CONCIERGE_SPARK_SUBMIT to its spark-submit"
            case .jobMissing(let path):
                "\(path): no such Spark job: pass --spark-job with the path of spark/train_als.py from the "
                    + "Concierge repository"
            case .jobFailed(let status, let log):
                "the Spark job failed (exit status \(status)); its log is \(log). Nothing was published"
            case .malformedFactors(let path, let problem):
                "the Spark job's factors are malformed: \(path): \(problem). Nothing was published"
            case .workFolder(let problem):
                "the Spark job's work folder: \(problem)"
            }
        }
    }

    /// Finds `spark-submit` (`CONCIERGE_SPARK_SUBMIT`, else `PATH`) and Java (`JAVA_HOME`, else `PATH`) in
    /// `environment`, so that a missing one is reported before any training.
    public init(master: String, script: String, environment: [String: String]) throws(Failure) {
        let path = (environment["PATH"] ?? "").split(separator: ":").map(String.init)
        func onPath(_ name: String) -> String? {
            path.map { $0 + "/" + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
        }
        let java = environment["JAVA_HOME"].map { $0 + "/bin/java" } ?? onPath("java")
        guard let java, FileManager.default.isExecutableFile(atPath: java) else { throw .javaMissing }
        let submit = environment["CONCIERGE_SPARK_SUBMIT"] ?? onPath("spark-submit")
        guard let submit, FileManager.default.isExecutableFile(atPath: submit) else {
            throw .sparkSubmitMissing(environment["CONCIERGE_SPARK_SUBMIT"] ?? "spark-submit on PATH")
        }
        guard FileManager.default.fileExists(atPath: script) else { throw .jobMissing(script) }
        let python = URL(fileURLWithPath: submit).deletingLastPathComponent().appendingPathComponent("python").path
        self.master = master
        self.script = script
        self.submit = submit
        self.python = FileManager.default.isExecutableFile(atPath: python) ? python : nil
    }

    /// The repository's `spark/train_als.py` as found from the `concierge` binary at `executable`: in the nearest
    /// folder above it that has one (a build in the repository, `.build/<triple>/release/concierge`), or under
    /// `share/concierge` of such a folder (an installed `/usr/local/bin/concierge`). nil when there is none.
    public static func script(besideExecutable executable: String) -> String? {
        var folder = URL(fileURLWithPath: executable).deletingLastPathComponent()
        while folder.path != "/" {
            for candidate in ["spark/train_als.py", "share/concierge/spark/train_als.py"] {
                let path = folder.appendingPathComponent(candidate).path
                if FileManager.default.fileExists(atPath: path) { return path }
            }
            folder.deleteLastPathComponent()
        }
        return nil
    }

    /// One ALS fit: a grid point and the index of the dataset it is fitted on.
    public struct Fit: Sendable {
        public var parameters: SparkALSParameters
        public var dataset: Int

        public init(_ parameters: SparkALSParameters, on dataset: Int) {
            self.parameters = parameters
            self.dataset = dataset
        }
    }

    /// Fits every `fit` in one Spark application and returns the models in the same order.
    public func fit(_ fits: [Fit], datasets: [SparseMatrix]) throws(Failure) -> (models: [ALSModel], run: Run) {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("concierge-spark-\(UUID().uuidString)")
            .path
        let request = Request(
            fits: fits.enumerated().map { index, fit in
                Request.Fit(
                    data: "\(work)/data/\(fit.dataset)", output: "\(work)/factors/\(index)",
                    rank: fit.parameters.rank, maxIter: fit.parameters.maxIter, regParam: fit.parameters.regParam,
                    alpha: fit.parameters.alpha, seed: fit.parameters.seed)
            },
            run: work + "/run.json")
        do {
            for (index, dataset) in datasets.enumerated() {
                try FileManager.default.createDirectory(
                    atPath: "\(work)/data/\(index)", withIntermediateDirectories: true)
                try Self.writeCSV(dataset, to: "\(work)/data/\(index)/part-00000.csv")
            }
            try JSONEncoder().encode(request).write(to: URL(fileURLWithPath: work + "/request.json"))
        } catch {
            throw .workFolder("\(work): \(error)")
        }
        let log = work + "/spark.log"
        let status = try run(requestPath: work + "/request.json", work: work, log: log)
        guard status == 0 else { throw .jobFailed(status: status, log: log) }

        let models: [ALSModel]
        let run: Run
        do throws(SparkFactors.Malformed) {
            run = try Self.readRun(request.run)
            models = try zip(fits, request.fits).map { fit, written throws(SparkFactors.Malformed) in
                let data = datasets[fit.dataset]
                let rank = fit.parameters.rank
                var itemHasData = [Bool](repeating: false, count: data.columns)
                for column in data.columnIndices { itemHasData[Int(column)] = true }
                return ALSModel(
                    userFactors: try SparkFactors.read(
                        folder: written.output + "/users", rows: data.rows, rank: rank,
                        required: (0..<data.rows).map { !data.rowRange($0).isEmpty }),
                    itemFactors: try SparkFactors.read(
                        folder: written.output + "/items", rows: data.columns, rank: rank, required: itemHasData),
                    regularization: Float(fit.parameters.regParam), alpha: Float(fit.parameters.alpha),
                    confidence: .linear)
            }
        } catch {
            throw .malformedFactors(path: error.path, problem: error.problem)
        }
        try? FileManager.default.removeItem(atPath: work)
        return (models, run)
    }

    /// `spark-submit`, its output into `log`; the status it exits with.
    private func run(requestPath: String, work: String, log: String) throws(Failure) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: submit)
        // A training job wants no web UI listening; its progress is in the log.
        process.arguments = [
            "--master", master, "--conf", "spark.ui.enabled=false", "--conf", "spark.local.dir=\(work)/local",
            script, requestPath,
        ]
        var environment = ProcessInfo.processInfo.environment
        if let python, environment["PYSPARK_PYTHON"] == nil { environment["PYSPARK_PYTHON"] = python }
        process.environment = environment
        guard FileManager.default.createFile(atPath: log, contents: nil) else {
            throw .workFolder("cannot create \(log)")
        }
        do {
            let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            defer { try? output.close() }
            process.standardOutput = output
            process.standardError = output
            process.standardInput = FileHandle.nullDevice
            try process.run()
        } catch {
            throw .workFolder("cannot start \(submit): \(error)")
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// One line per interaction, `user,item,units`, the schema the job reads.
    private static func writeCSV(_ matrix: SparseMatrix, to path: String) throws {
        let file = try OutputFile(path: path, mode: .truncate, permissions: 0o644)
        for row in 0..<matrix.rows {
            let prefix = "\(row),"
            for position in matrix.rowRange(row) {
                try file.append("\(prefix)\(matrix.columnIndices[position]),\(matrix.values[position])\n".utf8)
            }
        }
        try file.flush()
    }

    private static func readRun(_ path: String) throws(SparkFactors.Malformed) -> Run {
        guard let contents = FileManager.default.contents(atPath: path),
            let written = try? JSONDecoder().decode(WrittenRun.self, from: contents)
        else { throw SparkFactors.Malformed(path: path, problem: "missing, or not the job's spark_version and master") }
        return Run(sparkVersion: written.sparkVersion, master: written.master)
    }

    /// What `spark/train_als.py` reads.
    private struct Request: Encodable {
        struct Fit: Encodable {
            var data: String
            var output: String
            var rank: Int
            var maxIter: Int
            var regParam: Double
            var alpha: Double
            var seed: Int64
        }

        var fits: [Fit]
        var run: String
    }

    private struct WrittenRun: Decodable {
        var sparkVersion: String
        var master: String

        enum CodingKeys: String, CodingKey {
            case sparkVersion = "spark_version"
            case master
        }
    }
}
