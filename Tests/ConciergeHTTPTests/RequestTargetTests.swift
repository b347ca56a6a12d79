import HTTPTypes
import Testing

@testable import ConciergeHTTP

@Suite("RequestTarget")
struct RequestTargetTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var target: String
        var path: String
        var query: [[String]]
        var testDescription: String { target }
    }

    @Test(
        "splits the path from the query and decodes both",
        arguments: [
            // origin-form
            Case(target: "/", path: "/", query: []),
            Case(target: "/recommend", path: "/recommend", query: []),
            Case(target: "/recommend?user=1&limit=5", path: "/recommend", query: [["user", "1"], ["limit", "5"]]),
            Case(target: "/recommend?", path: "/recommend", query: []),
            Case(target: "/a%20b/c%2Fd", path: "/a b/c/d", query: []),
            Case(target: "/a+b?q=a+b", path: "/a+b", query: [["q", "a b"]]),
            Case(target: "/caf%C3%A9?name=Ren%C3%A9e", path: "/café", query: [["name", "Renée"]]),
            Case(target: "/x?a=1?b=2", path: "/x", query: [["a", "1?b=2"]]),
            Case(target: "//double//slash", path: "//double//slash", query: []),
            // absolute-form
            Case(target: "http://host:8080/recommend?user=1", path: "/recommend", query: [["user", "1"]]),
            Case(target: "https://example.com/a/b", path: "/a/b", query: []),
            Case(target: "http://example.com", path: "/", query: []),
            Case(target: "http://user@example.com:80/p%20q?x=%2B", path: "/p q", query: [["x", "+"]]),
            // asterisk-form
            Case(target: "*", path: "*", query: []),
        ])
    func parses(testCase: Case) throws {
        let target = try RequestTarget(testCase.target)
        #expect(target.path == testCase.path)
        #expect(target.query.items.map { [$0.name, $0.value] } == testCase.query)
    }

    // In absolute-form the authority ends at the first "/" *or* "?" (RFC 3986 §3.2); looking only for "/"
    // loses a query that has no path before it, or takes a "/" inside that query for the path.
    @Test(
        "absolute-form with a query but no path",
        arguments: [
            Case(target: "http://example.com?user=1", path: "/", query: [["user", "1"]]),
            Case(target: "http://example.com:8080?next=/a/b", path: "/", query: [["next", "/a/b"]]),
        ])
    func absoluteFormQueryWithoutPath(testCase: Case) throws {
        let target = try RequestTarget(testCase.target)
        #expect(target.path == testCase.path)
        #expect(target.query.items.map { [$0.name, $0.value] } == testCase.query)
    }

    @Test(
        "a target that is neither a path, an absolute URI nor * is a 400",
        arguments: [
            "", "recommend", "example.com:443", "?x=1", "**", "/%zz", "/%C3", "/ok?x=%FF", "/ok?x=%", "http://host/%G0",
        ])
    func invalid(target: String) {
        do {
            let parsed = try RequestTarget(target)
            Issue.record("accepted as path \(parsed.path.debugDescription)")
        } catch {
            #expect(error.status == .badRequest)
            #expect(error.code == "bad_request_target")
            #expect(!error.message.isEmpty)
        }
    }
}
