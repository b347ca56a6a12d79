public import ConciergeModel

/// Everything training hands to `ModelRegistry.publish`: the chosen model, its id maps and catalogue,
/// and how it was chosen. Indices everywhere refer to positions in `userIDs`, `itemIDs` and `hotelIDs`.
public struct ModelArtifacts: Sendable, Equatable {
    public var kind: ModelKind
    public var userIDs: [String]
    public var itemIDs: [String]
    /// One per item, in item order; items of one hotel are contiguous.
    public var items: [ItemMetadata]
    public var hotelIDs: [String]
    /// One per hotel, in hotel order: contiguous ranges that together cover every item exactly once.
    public var hotelItemRanges: [Range<Int>]
    /// The hotel of each user's latest stay, by hotel index.
    public var userHotel: [Int]
    /// Users × factors and items × factors; required for `.als`, optional (as a pair) otherwise.
    public var userFactors: DenseMatrix?
    public var itemFactors: DenseMatrix?
    /// Users × items: what each guest ordered, weighted.
    public var userItems: SparseMatrix
    /// Users × items: what each guest got free and never paid for, in units. Never scored from, but excluded
    /// from the guest's recommendations like `userItems`; nil when no guest got anything free.
    public var userFreeItems: SparseMatrix?
    /// Items × items: each item's neighbours, by descending similarity.
    public var itemNeighbours: SparseMatrix
    /// Hotels × items: each hotel's items, by descending popularity.
    public var popularity: SparseMatrix
    /// EASE's B, one row-major `n × n` block per hotel of n items, in hotel order (`EASE.weights`); present
    /// exactly for `.ease` and `.easeALS`.
    public var easeWeights: [Float]?
    public var hyperParameters: [String: HyperParameter]
    public var metrics: [String: Double]
    public var candidates: [ModelCandidate]
    /// Identifies the training data (for instance a hash of the feature store snapshot).
    public var dataFingerprint: String
    /// What the run learnt from; nil when the caller does not say.
    public var dataSeen: ModelManifest.DataSeen?
    /// The final ALS fit's loss after each iteration; nil for other kinds.
    public var lossHistory: [Double]?
    /// The version's holdout metrics per hotel id, spelt as `metrics`.
    public var hotelMetrics: [String: [String: Double]]?
    /// The name of the candidate that `metrics` and `hotelMetrics` measured on the holdout: the selection's choice
    /// on the training part, which need not be the served model (the same selection's choice on all data).
    public var holdoutModel: String?

    public init(
        kind: ModelKind, userIDs: [String], itemIDs: [String], items: [ItemMetadata], hotelIDs: [String],
        hotelItemRanges: [Range<Int>], userHotel: [Int], userFactors: DenseMatrix?, itemFactors: DenseMatrix?,
        userItems: SparseMatrix, userFreeItems: SparseMatrix? = nil, itemNeighbours: SparseMatrix,
        popularity: SparseMatrix, easeWeights: [Float]? = nil,
        hyperParameters: [String: HyperParameter], metrics: [String: Double], candidates: [ModelCandidate],
        dataFingerprint: String, dataSeen: ModelManifest.DataSeen? = nil, lossHistory: [Double]? = nil,
        hotelMetrics: [String: [String: Double]]? = nil, holdoutModel: String? = nil
    ) {
        self.kind = kind
        self.userIDs = userIDs
        self.itemIDs = itemIDs
        self.items = items
        self.hotelIDs = hotelIDs
        self.hotelItemRanges = hotelItemRanges
        self.userHotel = userHotel
        self.userFactors = userFactors
        self.itemFactors = itemFactors
        self.userItems = userItems
        self.userFreeItems = userFreeItems
        self.itemNeighbours = itemNeighbours
        self.popularity = popularity
        self.easeWeights = easeWeights
        self.hyperParameters = hyperParameters
        self.metrics = metrics
        self.candidates = candidates
        self.dataFingerprint = dataFingerprint
        self.dataSeen = dataSeen
        self.lossHistory = lossHistory
        self.hotelMetrics = hotelMetrics
        self.holdoutModel = holdoutModel
    }

    public var counts: ModelManifest.Counts {
        ModelManifest.Counts(
            users: userIDs.count, items: itemIDs.count, hotels: hotelIDs.count,
            interactions: userItems.nonZeroCount)
    }

    public var factorCount: Int { itemFactors?.columns ?? 0 }

