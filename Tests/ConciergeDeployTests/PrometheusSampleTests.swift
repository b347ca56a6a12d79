import ConciergeDeploy
import Testing

@Suite struct PrometheusSampleTests {
    /// The "Text format example" of Prometheus's "Exposition formats" page
    /// (https://prometheus.io/docs/instrumenting/exposition_formats/#text-format-example), summary included.
    static let documentationExample = #"""
        # HELP http_requests_total The total number of HTTP requests.
        # TYPE http_requests_total counter
        http_requests_total{method="post",code="200"} 1027 1395066363000
        http_requests_total{method="post",code="400"}    3 1395066363000

        # Escaping in label values:
        msdos_file_access_time_seconds{path="C:\\DIR\\FILE.TXT",error="Cannot find file:\n\"FILE.TXT\""} 1.458255915e9

        # Minimalistic line:
        metric_without_timestamp_and_labels 12.47

        # A weird metric from before the epoch:
        something_weird{problem="division by zero"} +Inf -3982045

        # A histogram, which has a pretty complex representation in the text format:
        # HELP http_request_duration_seconds A histogram of the request duration.
        # TYPE http_request_duration_seconds histogram
        http_request_duration_seconds_bucket{le="0.05"} 24054
        http_request_duration_seconds_bucket{le="0.1"} 33444
        http_request_duration_seconds_bucket{le="0.2"} 100392
        http_request_duration_seconds_bucket{le="0.5"} 129389
        http_request_duration_seconds_bucket{le="1"} 133988
        http_request_duration_seconds_bucket{le="+Inf"} 144320
        http_request_duration_seconds_sum 53423
        http_request_duration_seconds_count 144320

        # Finally a summary, which has a complex representation, too:
        # HELP rpc_duration_seconds A summary of the RPC duration in seconds.
        # TYPE rpc_duration_seconds summary
        rpc_duration_seconds{quantile="0.01"} 3102
        rpc_duration_seconds{quantile="0.05"} 3272
        rpc_duration_seconds{quantile="0.5"} 4773
        rpc_duration_seconds{quantile="0.9"} 9001
        rpc_duration_seconds{quantile="0.99"} 76656
        rpc_duration_seconds_sum 1.7560473e+07
        rpc_duration_seconds_count 2693

        """#

    @Test func theDocumentationsExample() throws {
        let samples = try PrometheusSample.parse(exposition: Self.documentationExample)
        try #require(samples.count == 20)
        #expect(
            samples[0]
                == PrometheusSample(
                    name: "http_requests_total", labels: ["method": "post", "code": "200"], value: 1027,
                    timestamp: 1_395_066_363_000))
        #expect(samples[1].value == 3)
        #expect(
            samples[2]
                == PrometheusSample(
                    name: "msdos_file_access_time_seconds",
                    labels: ["path": #"C:\DIR\FILE.TXT"#, "error": "Cannot find file:\n\"FILE.TXT\""],
                    value: 1.458255915e9))
        #expect(samples[3] == PrometheusSample(name: "metric_without_timestamp_and_labels", value: 12.47))
        #expect(
            samples[4]
                == PrometheusSample(
                    name: "something_weird", labels: ["problem": "division by zero"], value: .infinity,
                    timestamp: -3_982_045))
        #expect(
            samples[10]
                == PrometheusSample(name: "http_request_duration_seconds_bucket", labels: ["le": "+Inf"], value: 144320)
        )
        #expect(samples[19] == PrometheusSample(name: "rpc_duration_seconds_count", value: 2693))
        #expect(samples[18].value == 1.7560473e+07)
    }

    @Test func aTrailingCommaAndBlanksInTheLabelSet() throws {
        let samples = try PrometheusSample.parse(exposition: "a_b:c{ x = \"1\" , y=\"\",}\t-0.5\nnan_metric NaN\n")
        #expect(samples.first == PrometheusSample(name: "a_b:c", labels: ["x": "1", "y": ""], value: -0.5))
        #expect(samples.last?.value.isNaN == true)
    }

    @Test(arguments: [
        ("requests_total{route=\"/\" 3", 1, "expected ',' or '}'"),
        ("ok 1\nrequests_total 3 4 5", 2, "unexpected text after the sample"),
        ("requests_total{route=\"/\"}", 1, "expected a value"),
        ("requests_total three", 1, "the value is not a number"),
        ("requests_total{route=\"a\\tb\"} 1", 1, "unknown escape"),
        ("requests_total{route=\"/\",route=\"/x\"} 1", 1, "label route appears twice"),
        ("9lives 1", 1, "expected a metric name"),
        ("requests_total 1 soon", 1, "the timestamp is not an integer"),
    ])
    func malformedLinesAreNamed(text: String, line: Int, problem: String) {
        #expect {
            try PrometheusSample.parse(exposition: text)
        } throws: { error in
            guard let error = error as? PrometheusTextError else { return false }
            return error.line == line && error.problem.hasPrefix(problem)
        }
    }
}
