/// The export's datetimes, `YYYY-MM-DD HH:MM:SS`, are the operator's wall-clock time in Korea (UTC+9, no daylight
/// saving since 1988). The store keeps them as unix seconds so that ordering and arithmetic are plain integers.
enum ExportDateTime {
    static let utcOffset = 9 * 3600
    static let secondsPerDay = 86_400

    /// MariaDB writes this for a datetime that was never set in a NOT NULL column; it means "none".
    static let zeroDate = Array("0000-00-00 00:00:00".utf8)

    /// Unix seconds, or nil when `text` is not a valid datetime in exactly this format.
    static func seconds(parsing text: ArraySlice<UInt8>) -> Int? {
        guard text.count == 19 else { return nil }
        let start = text.startIndex
        func number(_ offset: Int, _ length: Int) -> Int? {
            var value = 0
            for index in (start + offset)..<(start + offset + length) {
                let digit = Int(text[index]) - 48
                guard (0...9).contains(digit) else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        func separator(_ offset: Int, _ character: Unicode.Scalar) -> Bool {
            text[start + offset] == UInt8(ascii: character)
        }
        guard separator(4, "-"), separator(7, "-"), separator(10, " "), separator(13, ":"), separator(16, ":"),
            let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
            let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
            year >= 1, (1...12).contains(month), (1...daysInMonth(year: year, month: month)).contains(day),
            hour < 24, minute < 60, second < 60
        else { return nil }
        return days(year: year, month: month, day: day) * secondsPerDay + hour * 3600 + minute * 60 + second - utcOffset
    }

    /// Appends `seconds` in the export's format.
    static func append(_ seconds: Int, to output: inout [UInt8]) {
        let local = seconds + utcOffset
        let (year, month, day) = civilDate(days: local.floorDivided(by: secondsPerDay))
        let time = local - local.floorDivided(by: secondsPerDay) * secondsPerDay
        func digits(_ value: Int, _ count: Int) {
            var divisor = 1
            for _ in 1..<count { divisor *= 10 }
            while divisor > 0 {
                output.append(UInt8(48 + value / divisor % 10))
                divisor /= 10
            }
        }
        digits(year, 4)
        output.append(UInt8(ascii: "-"))
        digits(month, 2)
        output.append(UInt8(ascii: "-"))
        digits(day, 2)
        output.append(UInt8(ascii: " "))
        digits(time / 3600, 2)
        output.append(UInt8(ascii: ":"))
        digits(time / 60 % 60, 2)
        output.append(UInt8(ascii: ":"))
        digits(time % 60, 2)
    }

    /// The Korean calendar day of `seconds`, counted from 1970-01-01.
    static func localDay(_ seconds: Int) -> Int { (seconds + utcOffset).floorDivided(by: secondsPerDay) }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's `days_from_civil`).
    static func days(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = shiftedYear.floorDivided(by: 400)
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The inverse of `days(year:month:day:)` (Hinnant's `civil_from_days`).
    static func civilDate(days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = shifted.floorDivided(by: 146_097)
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

extension Int {
    fileprivate func floorDivided(by divisor: Int) -> Int {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
