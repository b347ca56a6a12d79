import ConciergeModel

#if _endian(big)
    #error("the model format is little-endian and is written straight from memory")
#endif

/// Writes the files of a model version into a folder, in the layout of docs/model-format.md.
package enum ModelWriter {
    /// A whole version folder: the data files, then the manifest that lists them.
    package static func writeVersion(
        _ artifacts: ModelArtifacts, model: String?, version: Int?, created: String?, to directory: String
    ) throws(ModelFileError) {
        let files = try write(artifacts, to: directory)
        let manifest = ModelManifest(artifacts, model: model, version: version, created: created, files: files)
        _ = try writeManifest(manifest, to: directory)
    }

    /// The manifest of a folder whose data files are written; its own entry is what a registry records.
    package static func writeManifest(
        _ manifest: ModelManifest, to directory: String
    ) throws(ModelFileError) -> ModelManifest.FileEntry {
        let writer = try FileWriter(path: directory + "/" + ModelFile.manifest)
        try writer.write(manifest.encoded())
        return try writer.finish()
    }

    /// The data files (everything but the manifest); returns their manifest entries.
    package static func write(
        _ artifacts: ModelArtifacts, to directory: String
    ) throws(ModelFileError) -> [String: ModelManifest.FileEntry] {
        var entries: [String: ModelManifest.FileEntry] = [:]
        func writeFile(_ file: ModelFile, _ body: (FileWriter) throws(ModelFileError) -> Void) throws(ModelFileError) {
            let writer = try FileWriter(path: directory + "/" + file.rawValue)
            try body(writer)
            entries[file.rawValue] = try writer.finish()
        }
        func lines(_ file: ModelFile, _ texts: [String]) throws(ModelFileError) {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(texts.reduce(0) { $0 + $1.utf8.count + 1 })
            for text in texts {
                bytes.append(contentsOf: text.utf8)
                bytes.append(0x0A)
            }
            try writeFile(file) { writer throws(ModelFileError) in try writer.write(bytes) }
        }
        func vector<T: BitwiseCopyable>(
            _ file: ModelFile, _ type: MatrixFileHeader.ElementType, _ values: [T]
        )
            throws(ModelFileError)
        {
            try writeFile(file) { writer throws(ModelFileError) in
                try writer.write(MatrixFileHeader.dense(type, rows: values.count, columns: 1).encoded())
                try writer.write(values)
            }
        }
        func dense(_ file: ModelFile, _ matrix: DenseMatrix) throws(ModelFileError) {
            try writeFile(file) { writer throws(ModelFileError) in
                try writer.write(MatrixFileHeader.dense(.float32, rows: matrix.rows, columns: matrix.columns).encoded())
                try writer.write(matrix.values)
            }
        }
        func sparse(_ file: ModelFile, _ matrix: SparseMatrix) throws(ModelFileError) {
            let header = MatrixFileHeader.csr(rows: matrix.rows, columns: matrix.columns, nonZeros: matrix.nonZeroCount)
            let sections = header.csrSections
            try writeFile(file) { writer throws(ModelFileError) in
                try writer.write(header.encoded())
                try writer.write(matrix.rowOffsets.map { Int64($0) })
                try writer.pad(to: sections.indices)
                try writer.write(matrix.columnIndices)
                try writer.pad(to: sections.values)
                try writer.write(matrix.values)
            }
        }

        try lines(.userIDs, artifacts.userIDs)
        try lines(.itemIDs, artifacts.itemIDs)
        try lines(.hotelIDs, artifacts.hotelIDs)
        try lines(.itemNames, artifacts.items.map(\.name))
        try lines(.itemDepartments, artifacts.items.map(\.department))
        try vector(.itemPrices, .float64, artifacts.items.map(\.price))
        try vector(.hotelItems, .int64, [0] + artifacts.hotelItemRanges.map { Int64($0.upperBound) })
        try vector(.userHotels, .int32, artifacts.userHotel.map { Int32($0) })
        if let userFactors = artifacts.userFactors, let itemFactors = artifacts.itemFactors {
            try dense(.userFactors, userFactors)
            try dense(.itemFactors, itemFactors)
        }
        try sparse(.userItems, artifacts.userItems)
        if let userFreeItems = artifacts.userFreeItems { try sparse(.userFreeItems, userFreeItems) }
        try sparse(.itemNeighbours, artifacts.itemNeighbours)
        try sparse(.hotelPopularity, artifacts.popularity)
        if let easeWeights = artifacts.easeWeights { try vector(.easeWeights, .float32, easeWeights) }
        return entries
    }
}
