public import ConciergeModel

/// What scoring reads of a model, by index: its hotel blocks, factors, neighbours and popularity, and each
/// guest's hotel and history. A served version (`LoadedModel.view`, over the mapped files) and a model being
/// evaluated while it trains (`ModelView(artifacts)`, over copies in memory) are the same type, so the one
/// ranking code answers both. A class: as a struct of some 550 bytes it was copied to the stack for each call of
/// one of its methods from another module, about 110 instructions a call.
public final class ModelView: Sendable {
    public let kind: ModelKind
    /// What the model was fitted with; fold-in reads ALS's regularization, alpha and confidence from it.
    public let hyperParameters: [String: HyperParameter]
    /// Users × factors and items × factors; present for `.als`, optional for the other kinds.
    public let userFactors: DenseMatrixView?
    public let itemFactors: DenseMatrixView?
    /// Users × items: what each guest ordered, the history a model scores from.
    public let userItems: SparseMatrixView
    /// Users × items: what each guest got free and never paid for; nil when nobody did. Seen, never scored from.
    public let userFreeItems: SparseMatrixView?
    /// Items × items, each row by descending similarity.
    public let itemNeighbours: SparseMatrixView
    /// Hotels × items, each row by descending popularity.
    public let popularity: SparseMatrixView
    let hotelItemOffsets: VectorView<Int64>
    let userHotels: VectorView<Int32>
    /// EASE's blocks (`.ease` only), and where each hotel's starts in them.
    let easeWeights: VectorView<Float>?
    let easeBlockOffsets: [Int]

    init(
        kind: ModelKind, hyperParameters: [String: HyperParameter], userFactors: DenseMatrixView?,
        itemFactors: DenseMatrixView?, userItems: SparseMatrixView, userFreeItems: SparseMatrixView?,
        itemNeighbours: SparseMatrixView, popularity: SparseMatrixView, hotelItemOffsets: VectorView<Int64>,
        userHotels: VectorView<Int32>, easeWeights: VectorView<Float>?, easeBlockOffsets: [Int]
    ) {
        self.kind = kind
        self.hyperParameters = hyperParameters
        self.userFactors = userFactors
        self.itemFactors = itemFactors
        self.userItems = userItems
        self.userFreeItems = userFreeItems
        self.itemNeighbours = itemNeighbours
        self.popularity = popularity
        self.hotelItemOffsets = hotelItemOffsets
        self.userHotels = userHotels
        self.easeWeights = easeWeights
        self.easeBlockOffsets = easeBlockOffsets
    }

    public var userCount: Int { userHotels.elements.count }
    public var itemCount: Int { userItems.columns }
    public var hotelCount: Int { hotelItemOffsets.elements.count - 1 }

    /// The hotel's items: a contiguous range of item indices.
    public func items(ofHotel hotel: Int) -> Range<Int> {
        Int(hotelItemOffsets[hotel])..<Int(hotelItemOffsets[hotel + 1])
    }

    /// The hotel of the user's latest stay.
    public func latestHotel(ofUser user: Int) -> Int { Int(userHotels[user]) }

    /// The item's hotel, found by binary search over the hotel ranges.
    public func hotel(ofItem item: Int) -> Int {
        precondition((0..<itemCount).contains(item), "item \(item) outside 0..<\(itemCount)")
        let offsets = hotelItemOffsets.elements
        var low = 0
        var high = hotelCount
        while high - low > 1 {
            let middle = (low + high) / 2
            if Int(offsets[middle]) <= item { low = middle } else { high = middle }
        }
        // Empty hotels share their offset with the next one; the item belongs to the last of them.
        return low
    }

    /// EASE's B for the hotel, row-major `n × n` over its n items (row i: what the hotel's i-th item adds to each
    /// item's score); nil unless the view is EASE's.
    public func easeWeights(ofHotel hotel: Int) -> UnsafeBufferPointer<Float>? {
        guard let easeWeights else { return nil }
        return UnsafeBufferPointer(
            rebasing: easeWeights.elements[easeBlockOffsets[hotel]..<easeBlockOffsets[hotel + 1]])
    }

    /// Where each hotel's EASE block starts in the concatenated weights, and one past the last.
    static func easeBlockOffsets(hotelItemOffsets: UnsafeBufferPointer<Int64>) -> [Int] {
        zip(hotelItemOffsets.dropFirst(), hotelItemOffsets).reduce(into: [0]) {
            let n = Int($1.0 - $1.1)
            $0.append($0.last! + n * n)
        }
    }

    /// What the user got free and never paid for (empty without free items).
    public func freeItems(ofUser user: Int) -> UnsafeBufferPointer<Int32> {
        userFreeItems?.columnIndices(ofRow: user) ?? UnsafeBufferPointer(start: nil, count: 0)
    }
}

extension ModelView {
    /// A model in memory, copied: what training evaluates. The arguments mean what `ModelArtifacts`' do.
    public convenience init(
        kind: ModelKind, hyperParameters: [String: HyperParameter], hotelItemRanges: [Range<Int>], userHotel: [Int],
        userFactors: DenseMatrix?, itemFactors: DenseMatrix?, userItems: SparseMatrix, userFreeItems: SparseMatrix?,
        itemNeighbours: SparseMatrix, popularity: SparseMatrix, easeWeights: [Float]? = nil
    ) {
        precondition(userHotel.count == userItems.rows && (userFreeItems?.rows ?? userItems.rows) == userItems.rows)
        let hotelItemOffsets = VectorView(copying: [0] + hotelItemRanges.map { Int64($0.upperBound) })
        self.init(
            kind: kind, hyperParameters: hyperParameters, userFactors: userFactors.map(DenseMatrixView.init(copying:)),
            itemFactors: itemFactors.map(DenseMatrixView.init(copying:)),
            userItems: SparseMatrixView(copying: userItems),
            userFreeItems: userFreeItems.map(SparseMatrixView.init(copying:)),
            itemNeighbours: SparseMatrixView(copying: itemNeighbours),
            popularity: SparseMatrixView(copying: popularity),
            hotelItemOffsets: hotelItemOffsets, userHotels: VectorView(copying: userHotel.map { Int32($0) }),
            easeWeights: easeWeights.map { VectorView(copying: $0) },
            easeBlockOffsets: Self.easeBlockOffsets(hotelItemOffsets: hotelItemOffsets.elements))
    }

    public convenience init(_ artifacts: ModelArtifacts) {
        self.init(
            kind: artifacts.kind, hyperParameters: artifacts.hyperParameters,
            hotelItemRanges: artifacts.hotelItemRanges, userHotel: artifacts.userHotel,
            userFactors: artifacts.userFactors, itemFactors: artifacts.itemFactors, userItems: artifacts.userItems,
            userFreeItems: artifacts.userFreeItems, itemNeighbours: artifacts.itemNeighbours,
            popularity: artifacts.popularity, easeWeights: artifacts.easeWeights)
    }
}