    /// Throws `ModelFileError.invalidArtifacts` naming the first problem; `publish` calls it before
    /// writing anything, so a model that fails here never reaches the registry.
    public func validate() throws(ModelFileError) {
        func fail(_ message: String) -> ModelFileError { .invalidArtifacts(message) }
        let users = userIDs.count
        let itemCount = itemIDs.count
        let hotels = hotelIDs.count
        guard itemCount > 0 else { throw fail("there are no items") }
        guard hotels > 0 else { throw fail("there are no hotels") }
        guard users <= Int(Int32.max), itemCount <= Int(Int32.max) else { throw fail("too many users or items") }

        for (field, ids) in [("userIDs", userIDs), ("itemIDs", itemIDs), ("hotelIDs", hotelIDs)] {
            var seen = [String: Int](minimumCapacity: ids.count)
            for (index, id) in ids.enumerated() {
                guard !id.isEmpty else { throw fail("\(field)[\(index)] is empty") }
                if let problem = ModelChecks.lineProblem(id) { throw fail("\(field)[\(index)] \(problem)") }
                if let first = seen.updateValue(index, forKey: id) {
                    throw fail("\(field) has '\(id)' twice (at \(first) and \(index))")
                }
            }
        }

        guard items.count == itemCount else { throw fail("\(items.count) item metadata for \(itemCount) item ids") }
        guard hotelItemRanges.count == hotels else {
            throw fail("\(hotelItemRanges.count) hotel item ranges for \(hotels) hotels")
        }
        var expectedStart = 0
        for (hotel, range) in hotelItemRanges.enumerated() {
            guard range.lowerBound == expectedStart else {
                throw fail(
                    "hotelItemRanges[\(hotel)] starts at item \(range.lowerBound), not \(expectedStart): "
                        + "ranges must be contiguous, in hotel order")
            }
            expectedStart = range.upperBound
        }
        guard expectedStart == itemCount else {
            throw fail("hotelItemRanges cover items 0..<\(expectedStart), not all \(itemCount)")
        }
        for (hotel, range) in hotelItemRanges.enumerated() {
            for index in range {
                let item = items[index]
                guard item.hotel == hotel else {
                    throw fail("items[\(index)] belongs to hotel \(item.hotel) but lies in hotel \(hotel)'s range")
                }
                for (field, text) in [("name", item.name), ("department", item.department)] {
                    if let problem = ModelChecks.lineProblem(text) { throw fail("items[\(index)].\(field) \(problem)") }
                }
                guard item.price.isFinite, item.price >= 0 else {
                    throw fail("items[\(index)].price is \(item.price); prices are finite and not negative")
                }
            }
        }

        guard userHotel.count == users else { throw fail("\(userHotel.count) user hotels for \(users) users") }
        if let user = userHotel.firstIndex(where: { !(0..<hotels).contains($0) }) {
            throw fail("userHotel[\(user)] is \(userHotel[user]), outside 0..<\(hotels)")
        }

        switch (userFactors, itemFactors) {
        case (nil, nil):
            if kind.requiresFactors { throw fail("kind \(kind.rawValue) needs user and item factors") }
        case (let userFactors?, let itemFactors?):
            for (field, matrix, rows) in [("userFactors", userFactors, users), ("itemFactors", itemFactors, itemCount)]
            {
                guard matrix.rows == rows else { throw fail("\(field) has \(matrix.rows) rows for \(rows)") }
                guard matrix.values.count == matrix.rows * matrix.columns else {
                    throw fail("\(field) holds \(matrix.values.count) values for \(matrix.rows)×\(matrix.columns)")
                }
                let problem = matrix.values.withUnsafeBufferPointer {
                    ModelChecks.nonFiniteProblem($0, columns: matrix.columns)
                }
                if let problem { throw fail("\(field) has a \(problem)") }
            }
            guard userFactors.columns == itemFactors.columns, itemFactors.columns > 0 else {
                throw fail(
                    "userFactors has \(userFactors.columns) columns and itemFactors \(itemFactors.columns); "
                        + "they must agree and be positive")
            }
        default:
            throw fail("userFactors and itemFactors come as a pair")
        }

        let sparseMatrices =
            [
                ("userItems", userItems, users, false), ("itemNeighbours", itemNeighbours, itemCount, true),
                ("popularity", popularity, hotels, true),
            ] + (userFreeItems.map { [("userFreeItems", $0, users, false)] } ?? [])
        for (field, matrix, rows, descending) in sparseMatrices {
            guard matrix.rows == rows, matrix.columns == itemCount else {
                throw fail("\(field) is \(matrix.rows)×\(matrix.columns), not \(rows)×\(itemCount)")
            }
            if let problem = ModelChecks.csrProblem(
                rows: matrix.rows, columns: matrix.columns, offsets: matrix.rowOffsets,
                indices: matrix.columnIndices, values: matrix.values, descending: descending)
            {
                throw fail("\(field): \(problem)")
            }
        }

        switch (kind.requiresEaseWeights, easeWeights) {
        case (true, nil): throw fail("kind \(kind.rawValue) needs easeWeights")
        case (false, _?): throw fail("easeWeights are only for kinds ease and ease-als")
        case (true, let weights?):
            let problem = weights.withUnsafeBufferPointer {
                ModelChecks.easeWeightsProblem($0, blockSizes: hotelItemRanges.map(\.count))
            }
            if let problem { throw fail("easeWeights \(problem)") }
        case (false, nil): break
        }

        if let (name, _) = hyperParameters.sorted(by: { $0.key < $1.key }).first(where: { !$0.value.isFinite }) {
            throw fail("hyper-parameter '\(name)' is not finite")
        }
        if let (name, _) = metrics.sorted(by: { $0.key < $1.key }).first(where: { !$0.value.isFinite }) {
            throw fail("metric '\(name)' is not finite")
        }
        for (index, candidate) in candidates.enumerated()
        where candidate.metrics.values.contains(where: { !$0.isFinite })
            || candidate.hyperParameters.values.contains(where: { !$0.isFinite })
        {
            throw fail("candidates[\(index)] has a non-finite metric or hyper-parameter")
        }
        guard !dataFingerprint.isEmpty else { throw fail("dataFingerprint is empty") }
        if let lossHistory, lossHistory.contains(where: { !$0.isFinite }) { throw fail("lossHistory is not finite") }
        for (hotel, hotelMetrics) in (hotelMetrics ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard hotelIDs.contains(hotel) else { throw fail("hotelMetrics names unknown hotel '\(hotel)'") }
            guard hotelMetrics.values.allSatisfy(\.isFinite) else {
                throw fail("hotelMetrics['\(hotel)'] has a non-finite metric")
            }
        }
    }
}
