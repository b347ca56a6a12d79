import ConciergeDigest
import ConciergeModel
import ConciergeModelFormat
import ConciergeRegistry
import ConciergeTestSupport
import Foundation
import Testing

/// Writes a model folder the way another tool would, from docs/model-format.md alone (no registry
/// code), so these tests hold the format document and the reader to each other.
struct IndependentExporter {
    /// Called on each file's bytes before hashing, to export deliberately broken models.
    var damage: [String: @Sendable ([UInt8]) -> [UInt8]] = [:]
    /// Called on the manifest object before it is written.
    var editManifest: (inout [String: Any]) -> Void = { _ in }

    func export(_ model: ModelArtifacts, to folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var files: [String: [UInt8]] = [:]
        func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
            withUnsafeBytes(of: value.littleEndian, Array.init)
        }
        func header(_ magic: String, dtype: UInt32, rows: Int, columns: Int, nonZeros: Int) -> [UInt8] {
            var bytes = Array(magic.utf8)
            bytes += littleEndian(UInt32(1)) + littleEndian(dtype)
            bytes += littleEndian(UInt64(rows)) + littleEndian(UInt64(columns)) + littleEndian(UInt64(nonZeros))
            return bytes + [UInt8](repeating: 0, count: 64 - bytes.count)
        }
        func padded(_ bytes: [UInt8]) -> [UInt8] { bytes + [UInt8](repeating: 0, count: (64 - bytes.count % 64) % 64) }
        func lines(_ texts: [String]) -> [UInt8] { texts.flatMap { Array($0.utf8) + [0x0A] } }
        func column<T: FixedWidthInteger>(_ dtype: UInt32, _ values: [T]) -> [UInt8] {
            header("CNCGDENS", dtype: dtype, rows: values.count, columns: 1, nonZeros: 0) + values.flatMap(littleEndian)
        }
        func dense(_ matrix: DenseMatrix) -> [UInt8] {
            header("CNCGDENS", dtype: 1, rows: matrix.rows, columns: matrix.columns, nonZeros: 0)
                + matrix.values.flatMap { littleEndian($0.bitPattern) }
        }
        func csr(_ matrix: SparseMatrix) -> [UInt8] {
            var bytes = header(
                "CNCGCSR\0", dtype: 1, rows: matrix.rows, columns: matrix.columns, nonZeros: matrix.nonZeroCount)
            bytes = padded(bytes + matrix.rowOffsets.flatMap { littleEndian(Int64($0)) })
            bytes = padded(bytes + matrix.columnIndices.flatMap { littleEndian($0) })
            return bytes + matrix.values.flatMap { littleEndian($0.bitPattern) }
        }
        files["user_ids.txt"] = lines(model.userIDs)
        files["item_ids.txt"] = lines(model.itemIDs)
        files["hotel_ids.txt"] = lines(model.hotelIDs)
        files["item_names.txt"] = lines(model.items.map(\.name))
        files["item_departments.txt"] = lines(model.items.map(\.department))
        files["item_prices.f64"] = column(4, model.items.map { $0.price.bitPattern })
        files["hotel_items.i64"] = column(3, [Int64(0)] + model.hotelItemRanges.map { Int64($0.upperBound) })
        files["user_hotels.i32"] = column(2, model.userHotel.map { Int32($0) })
        if let userFactors = model.userFactors, let itemFactors = model.itemFactors {
            files["user_factors.f32"] = dense(userFactors)
            files["item_factors.f32"] = dense(itemFactors)
        }
        files["user_items.csr"] = csr(model.userItems)
        if let userFreeItems = model.userFreeItems { files["user_free_items.csr"] = csr(userFreeItems) }
        files["item_neighbours.csr"] = csr(model.itemNeighbours)
        files["hotel_popularity.csr"] = csr(model.popularity)
        if let easeWeights = model.easeWeights {
            files["ease_weights.f32"] = dense(DenseMatrix(rows: easeWeights.count, columns: 1, values: easeWeights))
        }

        var listing: [String: Any] = [:]
        for (name, original) in files {
            let bytes = damage[name].map { $0(original) } ?? original
            try Data(bytes).write(to: URL(fileURLWithPath: folder + "/" + name))
            listing[name] = ["size": bytes.count, "sha256": OpenSSLSHA256.hex(of: bytes)]
        }
        var manifest: [String: Any] = [
            "format": "concierge-model", "format_version": 1, "kind": model.kind.rawValue,
            "hyper_parameters": ["factors": model.itemFactors?.columns ?? 0, "similarity": "cosine"],
            "metrics": model.metrics, "candidates": [] as [Any], "data_fingerprint": model.dataFingerprint,
            "counts": [
                "users": model.userIDs.count, "items": model.itemIDs.count, "hotels": model.hotelIDs.count,
                "interactions": model.userItems.nonZeroCount,
            ],
            "factors": model.itemFactors?.columns ?? 0, "files": listing,
        ]
        editManifest(&manifest)
        try JSONSerialization.data(withJSONObject: manifest).write(to: URL(fileURLWithPath: folder + "/manifest.json"))
    }
}

