/// Everything a sample hotel may have on its room-service menu. Each hotel takes a subset at its own prices.
/// The tastes are hidden from the export: they decide who orders an item, and the recommender has to find them.
enum SampleMenuCatalog {
    enum Department: Int, CaseIterable {
        case kitchen = 1
        case bar, cafe, housekeeping, amenities, laundry

        var orderType: String {
            switch self {
            case .kitchen, .bar, .cafe: "ROOM_SERVICE"
            case .housekeeping: "HOUSEKEEPING"
            case .amenities: "AMENITY"
            case .laundry: "LAUNDRY"
            }
        }

        /// The minutes the operator promises.
        var waitingMinutes: ClosedRange<Int> {
            switch self {
            case .kitchen: 20...40
            case .bar, .housekeeping: 10...20
            case .cafe: 10...15
            case .amenities: 5...15
            case .laundry: 180...360
            }
        }
    }

    /// Who an item appeals to. `everyone` items sell on popularity alone; the others mostly to their group.
    struct Taste: OptionSet {
        let rawValue: UInt8
        static let everyone = Taste(rawValue: 1 << 0)
        static let kids = Taste(rawValue: 1 << 1)
        static let baby = Taste(rawValue: 1 << 2)
        static let couple = Taste(rawValue: 1 << 3)
        static let business = Taste(rawValue: 1 << 4)
        static let group = Taste(rawValue: 1 << 5)
        static let longStay = Taste(rawValue: 1 << 6)
        static let wellness = Taste(rawValue: 1 << 7)
        static let count = 8
    }

    struct Entry {
        var name: String
        var department: Department
        /// KRW; 0 for a free item.
        var price: Int
        var taste: Taste
    }

    private static func entry(_ name: String, _ department: Department, _ price: Int, _ taste: Taste) -> Entry {
        Entry(name: name, department: department, price: price, taste: taste)
    }

