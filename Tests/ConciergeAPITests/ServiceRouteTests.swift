import ConciergeModelFormat
import ConciergeTestSupport
import Foundation
import Testing

/// Every route of the service on a trained model, answered in process by the router `concierge serve` builds.
@Suite struct ServiceRouteTests {
    let service: RoutedService

    init() throws {
        service = try RoutedService()
    }

    @Test func recommendationsFollowTheHotelExclusionAndSeenRules() throws {
        let model = service.model
        var generator = SystemRandomNumberGenerator()
        // Guests who only ever got items free are known but have no history: they get popular items.
        let guestsWithHistory = (0..<model.userCount).filter { !model.userItems.rowRange($0).isEmpty }
        for _ in 0..<60 {
            let user = guestsWithHistory.randomElement(using: &generator)!
            let userID = model.userID(user)
            let history = Set(model.userItems.columnIndices(ofRow: user).map { model.itemID(Int($0)) })
            let hotel = model.latestHotel(ofUser: user)
            let menu = model.items(ofHotel: hotel)
            let excluded = (0..<3).map { _ in model.itemID(Int.random(in: menu, using: &generator)) }
            let k = Int.random(in: 1...20, using: &generator)
            let answer = service.get("/recommend?user=\(userID)&k=\(k)&exclude=\(excluded.joined(separator: ","))")
            #expect(answer.status == 200, "\(answer.body)")
            let json = answer.json
            #expect(json["strategy"] as? String == model.kind.rawValue)
            #expect(json["hotel"] as? String == model.hotelID(hotel))
            let items = json["items"] as? [[String: Any]] ?? []
            #expect(items.count <= k && !items.isEmpty)
            for item in items {
                let id = item["id"] as? String ?? ""
                #expect(item["hotel"] as? String == model.hotelID(hotel), "an item of another hotel: \(item)")
                #expect(!excluded.contains(id), "an excluded item: \(id)")
                #expect(!history.contains(id), "an item the guest already ordered: \(id)")
            }
            let scores = items.compactMap { ($0["score"] as? NSNumber)?.doubleValue }
            #expect(scores == scores.sorted(by: >))
        }
    }