@Suite struct ImportTests {
    @Test func anIndependentExportImportsAndRoundTrips() throws {
        let scratch = ScratchDirectory()
        var expected = sampleArtifacts()
        try IndependentExporter().export(expected, to: scratch.path + "/export")

        let version = try scratch.registry.importModel(model: "roomservice", from: scratch.path + "/export/")
        #expect(version == 1)
        let model = try scratch.registry.open(model: "roomservice", versionOrAlias: "1")
        expected.hyperParameters = ["factors": 4, "similarity": "cosine"]
        expected.candidates = []
        #expect(model.artifacts() == expected)
        #expect(model.manifest.model == "roomservice" && model.manifest.version == 1 && model.manifest.created != nil)
        #expect(try scratch.registry.verify().isClean)
    }

    /// Versions published before free items were kept, and exports of tools that do not know them.
    @Test func anExportWithoutFreeItemsImportsWithNone() throws {
        let scratch = ScratchDirectory()
        var expected = sampleArtifacts()
        expected.userFreeItems = nil
        try IndependentExporter().export(expected, to: scratch.path + "/export")

        try scratch.registry.importModel(model: "roomservice", from: scratch.path + "/export")
        let model = try scratch.registry.open(model: "roomservice", versionOrAlias: "1")
        #expect(model.userFreeItems == nil)
        #expect(model.manifest.files["user_free_items.csr"] == nil)
        #expect(model.artifacts().userFreeItems == nil)
        #expect(try scratch.registry.verify().isClean)
    }

    @Test func aRegistryVersionFolderImportsIntoAnotherRegistry() throws {
        let source = ScratchDirectory()
        let target = ScratchDirectory()
        try source.registry.publish(model: "roomservice", artifacts: sampleArtifacts())
        try target.registry.publish(model: "other", artifacts: sampleArtifacts(kind: .popular))
        let version = try target.registry.importModel(
            model: "other", from: source.registry.directory + "/roomservice/1")
        #expect(version == 2)
        #expect(try target.registry.open(model: "other", versionOrAlias: "2").artifacts() == sampleArtifacts())
    }

