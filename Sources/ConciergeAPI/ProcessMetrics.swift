import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The process gauges the official Prometheus clients export, read from /proc at scrape time.
struct ProcessMetrics {
    var cpuSeconds: Double
    var residentMemoryBytes: Double
    var virtualMemoryBytes: Double
    var openFileDescriptors: Double
    var maxFileDescriptors: Double
    var startTimeSeconds: Double

    static func read() -> ProcessMetrics {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
        // Fields after the parenthesised command name, which may itself contain spaces.
        let stat = (try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8)) ?? ""
        let fields = stat.split(separator: ")").last.map { $0.split(separator: " ") } ?? []
        func field(_ number: Int) -> Double {
            // `number` is the 1-based field of proc(5); the split starts at field 3 (state).
            let index = number - 3
            return index >= 0 && index < fields.count ? Double(fields[index]) ?? 0 : 0
        }
        let statm = ((try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? "").split(separator: " ")
        let openFiles = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        return ProcessMetrics(
            cpuSeconds: (field(14) + field(15)) / ticks,
            residentMemoryBytes: (statm.count > 1 ? Double(statm[1]) ?? 0 : 0) * pageSize,
            virtualMemoryBytes: (statm.first.flatMap { Double($0) } ?? 0) * pageSize,
            openFileDescriptors: Double(openFiles),
            maxFileDescriptors: Double(limit.rlim_cur),
            startTimeSeconds: bootTime() + field(22) / ticks)
    }

    private static func bootTime() -> Double {
        let stat = (try? String(contentsOfFile: "/proc/stat", encoding: .utf8)) ?? ""
        let line = stat.split(separator: "\n").first { $0.hasPrefix("btime ") }
        return line.flatMap { Double($0.dropFirst("btime ".count)) } ?? 0
    }
}