    static let entries: [Entry] = [
        entry("김치찌개", .kitchen, 15_000, .everyone),
        entry("된장찌개", .kitchen, 15_000, .everyone),
        entry("순두부찌개", .kitchen, 14_000, .everyone),
        entry("비빔밥", .kitchen, 17_000, .everyone),
        entry("불고기 정식", .kitchen, 28_000, .everyone),
        entry("LA 갈비 정식", .kitchen, 39_000, .everyone),
        entry("갈비탕", .kitchen, 22_000, .everyone),
        entry("육개장", .kitchen, 16_000, .everyone),
        entry("삼계탕", .kitchen, 29_000, [.everyone, .wellness]),
        entry("전복죽", .kitchen, 19_000, [.everyone, .wellness]),
        entry("소고기 미역국", .kitchen, 15_000, .everyone),
        entry("해물 라면", .kitchen, 13_000, [.everyone, .group]),
        entry("신라면", .kitchen, 9_000, .everyone),
        entry("떡볶이", .kitchen, 14_000, [.everyone, .group]),
        entry("해물 파전", .kitchen, 18_000, [.everyone, .group]),
        entry("잔치국수", .kitchen, 12_000, .everyone),
        entry("물냉면", .kitchen, 16_000, .everyone),
        entry("클럽 샌드위치", .kitchen, 21_000, [.everyone, .business]),
        entry("룸서비스 버거", .kitchen, 24_000, .everyone),
        entry("마르게리타 피자", .kitchen, 26_000, [.everyone, .kids]),
        entry("페퍼로니 피자", .kitchen, 28_000, [.everyone, .group]),
        entry("까르보나라", .kitchen, 24_000, .everyone),
        entry("토마토 파스타", .kitchen, 22_000, .everyone),
        entry("시저 샐러드", .kitchen, 18_000, [.everyone, .wellness]),
        entry("리코타 치즈 샐러드", .kitchen, 19_000, .wellness),
        entry("닭가슴살 샐러드", .kitchen, 17_000, .wellness),
        entry("등심 스테이크", .kitchen, 58_000, [.everyone, .couple]),
        entry("안심 스테이크", .kitchen, 65_000, .couple),
        entry("연어 스테이크", .kitchen, 38_000, .wellness),
        entry("아메리칸 브렉퍼스트", .kitchen, 32_000, .everyone),
        entry("콘티넨탈 브렉퍼스트", .kitchen, 27_000, [.everyone, .business]),
        entry("한식 조식", .kitchen, 28_000, .everyone),
        entry("오믈렛", .kitchen, 16_000, .everyone),
        entry("프렌치 토스트", .kitchen, 15_000, [.everyone, .kids]),
        entry("에그 베네딕트", .kitchen, 19_000, .business),
        entry("베이글과 크림치즈", .kitchen, 9_000, .business),
        entry("그릭 요거트 볼", .kitchen, 12_000, [.wellness, .business]),
        entry("오트밀 포리지", .kitchen, 11_000, .wellness),
        entry("계절 과일 플래터", .kitchen, 25_000, [.everyone, .couple]),
        entry("모둠 초밥", .kitchen, 42_000, .everyone),
        entry("냄비 우동", .kitchen, 14_000, .everyone),
        entry("등심 돈까스", .kitchen, 19_000, .everyone),
        entry("치킨 커리", .kitchen, 18_000, .everyone),
        entry("새우 볶음밥", .kitchen, 17_000, .everyone),
        entry("짜장면", .kitchen, 12_000, [.everyone, .kids]),
        entry("짬뽕", .kitchen, 14_000, .everyone),
        entry("탕수육 (소)", .kitchen, 24_000, [.everyone, .group]),
        entry("감자튀김", .kitchen, 9_000, [.everyone, .kids, .group]),
        entry("뉴욕 치즈케이크", .kitchen, 11_000, .couple),
        entry("티라미수", .kitchen, 12_000, .couple),
        entry("애플망고 빙수", .kitchen, 42_000, [.everyone, .couple]),
        entry("바닐라 아이스크림", .kitchen, 8_000, .kids),
        entry("키즈 돈까스", .kitchen, 13_000, .kids),
        entry("어린이 스파게티", .kitchen, 12_000, .kids),
        entry("키즈 미니버거 세트", .kitchen, 15_000, .kids),
        entry("어린이 카레라이스", .kitchen, 11_000, .kids),
        entry("치킨 너겟 (6조각)", .kitchen, 10_000, [.kids, .group]),
        entry("키즈 주먹밥", .kitchen, 9_000, .kids),
        entry("키즈 소시지 볶음밥", .kitchen, 11_000, .kids),
        entry("어린이 우동", .kitchen, 9_000, .kids),
        entry("미니 팬케이크", .kitchen, 9_000, .kids),
        entry("키즈 과일컵", .kitchen, 7_000, .kids),
        entry("키즈 오므라이스", .kitchen, 12_000, .kids),
        entry("어린이 떡갈비 정식", .kitchen, 14_000, .kids),
        entry("아기 이유식 (소고기)", .kitchen, 9_000, .baby),
        entry("아기 이유식 (채소)", .kitchen, 8_000, .baby),
        entry("유아용 흰죽", .kitchen, 7_000, .baby),
        entry("유아용 바나나 퓨레", .kitchen, 6_000, .baby),
        entry("치즈 플래터", .kitchen, 32_000, .couple),
        entry("하몽과 멜론", .kitchen, 34_000, .couple),
        entry("딸기 초콜릿 퐁듀", .kitchen, 28_000, .couple),
        entry("커플 스테이크 세트", .kitchen, 98_000, .couple),
        entry("랍스터 테르미도르", .kitchen, 89_000, .couple),
        entry("생굴 플래터", .kitchen, 45_000, .couple),
        entry("트러플 감자튀김", .kitchen, 16_000, [.couple, .group]),
        entry("후라이드 치킨", .kitchen, 26_000, .group),
        entry("양념 치킨", .kitchen, 27_000, .group),
        entry("반반 치킨", .kitchen, 27_000, .group),
        entry("모둠 소시지", .kitchen, 24_000, .group),
        entry("나초와 살사", .kitchen, 16_000, .group),
        entry("골뱅이 무침", .kitchen, 22_000, .group),
        entry("모둠 마른안주", .kitchen, 20_000, .group),
        entry("족발 (중)", .kitchen, 39_000, .group),
        entry("보쌈 (중)", .kitchen, 39_000, .group),
        entry("버팔로 윙", .kitchen, 22_000, .group),

        entry("레드 와인 보르도 (병)", .bar, 89_000, .couple),
        entry("칠레 까베르네 소비뇽 (병)", .bar, 59_000, .couple),
        entry("샤블리 화이트 와인 (병)", .bar, 79_000, .couple),
        entry("모스카토 다스티 (병)", .bar, 55_000, .couple),
        entry("모엣 샹동 샴페인 (병)", .bar, 150_000, .couple),
        entry("하우스 와인 (글라스)", .bar, 15_000, [.everyone, .couple]),
        entry("모히토", .bar, 18_000, .couple),
        entry("마가리타", .bar, 18_000, .couple),
        entry("코스모폴리탄", .bar, 18_000, .couple),
        entry("생맥주 500ml", .bar, 9_000, [.everyone, .group]),
        entry("카스 (병)", .bar, 7_000, .group),
        entry("하이네켄 (병)", .bar, 9_000, .group),
        entry("참이슬 소주", .bar, 7_000, .group),
        entry("장수 막걸리", .bar, 8_000, .group),
        entry("하이볼", .bar, 14_000, [.group, .business]),
        entry("버킷 맥주 (5병)", .bar, 35_000, .group),
        entry("글렌피딕 12년 (글라스)", .bar, 22_000, .business),
        entry("잭 다니엘 (글라스)", .bar, 16_000, .business),
        entry("코카콜라", .bar, 4_000, [.everyone, .kids]),
        entry("스프라이트", .bar, 4_000, .everyone),
        entry("페리에 탄산수", .bar, 5_000, .wellness),
        entry("에비앙 생수", .bar, 6_000, .everyone),
        entry("논알콜 맥주", .bar, 8_000, .wellness),

        entry("아메리카노", .cafe, 6_000, [.everyone, .business]),
        entry("카페라떼", .cafe, 7_000, .business),
        entry("카푸치노", .cafe, 7_000, .business),
        entry("에스프레소", .cafe, 5_000, .business),
        entry("콜드브루", .cafe, 7_000, .business),
        entry("버터 크루아상", .cafe, 5_000, [.everyone, .business]),
        entry("블루베리 머핀", .cafe, 5_000, .everyone),
        entry("딸기 생크림 케이크 (조각)", .cafe, 9_000, .couple),
        entry("마카롱 세트 (6개)", .cafe, 12_000, .couple),
        entry("녹차", .cafe, 6_000, .wellness),
        entry("캐모마일 티", .cafe, 6_000, .wellness),
        entry("핫초코", .cafe, 7_000, .kids),
        entry("생과일 오렌지 주스", .cafe, 9_000, [.everyone, .kids]),
        entry("자몽 에이드", .cafe, 8_000, .everyone),
        entry("복숭아 아이스티", .cafe, 6_000, .everyone),
        entry("딸기 우유", .cafe, 4_000, .kids),
        entry("디카페인 라떼", .cafe, 7_000, .wellness),

        entry("추가 수건", .housekeeping, 0, .everyone),
        entry("생수 2병 추가", .housekeeping, 0, .everyone),
        entry("추가 베개", .housekeeping, 0, .everyone),
        entry("추가 담요", .housekeeping, 0, .everyone),
        entry("객실 정리", .housekeeping, 0, .longStay),
        entry("침구 교체", .housekeeping, 0, .longStay),
        entry("냉장고 비우기", .housekeeping, 0, .longStay),
        entry("쓰레기 수거", .housekeeping, 0, .longStay),
        entry("턴다운 서비스", .housekeeping, 0, .couple),
        entry("가습기 대여", .housekeeping, 0, [.everyone, .baby]),
        entry("다리미 대여", .housekeeping, 0, .business),
        entry("엑스트라 베드", .housekeeping, 40_000, [.group, .kids]),
        entry("아기 침대", .housekeeping, 0, .baby),
        entry("침대 안전 가드", .housekeeping, 0, [.kids, .baby]),
        entry("젖병 소독기 대여", .housekeeping, 0, .baby),
        entry("유아 욕조 대여", .housekeeping, 0, .baby),
        entry("공기청정기 대여", .housekeeping, 0, [.baby, .wellness]),
        entry("휴대폰 충전기 대여", .housekeeping, 0, .business),
        entry("멀티 어댑터 대여", .housekeeping, 0, .business),
        entry("우산 대여", .housekeeping, 0, .everyone),

        entry("칫솔 세트", .amenities, 0, .everyone),
        entry("면도기 키트", .amenities, 2_000, .business),
        entry("어린이 칫솔 세트", .amenities, 0, .kids),
        entry("유아용 샴푸와 로션", .amenities, 8_000, .baby),
        entry("기저귀 (5매)", .amenities, 6_000, .baby),
        entry("물티슈", .amenities, 3_000, [.baby, .kids]),
        entry("분유 포트 대여", .amenities, 0, .baby),
        entry("키즈 가운", .amenities, 0, .kids),
        entry("키즈 슬리퍼", .amenities, 0, .kids),
        entry("색칠공부 세트", .amenities, 5_000, .kids),
        entry("보드게임 대여", .amenities, 0, [.group, .kids]),
        entry("배스밤", .amenities, 12_000, .couple),
        entry("장미 꽃잎 장식", .amenities, 35_000, .couple),
        entry("아로마 향초", .amenities, 15_000, [.couple, .wellness]),
        entry("요가 매트 대여", .amenities, 0, .wellness),
        entry("마스크팩 (3매)", .amenities, 6_000, [.couple, .wellness]),
        entry("두통약", .amenities, 3_000, .everyone),
        entry("소화제", .amenities, 3_000, .everyone),
        entry("핸드크림", .amenities, 8_000, .wellness),
        entry("헤어 고데기 대여", .amenities, 0, .couple),

        entry("셔츠 세탁과 다림질", .laundry, 8_000, [.business, .longStay]),
        entry("정장 드라이클리닝", .laundry, 25_000, .business),
        entry("바지 다림질", .laundry, 6_000, .business),
        entry("익스프레스 세탁 (3시간)", .laundry, 30_000, .business),
        entry("일반 세탁 (1kg)", .laundry, 15_000, .longStay),
        entry("속옷 세탁 (5벌)", .laundry, 10_000, .longStay),
        entry("아동복 세탁", .laundry, 12_000, [.kids, .longStay]),
        entry("운동화 세탁", .laundry, 15_000, .longStay),
        entry("수영복 세탁", .laundry, 8_000, [.group, .longStay]),
    ]
}
