/// The hidden truth behind a sample export: hotels and their menus, guests and their tastes, stays and orders.
/// `SampleExportWriter` turns it into the operator's CSV; only what the operator records reaches the file.
struct SampleWorld {
    struct Hotel {
        var seq: Int
        var menu: [MenuItem]
        var floors: ClosedRange<Int>
        var roomsPerFloor: Int
        var buildings: Int
    }

    struct MenuItem {
        var itemSeq: Int
        var name: String
        var department: SampleMenuCatalog.Department
        var departmentSeq: Int
        /// KRW; 0 for a free item.
        var price: Int
        var taste: SampleMenuCatalog.Taste
        /// Appeal to anyone, before taste.
        var popularity: Double
    }

    struct Guest {
        var customerSeq: Int
        var name: String
        var adults: Int
        var children: Int
        var babies: Int
        /// A taste of the guest's own, beyond what the party suggests.
        var personalTaste: SampleMenuCatalog.Taste
        /// How much the guest orders per night, relative to others.
        var activity: Double
    }

    struct Stay {
        var guest: Int
        var hotel: Int
        var nights: Int
        var checkIn: Int
        var checkOutExpected: Int
        /// When the guest left; after the export's end, the export has no check-out yet.
        var checkOut: Int
        var roomSeq: Int
        var roomBuildingSeq: Int
        var roomFloorSeq: Int
        var roomName: String
        var isReturn: Bool
    }

    struct Line {
        /// Index into the hotel's menu.
        var menuIndex: Int
        var count: Int
        /// nil: the export leaves `freeCount` out.
        var freeCount: Int?
        var couponSeq: Int?
        var waitingPeriod: Int
        var delayPeriod: Int
        /// nil: the export leaves `completePeriod` out.
        var completePeriod: Int?
    }

    struct Order {
        var orderSeq = 0
        var stay: Int
        var regDate: Int
        var status: OrderStatus
        var lines: [Line]
        var checkDate: Int?
        var refuseDate: Int?
        var completeDate: Int?
    }

    /// 2024-03-04 00:00 in Korea, a Monday.
    static let exportStart =
        ExportDateTime.days(year: 2024, month: 3, day: 4) * ExportDateTime.secondsPerDay
        - ExportDateTime.utcOffset

    var hotels: [Hotel] = []
    var guests: [Guest] = []
    var stays: [Stay] = []
    /// By `reg_date`, numbered in that order, as the operator's auto-increment does.
    var orders: [Order] = []
    let exportEnd: Int

    init(configuration: SampleExportGenerator.Configuration, random: inout SampleRandom) {
        exportEnd = Self.exportStart + configuration.weeks * 7 * ExportDateTime.secondsPerDay
        hotels = Self.makeHotels(count: configuration.hotels, random: &random)
        guests = (0..<configuration.guests).map { _ in Self.makeGuest(random: &random) }
        var customerSeqs = Array(0..<configuration.guests)
        random.shuffle(&customerSeqs)
        for index in guests.indices { guests[index].customerSeq = 300_001 + customerSeqs[index] * 3 + random.below(3) }
        makeStays(days: configuration.weeks * 7, random: &random)
        makeOrders(count: configuration.orders ?? configuration.guests * 4, random: &random)
    }

    // MARK: Hotels

    private static let menuSizes = [150, 96, 48, 124, 72]

