import ConciergeJSON

/// A colour's answer to a golden request: its status, and the ids of the items in its `items` array.
package struct GoldenAnswer: Sendable, Equatable {
    package var status: Int
    /// Empty when the body is not a JSON object with an `items` array of objects with string `id`s.
    package var itemIDs: [String]

    package init(status: Int, itemIDs: [String]) {
        self.status = status
        self.itemIDs = itemIDs
    }

    /// From the answer's status and body (`/recommend` and `/similar` in docs/openapi.yaml).
    package init(status: Int, body: String) {
        self.status = status
        itemIDs = []
        guard case .object(let members)? = try? JSONValue(parsing: Array(body.utf8)[...]),
            case .array(let items)? = members.last(where: { $0.key == "items" })?.value
        else { return }
        itemIDs = items.compactMap { item in
            guard case .object(let fields) = item, case .string(let id)? = fields.last(where: { $0.key == "id" })?.value
            else { return nil }
            return id
        }
    }

    /// What a new colour must give for every golden request.
    package var isGood: Bool { status == 200 && !itemIDs.isEmpty }
}
