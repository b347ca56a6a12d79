import ConciergeModel

/// A model version ready to serve: every file checked against its SHA-256 and mapped read-only, with
/// typed views into the mapped pages and id maps built once. Immutable, so any number of request
/// threads can share one; the files are unmapped when the model and every view taken from it are gone.
public final class LoadedModel: Sendable {
    public let model: String
    public let version: Int
    public let manifest: ModelManifest
    /// The version folder, as the registry names it in errors.
    public let directory: String

    /// What scoring reads, by index, over the mapped files.
    public let view: ModelView

    private let users: IDIndex
    private let items: IDIndex
    private let hotels: IDIndex
    private let itemNames: LineFile
    private let itemDepartments: LineFile
    private let itemPrices: VectorView<Double>

    public var kind: ModelKind { manifest.kind }
    public var userCount: Int { users.count }
    public var itemCount: Int { items.count }
    public var hotelCount: Int { hotels.count }
    public var factorCount: Int { manifest.factors }

    public func userIndex(for id: String) -> Int? { users.index(of: id) }
    public func itemIndex(for id: String) -> Int? { items.index(of: id) }
    public func hotelIndex(for id: String) -> Int? { hotels.index(of: id) }

    public func userID(_ user: Int) -> String { users[user] }
    public func itemID(_ item: Int) -> String { items[item] }
    public func hotelID(_ hotel: Int) -> String { hotels[hotel] }

    public var userFactors: DenseMatrixView? { view.userFactors }
    public var itemFactors: DenseMatrixView? { view.itemFactors }
    public var userItems: SparseMatrixView { view.userItems }
    public var userFreeItems: SparseMatrixView? { view.userFreeItems }
    public var itemNeighbours: SparseMatrixView { view.itemNeighbours }
    public var popularity: SparseMatrixView { view.popularity }
    public func items(ofHotel hotel: Int) -> Range<Int> { view.items(ofHotel: hotel) }
    public func latestHotel(ofUser user: Int) -> Int { view.latestHotel(ofUser: user) }
    public func hotel(ofItem item: Int) -> Int { view.hotel(ofItem: item) }

    /// Decodes one item's catalogue entry from the mapped files.
    public func item(_ item: Int) -> ItemMetadata {
        ItemMetadata(
            name: itemNames[item], hotel: hotel(ofItem: item), department: itemDepartments[item],
            price: itemPrices[item])
    }

    /// Copies the whole model back into memory: what `import` republishes, and what tests compare.
    public func artifacts() -> ModelArtifacts {
        ModelArtifacts(
            kind: kind, userIDs: (0..<userCount).map(userID), itemIDs: (0..<itemCount).map(itemID),
            items: (0..<itemCount).map(item), hotelIDs: (0..<hotelCount).map(hotelID),
            hotelItemRanges: (0..<hotelCount).map(items(ofHotel:)),
            userHotel: (0..<userCount).map(latestHotel(ofUser:)), userFactors: userFactors.map(DenseMatrix.init),
            itemFactors: itemFactors.map(DenseMatrix.init), userItems: SparseMatrix(userItems),
            userFreeItems: userFreeItems.map(SparseMatrix.init),
            itemNeighbours: SparseMatrix(itemNeighbours), popularity: SparseMatrix(popularity),
            easeWeights: view.easeWeights.map { Array($0.elements) },
            hyperParameters: manifest.hyperParameters, metrics: manifest.metrics, candidates: manifest.candidates,
            dataFingerprint: manifest.dataFingerprint, holdoutModel: manifest.holdoutModel)
    }

    /// Opens a version folder on its own, by the manifest in it: a registry's version, an export to import,
    /// or a folder a test wrote. `model` and `version` are the names it is served under.
    public convenience init(folder: String, model: String, version: Int) throws(ModelFileError) {
        let manifestPath = folder + "/" + ModelFile.manifest
        let manifestBytes = try MappedFile.contents(of: manifestPath)
        let manifest = try ModelManifest.decode(manifestBytes, path: manifestPath)
        try self.init(directory: folder, model: model, version: version, manifest: manifest)
    }

