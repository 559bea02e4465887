import Glibc

/// The IMF-fixdate for the `Date` header (`Sun, 06 Nov 1994 08:49:37 GMT`),
/// formatted at most once per second per I/O queue.
struct HTTPDateCache {
    private var second = -1
    private(set) var bytes: [UInt8] = []

    /// The current date text; reformatted only when the second changed.
    mutating func current() -> [UInt8] {
        let now = time(nil)
        if now != second {
            second = now
            bytes = Self.format(now)
        }
        return bytes
    }

    static func format(_ t: Int) -> [UInt8] {
        var tt = time_t(t)
        var tmv = tm()
        gmtime_r(&tt, &tmv)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        var out: [UInt8] = []
        out.reserveCapacity(29)
        func two(_ v: Int32) {
            out.append(UInt8(48 + v / 10))
            out.append(UInt8(48 + v % 10))
        }
        out += Array(days[Int(tmv.tm_wday)].utf8)
        out += Array(", ".utf8)
        two(tmv.tm_mday)
        out.append(32)
        out += Array(months[Int(tmv.tm_mon)].utf8)
        out.append(32)
        let year = tmv.tm_year + 1900
        two(year / 100)
        two(year % 100)
        out.append(32)
        two(tmv.tm_hour)
        out.append(58)
        two(tmv.tm_min)
        out.append(58)
        two(tmv.tm_sec)
        out += Array(" GMT".utf8)
        return out
    }
}