    /// Exports whose checksums are right but whose content is wrong: caught by the structural checks.
    @Test(arguments: [
        ("item_neighbours.csr", "item_neighbours.csr: row 0 is not sorted by descending value"),
        ("item_factors.f32", "item_factors.f32: is 6×4, the manifest's counts make it 7×4"),
        ("user_ids.txt", "user_ids.txt: line 2 repeats id 'guest-a' from line 1"),
        ("hotel_ids.txt", "hotel_ids.txt: line 2 contains a carriage return"),
        ("item_names.txt", "item_names.txt: line 1 is not valid UTF-8"),
        ("user_items.csr", "user_items.csr: bad magic (expected \"CNCGCSR\")"),
        ("user_free_items.csr", "user_free_items.csr: is 4×7, the manifest's counts make it 5×7"),
        ("hotel_items.i64", "hotel_items.i64: element type 2 where 3 (int64) is required"),
        ("user_hotels.i32", "user_hotels.i32: user 0 has hotel 3, outside 0..<3"),
        ("hotel_popularity.csr", "hotel_popularity.csr: size 219 bytes does not match its header (220 bytes expected)"),
    ])
    func aWellHashedButMalformedExportIsRefused(file: String, message: String) throws {
        let scratch = ScratchDirectory()
        var artifacts = sampleArtifacts()
        var exporter = IndependentExporter()
        switch file {
        case "item_neighbours.csr": artifacts.itemNeighbours.values.swapAt(0, 1)
        case "item_factors.f32":
            exporter.damage[file] = { bytes in
                var bytes = Array(bytes.dropLast(16))
                bytes[16] = 6
                return bytes
            }
        case "user_ids.txt": artifacts.userIDs[1] = "guest-a"
        case "hotel_ids.txt": artifacts.hotelIDs[1] = "H-002\r"
        case "item_names.txt": exporter.damage[file] = { bytes in [0xC3] + bytes.dropFirst() }
        case "user_items.csr": exporter.damage[file] = { bytes in [UInt8(ascii: "X")] + bytes.dropFirst() }
        case "hotel_items.i64":
            exporter.damage[file] = { bytes in
                var bytes = bytes
                bytes[12] = 2
                return bytes
            }
        case "user_hotels.i32": artifacts.userHotel[0] = 3
        case "user_free_items.csr":
            artifacts.userFreeItems = SparseMatrix(rows: 4, columns: 7, entries: [.init(row: 0, column: 1, value: 1)])
        default: exporter.damage[file] = { bytes in Array(bytes.dropLast()) }
        }
        try exporter.export(artifacts, to: scratch.path + "/export")
        let error = registryError { try scratch.registry.importModel(model: "m", from: scratch.path + "/export") }
        #expect(
            error?.description.hasPrefix(scratch.path + "/export/" + message) == true, "\(String(describing: error))")
        #expect(!FileManager.default.fileExists(atPath: scratch.registry.directory))
    }

    @Test(arguments: [
        ("drop item_prices.f64", "does not list item_prices.f64"),
        ("drop item_factors.f32", "lists user_factors.f32 without its pair"),
        ("unknown file", "lists unknown file 'extra.bin'"),
        ("format", "format is 'something-else', not 'concierge-model'"),
        ("format version", "unsupported format_version 2 (this concierge reads 1)"),
        ("missing counts", "not a valid manifest (missing counts)"),
        ("interactions", "holds 8 entries, the manifest counts 9 interactions"),
        ("bad hash", "item_ids.txt has a malformed sha256 (64 lowercase hex digits expected)"),
    ])
    func aBadManifestIsRefused(edit: String, message: String) throws {
        let scratch = ScratchDirectory()
        var exporter = IndependentExporter()
        exporter.editManifest = { manifest in
            var files = manifest["files"] as! [String: Any]
            var counts = manifest["counts"] as! [String: Any]
            switch edit {
            case "drop item_prices.f64": files["item_prices.f64"] = nil
            case "drop item_factors.f32": files["item_factors.f32"] = nil
            case "unknown file": files["extra.bin"] = ["size": 0, "sha256": String(repeating: "0", count: 64)]
            case "format": manifest["format"] = "something-else"
            case "format version": manifest["format_version"] = 2
            case "missing counts": manifest["counts"] = nil
            case "interactions": counts["interactions"] = 9
            default: files["item_ids.txt"] = ["size": 1, "sha256": "XYZ"]
            }
            manifest["files"] = files
            if manifest["counts"] != nil { manifest["counts"] = counts }
        }
        try exporter.export(sampleArtifacts(), to: scratch.path + "/export")
        let error = registryError { try scratch.registry.importModel(model: "m", from: scratch.path + "/export") }
        #expect(error?.description.hasSuffix(message) == true, "\(String(describing: error))")
        #expect(!FileManager.default.fileExists(atPath: scratch.registry.directory))
    }

    // MARK: - EASE's weights

    @Test func anIndependentEaseExportImportsAndRoundTrips() throws {
        let scratch = ScratchDirectory()
        var expected = sampleArtifacts(kind: .ease)
        try IndependentExporter().export(expected, to: scratch.path + "/export")
        try scratch.registry.importModel(model: "roomservice", from: scratch.path + "/export")
        let model = try scratch.registry.open(model: "roomservice", versionOrAlias: "1")
        expected.hyperParameters = ["factors": 0, "similarity": "cosine"]
        expected.candidates = []
        #expect(model.artifacts() == expected)
        #expect(model.view.easeWeights(ofHotel: 0).map(Array.init) == Array(expected.easeWeights![0..<9]))
        #expect(model.view.easeWeights(ofHotel: 1)?.isEmpty == true)
    }

    @Test(arguments: [
        ("diagonal", "ease_weights.f32: hotel 2's block has 0.5 on its diagonal at item 1; EASE's diagonal is zero"),
        ("nan", "ease_weights.f32: has a non-finite value nan at row 3, column 0"),
        ("short", "ease_weights.f32: is 24×1, the manifest's counts make it 25×1"),
        ("kind", "manifest.json: kind ease needs ease_weights.f32"),
        ("other kind", "manifest.json: lists ease_weights.f32, which only kinds ease and ease-als have"),
    ])
    func aWellHashedButWrongEaseExportIsRefused(problem: String, message: String) throws {
        let scratch = ScratchDirectory()
        var artifacts = sampleArtifacts(kind: .ease)
        var exporter = IndependentExporter()
        switch problem {
        // Hotel 0 has 3 items (9 weights), hotel 1 none, hotel 2 four: its item 1's diagonal is at 9 + 5.
        case "diagonal": artifacts.easeWeights![9 + 5] = 0.5
        case "nan": artifacts.easeWeights![3] = .nan
        case "short": artifacts.easeWeights!.removeLast()
        case "kind": artifacts.easeWeights = nil
        default: exporter.editManifest = { $0["kind"] = "item-item" }
        }
        try exporter.export(artifacts, to: scratch.path + "/export")
        let error = registryError { try scratch.registry.importModel(model: "m", from: scratch.path + "/export") }
        #expect(
            error?.description.hasPrefix(scratch.path + "/export/" + message) == true, "\(String(describing: error))")
    }

    @Test func aDamagedEaseVersionIsRefusedOnLoad() throws {
        let scratch = ScratchDirectory()
        try scratch.registry.publish(model: "m", artifacts: sampleArtifacts(kind: .ease))
        let path = scratch.registry.directory + "/m/1/ease_weights.f32"
        try flipByte(in: path, at: 64 + 4 * 1)
        let error = registryError { try scratch.registry.open(model: "m", versionOrAlias: "1") }
        #expect(
            error?.description.contains("ease_weights.f32: SHA-256 mismatch") == true, "\(String(describing: error))")
    }
}