    private static func makeHotels(count: Int, random: inout SampleRandom) -> [Hotel] {
        let catalog = SampleMenuCatalog.entries
        var nextItemSeq = 1001
        return (1...count).map { seq in
            let size = seq <= menuSizes.count ? menuSizes[seq - 1] : random.int(in: 30...150)
            var shuffled = Array(catalog.indices)
            random.shuffle(&shuffled)
            var taken = [Bool](repeating: false, count: catalog.count)
            var chosen: [Int] = []
            // Three items of every taste at least, so every kind of guest finds something to order.
            for bit in 0..<SampleMenuCatalog.Taste.count {
                let taste = SampleMenuCatalog.Taste(rawValue: 1 << bit)
                for index in shuffled.lazy.filter({ !taken[$0] && catalog[$0].taste.contains(taste) }).prefix(3) {
                    taken[index] = true
                    chosen.append(index)
                }
            }
            for index in shuffled where !taken[index] && chosen.count < size {
                taken[index] = true
                chosen.append(index)
            }
            chosen.sort()
            let priceFactor = 0.9 + 0.35 * random.unit()
            var ranks = Array(chosen.indices)
            random.shuffle(&ranks)
            let menu = chosen.indices.map { position in
                let entry = catalog[chosen[position]]
                // A few paid items are complimentary at some hotels.
                let price =
                    entry.price == 0 || random.chance(0.04)
                    ? 0 : Int((Double(entry.price) * priceFactor / 500).rounded()) * 500
                defer { nextItemSeq += 1 }
                return MenuItem(
                    itemSeq: nextItemSeq, name: entry.name, department: entry.department,
                    departmentSeq: seq * 10 + entry.department.rawValue, price: price, taste: entry.taste,
                    popularity: 1 / Double(ranks[position] + 4))
            }
            return Hotel(
                seq: seq, menu: menu, floors: 2...random.int(in: 8...30), roomsPerFloor: random.int(in: 12...40),
                buildings: random.int(in: 1...3))
        }
    }

    // MARK: Guests and stays

    private static let surnames = ["김", "이", "박", "최", "정", "강", "조", "윤", "장", "임", "한", "오", "서", "신", "권", "황"]
    private static let givenNames = [
        "민준", "서연", "도윤", "하은", "시우", "지우", "주원", "서윤", "하준", "지호", "예준", "수아", "지민", "채원",
        "현우", "지유", "건우", "윤서", "우진", "다은",
    ]
    private static let romanSurnames = ["Kim", "Lee", "Park", "Choi", "Jung", "Kang"]
    private static let romanGivenNames = ["Minjun", "Seoyeon", "Doyun", "Haeun", "Siwoo", "Jiwoo"]

    private static func makeGuest(random: inout SampleRandom) -> Guest {
        var guest = Guest(
            customerSeq: 0, name: "", adults: 2, children: 0, babies: 0, personalTaste: [],
            activity: 0.5 + 1.5 * random.unit())
        switch random.unit() {
        case ..<0.22:
            guest.adults = 1
        case ..<0.50:
            break
        case ..<0.75:
            guest.children = random.chance(0.6) ? 1 : random.int(in: 2...3)
            guest.babies = random.chance(0.2) ? 1 : 0
        case ..<0.85:
            guest.babies = 1
            guest.children = random.chance(0.3) ? 1 : 0
        default:
            guest.adults = random.int(in: 3...4)
        }
        guest.personalTaste = random.element(of: [.couple, .business, .group, .wellness])
        if random.chance(0.25) { guest.personalTaste.insert(.wellness) }
        switch random.unit() {
        case ..<0.08:
            // Romanised, comma and all, so the CSV has to quote it.
            guest.name = "\(random.element(of: romanSurnames)), \(random.element(of: romanGivenNames))"
        case ..<0.09:
            guest.name = "\(random.element(of: romanSurnames)) \"Jay\" \(random.element(of: romanGivenNames))"
        default:
            guest.name = random.element(of: surnames) + random.element(of: givenNames)
        }
        return guest
    }

    private func nights(for guest: Guest, random: inout SampleRandom) -> Int {
        if random.chance(0.12) { return random.int(in: 5...14) }
        if guest.adults >= 3 { return random.int(in: 1...2) }
        return guest.children + guest.babies > 0 ? random.int(in: 2...4) : random.int(in: 1...3)
    }

    private mutating func makeStays(days: Int, random: inout SampleRandom) {
        let hotelWeights = hotels.map { Double($0.menu.count) }.runningSums()
        for guestIndex in guests.indices {
            let hotel = random.index(cumulativeWeights: hotelWeights)
            let firstDay = random.below(days)
            let firstNights = nights(for: guests[guestIndex], random: &random)
            stays.append(makeStay(guest: guestIndex, hotel: hotel, day: firstDay, nights: firstNights, random: &random))
            // Some come back a week or more after leaving, most to the same hotel.
            let earliestReturn = firstDay + firstNights + 7
            if earliestReturn < days && random.chance(0.15) {
                var returnHotel = hotel
                if hotels.count > 1 && random.chance(0.2) {
                    returnHotel = (hotel + 1 + random.below(hotels.count - 1)) % hotels.count
                }
                var stay = makeStay(
                    guest: guestIndex, hotel: returnHotel, day: random.int(in: earliestReturn...(days - 1)),
                    nights: nights(for: guests[guestIndex], random: &random), random: &random)
                stay.isReturn = true
                stays.append(stay)
            }
        }
    }