    /// Maps and checks the files of the version folder at `directory` against `manifest`: sizes, then
    /// SHA-256 (both cores), then headers, dimensions, alignment, CSR structure and id maps.
    package init(directory: String, model: String, version: Int, manifest: ModelManifest) throws(ModelFileError) {
        self.model = model
        self.version = version
        self.manifest = manifest
        self.directory = directory

        let present = ModelFile.allCases.filter { manifest.files[$0.rawValue] != nil }
        var mapped: [ModelFile: MappedFile] = [:]
        for file in present {
            let storage = try MappedFile(path: directory + "/" + file.rawValue)
            let expected = manifest.files[file.rawValue]!.size
            guard storage.bytes.count == expected else {
                throw .invalidFile(
                    path: storage.path, problem: "size \(storage.bytes.count) bytes, manifest says \(expected)")
            }
            mapped[file] = storage
        }
        let digests = MappedFile.sha256(of: present.map { mapped[$0]! })
        for (file, found) in zip(present, digests) {
            let expected = manifest.files[file.rawValue]!.sha256
            guard found == expected else {
                throw .invalidFile(
                    path: mapped[file]!.path, problem: "SHA-256 mismatch (expected \(expected), found \(found))")
            }
        }

        let counts = manifest.counts
        func fail(_ file: ModelFile, _ problem: String) -> ModelFileError {
            .invalidFile(path: mapped[file]!.path, problem: problem)
        }
        func header(
            _ file: ModelFile, _ layout: MatrixFileHeader.Layout, _ type: MatrixFileHeader.ElementType,
            rows: Int, columns: Int
        ) throws(ModelFileError) -> MatrixFileHeader {
            let header = try MatrixFileHeader(
                decoding: mapped[file]!.bytes, path: mapped[file]!.path, layout: layout, elementType: type)
            guard header.rows == rows, header.columns == columns else {
                throw fail(
                    file, "is \(header.rows)×\(header.columns), the manifest's counts make it \(rows)×\(columns)")
            }
            return header
        }
        func lines(_ file: ModelFile, count: Int, of entries: String) throws(ModelFileError) -> LineFile {
            try LineFile(storage: mapped[file]!, expectedCount: count, entryName: entries)
        }

        let prices = VectorView<Double>(
            storage: mapped[.itemPrices]!,
            header: try header(.itemPrices, .dense, .float64, rows: counts.items, columns: 1))
        if let item = prices.elements.firstIndex(where: { !($0.isFinite && $0 >= 0) }) {
            throw fail(.itemPrices, "price of item \(item) is \(prices[item]); prices are finite and not negative")
        }
        let hotelItemOffsets = VectorView<Int64>(
            storage: mapped[.hotelItems]!,
            header: try header(.hotelItems, .dense, .int64, rows: counts.hotels + 1, columns: 1))
        if let problem = ModelChecks.offsetsProblem(hotelItemOffsets.elements, total: counts.items) {
            throw fail(.hotelItems, problem)
        }
        let userHotels = VectorView<Int32>(
            storage: mapped[.userHotels]!,
            header: try header(.userHotels, .dense, .int32, rows: counts.users, columns: 1))
        if let user = userHotels.elements.firstIndex(where: { !(0..<Int32(counts.hotels)).contains($0) }) {
            throw fail(.userHotels, "user \(user) has hotel \(userHotels[user]), outside 0..<\(counts.hotels)")
        }

        var factorViews: [DenseMatrixView] = []
        for (file, rows) in [(ModelFile.userFactors, counts.users), (.itemFactors, counts.items)]
        where mapped[file] != nil {
            let view = DenseMatrixView(
                storage: mapped[file]!,
                header: try header(file, .dense, .float32, rows: rows, columns: manifest.factors))
            guard view.values.isEmpty || Int(bitPattern: view.values.baseAddress) % MatrixFileHeader.alignment == 0
            else {
                throw fail(file, "factor data is not \(MatrixFileHeader.alignment)-byte aligned in memory")
            }
            if let problem = ModelChecks.nonFiniteProblem(view.values, columns: view.columns) {
                throw fail(file, "has a \(problem)")
            }
            factorViews.append(view)
        }

        var sparseViews: [ModelFile: SparseMatrixView] = [:]
        for (file, rows, descending) in [
            (ModelFile.userItems, counts.users, false), (.userFreeItems, counts.users, false),
            (.itemNeighbours, counts.items, true), (.hotelPopularity, counts.hotels, true),
        ] where mapped[file] != nil {
            let header = try header(file, .csr, .float32, rows: rows, columns: counts.items)
            let view = SparseMatrixView(storage: mapped[file]!, header: header)
            if let problem = ModelChecks.csrProblem(
                rows: view.rows, columns: view.columns, offsets: view.rowOffsets, indices: view.columnIndices,
                values: view.values, descending: descending)
            {
                throw fail(file, problem)
            }
            sparseViews[file] = view
        }
        guard sparseViews[.userItems]!.nonZeroCount == counts.interactions else {
            throw fail(
                .userItems,
                "holds \(sparseViews[.userItems]!.nonZeroCount) entries, the manifest counts \(counts.interactions) "
                    + "interactions")
        }

        let blockSizes = zip(hotelItemOffsets.elements.dropFirst(), hotelItemOffsets.elements).map { Int($0 - $1) }
        var easeWeights: VectorView<Float>?
        if mapped[.easeWeights] != nil {
            let weights = VectorView<Float>(
                storage: mapped[.easeWeights]!,
                header: try header(
                    .easeWeights, .dense, .float32, rows: blockSizes.reduce(0) { $0 + $1 * $1 }, columns: 1))
            if let problem = ModelChecks.easeWeightsProblem(weights.elements, blockSizes: blockSizes) {
                throw fail(.easeWeights, problem)
            }
            easeWeights = weights
        }

        self.users = try IDIndex(lines: lines(.userIDs, count: counts.users, of: "users"))
        self.items = try IDIndex(lines: lines(.itemIDs, count: counts.items, of: "items"))
        self.hotels = try IDIndex(lines: lines(.hotelIDs, count: counts.hotels, of: "hotels"))
        self.itemNames = try lines(.itemNames, count: counts.items, of: "items")
        self.itemDepartments = try lines(.itemDepartments, count: counts.items, of: "items")
        self.itemPrices = prices
        self.view = ModelView(
            kind: manifest.kind, hyperParameters: manifest.hyperParameters, userFactors: factorViews.first,
            itemFactors: factorViews.last, userItems: sparseViews[.userItems]!,
            userFreeItems: sparseViews[.userFreeItems], itemNeighbours: sparseViews[.itemNeighbours]!,
            popularity: sparseViews[.hotelPopularity]!, hotelItemOffsets: hotelItemOffsets, userHotels: userHotels,
            easeWeights: easeWeights,
            easeBlockOffsets: ModelView.easeBlockOffsets(hotelItemOffsets: hotelItemOffsets.elements))
    }
}
