/// A line of a Prometheus exposition that is not a sample, comment or blank.
package struct PrometheusTextError: Error, Equatable, CustomStringConvertible {
    package var line: Int
    package var problem: String
    package var text: String

    package var description: String { "line \(line) of the metrics: \(problem): \(text)" }
}
