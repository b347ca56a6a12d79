import Testing

@testable import ConciergeReport

@Suite struct HTMLTests {
    @Test func escapesWhatCouldEndTextOrAnAttribute() {
        #expect(
            HTML.escape(#"<b a="1" b='2'>&amp;</b>"#) == "&lt;b a=&quot;1&quot; b=&#39;2&#39;&gt;&amp;amp;&lt;/b&gt;")
        #expect(HTML.escape("호텔 ★ plain") == "호텔 ★ plain")
    }

    @Test func attributeValuesAreEscapedInOrder() {
        #expect(HTML.attributes([("data-label", #"a"b"#), ("x", "<1>")]) == #" data-label="a&quot;b" x="&lt;1&gt;""#)
    }
}