    @Test func postAnswersLikeGet() throws {
        let model = service.model
        let user = model.userID(3)
        let get = service.get("/recommend?user=\(user)&k=5&seen=include")
        let post = service.post("/recommend", json: #"{"user":"\#(user)","k":5,"seen":"include"}"#)
        #expect(get.status == 200 && post.status == 200)
        #expect(get.body == post.body)
    }

    /// JSON numbers are ids and counts, never booleans: 0 and 1 included, the same in every field. A number
    /// is its value, however written: 1e2 is 100, and 1.0 the id "1".
    @Test func postReadsWholeNumbersAsIdsAndCounts() throws {
        let model = service.model
        let user = model.userID(0)
        let hotel = model.hotelID(0)
        let menu = model.items(ofHotel: 0)
        for (k, value) in [("1", 1), ("100", 100), ("1e2", 100), ("5.0", 5)] {
            let post = service.post("/recommend", json: #"{"user":\#(user),"k":\#(k)}"#)
            #expect(post.status == 200, "k \(k): \(post.body)")
            #expect(post.body == (service.get("/recommend?user=\(user)&k=\(value)")).body, "k \(k)")
        }
        let numeric = [
            (#"{"hotel":1,"k":5}"#, "/recommend?hotel=1&k=5"),
            (#"{"hotel":1.0}"#, "/recommend?hotel=1"),
            (#"{"user":1,"hotel":\#(hotel)}"#, "/recommend?user=1&hotel=\(hotel)"),
            (#"{"user":-1,"hotel":"\#(hotel)"}"#, "/recommend?user=-1&hotel=\(hotel)"),
            (
                #"{"hotel":\#(hotel),"exclude":[0,1],"departments":[\#(model.item(menu.lowerBound).department)]}"#,
                "/recommend?hotel=\(hotel)&exclude=0,1&departments=\(model.item(menu.lowerBound).department)"
            ),
            (
                #"{"hotel":\#(hotel),"recent":[\#(model.itemID(menu.lowerBound)),1]}"#,
                "/recommend?hotel=\(hotel)&recent=\(model.itemID(menu.lowerBound)),1"
            ),
        ]
        for (body, query) in numeric {
            let post = service.post("/recommend", json: body)
            #expect(post.status == 200, "\(body): \(post.body)")
            #expect(post.body == (service.get(query)).body, "\(body) answers unlike \(query)")
        }
    }

    @Test func coldStartsFoldInOrFallBackToPopularity() throws {
        let model = service.model
        let menu = model.items(ofHotel: 0)
        let recent = [model.itemID(menu.lowerBound), model.itemID(menu.lowerBound + 1)]
        let foldIn = service.get("/recommend?hotel=\(model.hotelID(0))&recent=\(recent.joined(separator: ","))&k=5")
        #expect(foldIn.json["strategy"] as? String == "fold-in")
        let inferred = service.get("/recommend?recent=\(recent.joined(separator: ","))&k=5")
        #expect(inferred.json["strategy"] as? String == "fold-in")
        #expect(inferred.json["hotel"] as? String == model.hotelID(0), "a new guest's recent items say which hotel")
        let popular = service.get("/recommend?user=nobody&hotel=\(model.hotelID(0))&k=5")
        #expect(popular.json["strategy"] as? String == "popular")
        #expect((popular.json["items"] as? [Any])?.count == 5)
    }

    @Test(arguments: [
        ("/recommend?user=1&k=0", 400, "invalid_parameter", "k"),
        ("/recommend?user=1&k=101", 400, "invalid_parameter", "k"),
        ("/recommend?user=1&k=ten", 400, "invalid_parameter", "k"),
        ("/recommend?user=1&seen=maybe", 400, "invalid_parameter", "seen"),
        ("/recommend?user=1&colour=blue", 400, "invalid_parameter", "colour"),
        ("/recommend?hotel=no-such-hotel", 400, "unknown_hotel", "no-such-hotel"),
        ("/similar?item=no-such-item", 404, "unknown_item", "no-such-item"),
        ("/similar", 400, "invalid_parameter", "item"),
        ("/nowhere", 404, "not_found", "/nowhere"),
    ])
    func badRequestsGetJSONErrors(path: String, status: Int, code: String, mentions: String) throws {
        let answer = service.get(path)
        #expect(answer.status == status)
        let error = answer.json["error"] as? [String: Any]
        #expect(error?["code"] as? String == code)
        #expect((error?["message"] as? String)?.contains(mentions) == true, "\(answer.body)")
    }

    @Test func similarItemsAreOfTheItemsHotel() {
        let model = service.model
        let item = model.itemID(model.items(ofHotel: 0).lowerBound)
        let answer = service.get("/similar?item=\(item)&k=3")
        #expect(answer.status == 200, "\(answer.body)")
        #expect(answer.json["item"] as? String == item)
        #expect(answer.json["hotel"] as? String == model.hotelID(0))
        let items = answer.json["items"] as? [[String: Any]] ?? []
        #expect(!items.isEmpty && items.count <= 3)
        #expect(items.allSatisfy { $0["hotel"] as? String == model.hotelID(0) && $0["id"] as? String != item })
    }

    /// Another method on a known path is 405 naming the ones allowed; HEAD is answered by GET.
    @Test func methodsOutsideTheRoutesAreRefused() {
        let similar = service.request(.post, "/similar?item=x")
        #expect(similar.status == 405)
        #expect(similar.headers["allow"] == "GET, HEAD")
        #expect((similar.json["error"] as? [String: Any])?["code"] as? String == "method_not_allowed")
        let recommend = service.request(.delete, "/recommend?user=1")
        #expect(recommend.status == 405)
        #expect(recommend.headers["allow"]?.contains("POST") == true)
        let head = service.request(.head, "/live")
        #expect(head.status == 200 && head.json["status"] as? String == "alive")
    }

    /// A boolean, a fraction, a number beyond 64 bits or a null where an id or `k` belongs.
    @Test(arguments: [
        (#"{"user": 1,,}"#, "malformed_json", "byte 11"),
        (#"["user"]"#, "malformed_json", "object"),
        (#"{"user": ["a"]}"#, "invalid_parameter", "user"),
        (#"{"user": "1", "k": "ten"}"#, "invalid_parameter", "k"),
        (#"{"user": "1", "exclude": "a,b"}"#, "invalid_parameter", "exclude"),
        (#"{"user": "1", "departments": [1.5]}"#, "invalid_parameter", "departments[0]"),
        (#"{"user": true}"#, "invalid_parameter", "user"),
        (#"{"user": null}"#, "invalid_parameter", "user"),
        (#"{"user": 12345678901234567890}"#, "invalid_parameter", "user"),
        (#"{"hotel": 1.5}"#, "invalid_parameter", "hotel"),
        (#"{"hotel": false}"#, "invalid_parameter", "hotel"),
        (#"{"user": "1", "k": true}"#, "invalid_parameter", "k"),
        (#"{"user": "1", "k": 1.5}"#, "invalid_parameter", "k"),
        (#"{"user": "1", "k": 1e3}"#, "invalid_parameter", "k"),
        (#"{"user": 1e19}"#, "invalid_parameter", "user"),
        (#"{"user": "1", "k": null}"#, "invalid_parameter", "k"),
        (#"{"user": "1", "exclude": [0, true]}"#, "invalid_parameter", "exclude[1]"),
        (#"{"user": "1", "exclude": null}"#, "invalid_parameter", "exclude"),
        (#"{"user": "1", "recent": [1e-2]}"#, "invalid_parameter", "recent[0]"),
        (#"{"user": "1", "recent": [""]}"#, "invalid_parameter", "recent[0]"),
        (#"{"user": "1", "departments": null}"#, "invalid_parameter", "departments"),
        (#"{"user": "1", "seen": null}"#, "invalid_parameter", "seen"),
    ])
    func badJSONBodiesNameWhatIsWrong(body: String, code: String, mentions: String) throws {
        let answer = service.post("/recommend", json: body)
        #expect(answer.status == 400)
        let error = answer.json["error"] as? [String: Any]
        #expect(error?["code"] as? String == code)
        #expect((error?["message"] as? String)?.contains(mentions) == true, "\(answer.body)")
    }

    @Test func healthAndModelNameTheVersionAndColour() throws {
        let service = try RoutedService(color: "green")
        let health = service.get("/health")
        #expect(health.status == 200)
        #expect(health.json["status"] as? String == "ready")
        #expect(health.json["color"] as? String == "green")
        #expect(health.json["version"] as? Int == 1)
        #expect(service.get("/live").json["status"] as? String == "alive")
        let model = service.get("/model")
        #expect(model.json["name"] as? String == "roomservice")
        #expect(model.json["color"] as? String == "green")
        #expect((model.json["metrics"] as? [String: Any])?["map@10"] != nil)
        #expect((model.json["counts"] as? [String: Any])?["hotels"] as? Int == 5)
    }

    @Test func metricsMoveAndPassPromtool() throws {
        let model = service.model
        for user in 0..<5 { _ = service.get("/recommend?user=\(model.userID(user))") }
        let recent = model.itemID(model.items(ofHotel: 0).lowerBound)
        let foldIn = service.get("/recommend?hotel=\(model.hotelID(0))&recent=\(recent)")
        #expect(foldIn.json["strategy"] as? String == "fold-in")
        let metrics = service.get("/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.body.contains(#"concierge_recommendations_total{strategy="\#(model.kind.rawValue)""#))
        // Fold-in solves factors on ALS versions and scores neighbours on item-item ones: the kind says which.
        #expect(metrics.body.contains(#"concierge_fold_in_seconds_count{kind="\#(model.kind.rawValue)"} 1"#))
        #expect(
            metrics.body.contains(
                #"concierge_model_info{model="roomservice",version="1",kind="\#(model.kind.rawValue)",color="blue"} 1"#)
        )
        let created = try #require(model.manifest.created.flatMap { ISO8601DateFormatter().date(from: $0) })
        #expect(
            metrics.body.contains("concierge_model_created_timestamp_seconds \(Int(created.timeIntervalSince1970))"))
        #expect(metrics.body.contains(#"concierge_health_status{status="ready"} 1"#))
        #expect(metrics.body.contains(#"concierge_health_status{status="loading"} 0"#))
        for name in [
            "process_cpu_seconds_total", "process_resident_memory_bytes", "process_open_fds",
            "process_start_time_seconds",
        ] {
            #expect(metrics.body.contains("\n\(name) "), "\(name) is missing")
        }
        let promtool = Process()
        promtool.executableURL = URL(fileURLWithPath: "/usr/bin/promtool")
        promtool.arguments = ["check", "metrics"]
        let input = Pipe()
        let output = Pipe()
        promtool.standardInput = input
        promtool.standardOutput = output
        promtool.standardError = output
        try promtool.run()
        input.fileHandleForWriting.write(Data(metrics.body.utf8))
        try input.fileHandleForWriting.close()
        promtool.waitUntilExit()
        let report = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(promtool.terminationStatus == 0, "promtool: \(report)")
    }
}