    private func makeStay(guest: Int, hotel: Int, day: Int, nights: Int, random: inout SampleRandom) -> Stay {
        let dayStart = Self.exportStart + day * ExportDateTime.secondsPerDay
        let checkOutExpected = dayStart + nights * ExportDateTime.secondsPerDay + 11 * 3600
        let floor = random.int(in: hotels[hotel].floors)
        let roomNumber = floor * 100 + random.int(in: 1...hotels[hotel].roomsPerFloor)
        let roomName =
            switch random.unit() {
            case ..<0.6: "\(roomNumber)호"
            case ..<0.85: "디럭스 더블 \(roomNumber)"
            default: "스위트, \(roomNumber)"
            }
        let hotelSeq = hotels[hotel].seq
        return Stay(
            guest: guest, hotel: hotel, nights: nights, checkIn: dayStart + 15 * 3600 + random.below(7 * 3600),
            checkOutExpected: checkOutExpected, checkOut: checkOutExpected - random.below(2 * 3600),
            roomSeq: hotelSeq * 100_000 + roomNumber,
            roomBuildingSeq: hotelSeq * 10 + random.int(in: 1...hotels[hotel].buildings),
            roomFloorSeq: hotelSeq * 1000 + floor, roomName: roomName, isReturn: false)
    }

    // MARK: Orders

    /// How strongly the guest, on this stay, wants items of each taste (indexed by the taste's bit).
    private func tasteWeights(guest: Guest, stay: Stay) -> [Double] {
        var weights = [Double](repeating: 0, count: SampleMenuCatalog.Taste.count)
        func add(_ taste: SampleMenuCatalog.Taste, _ weight: Double) {
            for bit in 0..<SampleMenuCatalog.Taste.count where taste.contains(.init(rawValue: 1 << bit)) {
                weights[bit] += weight
            }
        }
        add(.everyone, 1)
        if guest.children > 0 { add(.kids, 6) }
        if guest.babies > 0 { add(.baby, 8) }
        if guest.adults == 2 && guest.children + guest.babies == 0 { add(.couple, 5) }
        if guest.adults == 1 { add(.business, 5) }
        if guest.adults >= 3 { add(.group, 5) }
        if stay.nights >= 5 { add(.longStay, 5) }
        add(guest.personalTaste, 3)
        return weights
    }

    private mutating func makeOrders(count: Int, random: inout SampleRandom) {
        let nightsInExport = stays.map { stay in
            Double(max(min(stay.checkOut, exportEnd) - stay.checkIn, 0)) / Double(ExportDateTime.secondsPerDay)
        }
        let stayWeights = stays.indices.map { guests[stays[$0].guest].activity * max(nightsInExport[$0], 0.3) }
            .runningSums()
        var ordersPerStay = [Int](repeating: 0, count: stays.count)
        for _ in 0..<count { ordersPerStay[random.index(cumulativeWeights: stayWeights)] += 1 }

        for (stayIndex, stay) in stays.enumerated() where ordersPerStay[stayIndex] > 0 {
            let guest = guests[stay.guest]
            let menu = hotels[stay.hotel].menu
            let tastes = tasteWeights(guest: guest, stay: stay)
            let itemWeights = menu.map { item in
                var appeal = item.taste.contains(.everyone) ? 0.0 : 0.03
                for bit in 0..<SampleMenuCatalog.Taste.count where item.taste.contains(.init(rawValue: 1 << bit)) {
                    appeal += tastes[bit]
                }
                return item.popularity * appeal
            }.runningSums()
            // Personal favourites, drawn from the same tastes, come back order after order.
            var favourites: [Int] = []
            for _ in 0..<20 where favourites.count < 3 {
                let pick = random.index(cumulativeWeights: itemWeights)
                if !favourites.contains(pick) { favourites.append(pick) }
            }
            for _ in 0..<ordersPerStay[stayIndex] {
                orders.append(
                    makeOrder(
                        stayIndex: stayIndex, guest: guest, menu: menu, itemWeights: itemWeights,
                        favourites: favourites, random: &random))
            }
        }
        // The stays' orders interleave in time; the index breaks ties so the order is total and the sort repeatable.
        let sorted = orders.enumerated().sorted { ($0.element.regDate, $0.offset) < ($1.element.regDate, $1.offset) }
        orders = sorted.map(\.element)
        var orderSeq = 100_000
        for index in orders.indices {
            // Gaps where orders were deleted before the export.
            orderSeq += random.chance(0.03) ? random.int(in: 2...4) : 1
            orders[index].orderSeq = orderSeq
        }
    }

