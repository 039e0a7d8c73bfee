import Testing
@testable import TriplineCore

@Suite struct JSONValueTests {
    func parse(_ text: String) throws -> JSONValue { try JSONValue.parse(Array(text.utf8)[...]) }

    @Test func nestedObjectsAndDottedKeysNameTheSameField() throws {
        let event = try parse(#"{"user":{"name":"a","target.name":"b"},"user.name":["c",null,["d"]],"user.target":{"name":"e"}}"#)
        #expect(event.values(atPath: "user.name") == [.string("a"), .string("c"), .string("d")])
        #expect(event.values(atPath: "user.target.name") == [.string("b"), .string("e")])
        #expect(event.values(atPath: "user.nam").isEmpty)
    }

    @Test func fieldNamesCompareAsBytesAsInElasticsearch() throws {
        // "é" precomposed (U+00E9) and decomposed (e + U+0301): equal Swift Strings, different fields.
        let event = try parse("{\"caf\u{00E9}\":1,\"cafe\u{0301}\":2}")
        #expect(event.values(atPath: "caf\u{00E9}") == [.number("1")])
        #expect(event.values(atPath: "cafe\u{0301}") == [.number("2")])
    }
}
