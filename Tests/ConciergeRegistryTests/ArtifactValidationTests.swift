import ConciergeModel
import ConciergeModelFormat
import ConciergeRegistry
import ConciergeTestSupport
import Foundation
import Testing

/// One way to spoil a model, and the phrase the refusal must contain.
enum Spoiler: String, CaseIterable, Sendable {
    case duplicateUser, duplicateItem, idWithNewline, emptyHotelID, rangesWithGap, rangesShort, itemInWrongHotel,
        negativePrice, userHotelOutOfRange, neighbourOutOfRange, neighboursUnsorted, popularityOutOfRange,
        popularityUnsorted, nanFactor, infiniteFactor, factorRowsWrong, factorColumnsDisagree, alsWithoutFactors,
        lonelyFactors, historyWrongShape, nanHistoryValue, freeItemsWrongShape, freeItemOutOfRange, nanMetric,
        emptyFingerprint, noItems

    func apply(to model: inout ModelArtifacts) {
        switch self {
        case .duplicateUser: model.userIDs[3] = model.userIDs[1]
        case .duplicateItem: model.itemIDs[6] = model.itemIDs[0]
        case .idWithNewline: model.itemIDs[2] = "item\n2"
        case .emptyHotelID: model.hotelIDs[1] = ""
        case .rangesWithGap: model.hotelItemRanges = [0..<3, 4..<4, 4..<7]
        case .rangesShort: model.hotelItemRanges = [0..<3, 3..<3, 3..<6]
        case .itemInWrongHotel: model.items[4].hotel = 0
        case .negativePrice: model.items[1].price = -1
        case .userHotelOutOfRange: model.userHotel[2] = 3
        case .neighbourOutOfRange: model.itemNeighbours.columnIndices[4] = 7
        case .neighboursUnsorted: model.itemNeighbours.values.swapAt(0, 1)
        case .popularityOutOfRange: model.popularity.columnIndices[0] = -1
        case .popularityUnsorted: model.popularity.values[2] = 10
        case .nanFactor: model.itemFactors!.values[9] = .nan
        case .infiniteFactor: model.userFactors!.values[0] = -.infinity
        case .factorRowsWrong: model.itemFactors = DenseMatrix(rows: 6, columns: 4)
        case .factorColumnsDisagree: model.userFactors = DenseMatrix(rows: 5, columns: 3)
        case .alsWithoutFactors:
            model.userFactors = nil
            model.itemFactors = nil
        case .lonelyFactors: model.userFactors = nil
        case .historyWrongShape: model.userItems = SparseMatrix(rows: 5, columns: 6, entries: [])
        case .nanHistoryValue: model.userItems.values[0] = .nan
        case .freeItemsWrongShape: model.userFreeItems = SparseMatrix(rows: 4, columns: 7, entries: [])
        case .freeItemOutOfRange: model.userFreeItems!.columnIndices[0] = 7
        case .nanMetric: model.metrics["map@10"] = .nan
        case .emptyFingerprint: model.dataFingerprint = ""
        case .noItems:
            model.itemIDs = []
            model.items = []
        }
    }

    var expectedPhrase: String {
        switch self {
        case .duplicateUser: "userIDs has 'guest-b' twice (at 1 and 3)"
        case .duplicateItem: "itemIDs has 'item-1' twice (at 0 and 6)"
        case .idWithNewline: "itemIDs[2] contains a line break"
        case .emptyHotelID: "hotelIDs[1] is empty"
        case .rangesWithGap: "hotelItemRanges[1] starts at item 4, not 3"
        case .rangesShort: "hotelItemRanges cover items 0..<6, not all 7"
        case .itemInWrongHotel: "items[4] belongs to hotel 0 but lies in hotel 2's range"
        case .negativePrice: "items[1].price is -1.0"
        case .userHotelOutOfRange: "userHotel[2] is 3, outside 0..<3"
        case .neighbourOutOfRange: "itemNeighbours: row 1 has column index 7, outside 0..<7"
        case .neighboursUnsorted: "itemNeighbours: row 0 is not sorted by descending value"
        case .popularityOutOfRange: "popularity: row 0 has column index -1, outside 0..<7"
        case .popularityUnsorted: "popularity: row 0 is not sorted by descending value"
        case .nanFactor: "itemFactors has a non-finite value nan at row 2, column 1"
        case .infiniteFactor: "userFactors has a non-finite value -inf at row 0, column 0"
        case .factorRowsWrong: "itemFactors has 6 rows for 7"
        case .factorColumnsDisagree: "userFactors has 3 columns and itemFactors 4"
        case .alsWithoutFactors: "kind als needs user and item factors"
        case .lonelyFactors: "userFactors and itemFactors come as a pair"
        case .historyWrongShape: "userItems is 5×6, not 5×7"
        case .nanHistoryValue: "userItems: row 0 has a non-finite value"
        case .freeItemsWrongShape: "userFreeItems is 4×7, not 5×7"
        case .freeItemOutOfRange: "userFreeItems: row 0 has column index 7, outside 0..<7"
        case .nanMetric: "metric 'map@10' is not finite"
        case .emptyFingerprint: "dataFingerprint is empty"
        case .noItems: "there are no items"
        }
    }
}

@Suite struct ArtifactValidationTests {
    @Test(arguments: Spoiler.allCases)
    func aBadModelIsRefusedAndNothingIsWritten(spoiler: Spoiler) throws {
        let scratch = ScratchDirectory()
        var artifacts = sampleArtifacts()
        spoiler.apply(to: &artifacts)
        let error = registryError { try scratch.registry.publish(model: "roomservice", artifacts: artifacts) }
        let description = error?.description ?? ""
        #expect(description.hasPrefix("invalid model artifacts: "))
        #expect(description.contains(spoiler.expectedPhrase), "\(description)")
        #expect(!FileManager.default.fileExists(atPath: scratch.registry.directory))
    }

    @Test func aRefusalLeavesAnExistingRegistryUntouched() throws {
        let scratch = ScratchDirectory()
        let registry = scratch.registry
        try registry.publish(model: "roomservice", artifacts: sampleArtifacts())
        var artifacts = sampleArtifacts()
        Spoiler.nanFactor.apply(to: &artifacts)
        #expect(registryError { try registry.publish(model: "roomservice", artifacts: artifacts) } != nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: registry.directory + "/roomservice") == ["1"])
        #expect(try registry.list().count == 1)
        #expect(try registry.events().count == 1)
    }
}