    private func makeOrder(
        stayIndex: Int, guest: Guest, menu: [MenuItem], itemWeights: [Double], favourites: [Int],
        random: inout SampleRandom
    ) -> Order {
        let stay = stays[stayIndex]
        let earliest = stay.checkIn + 600
        let latest = max(min(stay.checkOut, exportEnd) - 600, earliest + 1)
        var regDate = earliest + random.below(latest - earliest)
        for _ in 0..<4 where (2..<6).contains((regDate + ExportDateTime.utcOffset) / 3600 % 24) {
            regDate = earliest + random.below(latest - earliest)
        }

        let status: OrderStatus
        if regDate > exportEnd - 3 * 3600 {
            status = random.element(of: [.wait, .wait, .check, .check, .complete])
        } else {
            switch random.unit() {
            case ..<0.88: status = .complete
            case ..<0.93: status = .cancel
            case ..<0.96: status = .refuse
            case ..<0.98: status = .wait
            default: status = .check
            }
        }

        let lineCount =
            switch random.unit() {
            case ..<0.45: 1
            case ..<0.75: 2
            case ..<0.90: 3
            case ..<0.97: 4
            default: 5
            }
        let complimentary = random.chance(0.02)
        var lines: [Line] = []
        for _ in 0..<lineCount {
            let menuIndex =
                random.chance(0.35)
                ? random.element(of: favourites) : random.index(cumulativeWeights: itemWeights)
            guard !lines.contains(where: { $0.menuIndex == menuIndex }) else { continue }
            let item = menu[menuIndex]
            var count = random.chance(0.1) ? 2 : 1
            if item.taste.contains(.kids) && guest.children >= 2 && random.chance(0.6) {
                count = guest.children
            } else if (item.department == .bar || item.department == .cafe) && guest.adults >= 2 && random.chance(0.4) {
                count = min(guest.adults, 4)
            }
            var freeCount: Int? = random.chance(0.4) ? (count >= 2 && random.chance(0.15) ? 1 : 0) : nil
            if complimentary { freeCount = count }
            let couponSeq = (freeCount ?? 0) > 0 && random.chance(0.5) ? 7000 + random.below(500) : nil
            let waiting = random.int(in: item.department.waitingMinutes)
            let delay = random.chance(0.2) ? random.int(in: 5...30) : 0
            let completePeriod =
                status == .complete && random.chance(0.55) ? max(1, waiting + delay + random.int(in: -5...10)) : nil
            lines.append(
                Line(
                    menuIndex: menuIndex, count: count, freeCount: freeCount, couponSeq: couponSeq,
                    waitingPeriod: waiting, delayPeriod: delay, completePeriod: completePeriod))
        }

        var order = Order(stay: stayIndex, regDate: regDate, status: status, lines: lines)
        switch status {
        case .wait: break
        case .cancel: order.checkDate = random.chance(0.5) ? nil : regDate + random.int(in: 60...300)
        case .check, .complete, .refuse: order.checkDate = regDate + random.int(in: 60...300)
        }
        if status == .refuse { order.refuseDate = (order.checkDate ?? regDate) + random.int(in: 60...600) }
        if status == .complete {
            let minutes = lines.map { $0.completePeriod ?? $0.waitingPeriod + $0.delayPeriod }.max() ?? 0
            order.completeDate = (order.checkDate ?? regDate) + minutes * 60
        }
        return order
    }
}

extension [Double] {
    fileprivate func runningSums() -> [Double] {
        var total = 0.0
        return map {
            total += $0
            return total
        }
    }
}
