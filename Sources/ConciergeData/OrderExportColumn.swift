/// The columns of the operator's `hotel_order` export, in file order (header row present).
public enum OrderExportColumn: String, CaseIterable, Sendable {
    case orderSeq = "order_seq"
    case hotelSeq = "hotel_seq"
    case roomSeq = "room_seq"
    case customerSeq = "customer_seq"
    case orderPrice = "order_price"
    case status
    case contents
    case regDate = "reg_date"
    case checkDate = "check_date"
    case refuseDate = "refuse_date"
    case completeDate = "complete_date"
    case roomBuildingSeq = "room_building_seq"
    case roomFloorSeq = "room_floor_seq"
    case roomName = "room_name"
    case customerName = "customer_name"
    case visitorCount = "visitor_cnt"
    case visitAdultCount = "visit_adult_cnt"
    case visitChildCount = "visit_child_cnt"
    case visitBabyCount = "visit_baby_cnt"
    case checkIn = "check_in"
    case checkOut = "check_out"
    case checkOutExpected = "check_out_expected"
}
