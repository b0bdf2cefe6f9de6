import Foundation
import Testing

@testable import HookSync
@testable import HookSyncCore

/// The JSON parser and writers on the hot paths, checked against Foundation's.
@Suite struct JSONTreeTests {
    /// Foundation's reading of `text`, re-encoded with sorted keys: what equal trees share.
    static func canonical(_ tree: Any) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: tree, options: [.sortedKeys, .fragmentsAllowed])
        return String(decoding: data, as: UTF8.self)
    }

    static let valid = [
        #"{}"#, #"[]"#, #" { "a" : [ 1 , 2 ] } "#,
        #"{"id":"evt_1","created":1718000000,"data":{"object":{"amount":-2000,"ratio":0.25,"tags":["a","b"],"x":null}}}"#,
        #"{"escapes":"q\" b\\ s\/ \b\f\n\r\t \u00e9 \ud83d\ude00","raw":"héllo 😀"}"#,
        #"[9223372036854775807,-9223372036854775808,18446744073709551615,-0,0.5e-3,1E+2,true,false,null]"#,
    ]

    @Test(arguments: valid)
    func readsWhatFoundationReads(_ text: String) throws {
        let ours = try JSONTree.parse(Array(text.utf8))
        let theirs = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        #expect(try Self.canonical(ours) == Self.canonical(theirs))
    }

    static let malformed = [
        "", " ", "{", "}", "[1,]", #"{"a":1,}"#, #"{"a" 1}"#, #"{a:1}"#, "['a']", "01", "1.", ".5", "-", "+1", "1e", "tru",
        "nul", #""unterminated"#, "\"tab\there\"", #""\x""#, #""\ud800""#, #""\udc00\ud800""#, #""\u12G4""#, "{} x", "[1] [2]",
        "{\"a\":1}\u{0}",
    ]

    @Test(arguments: malformed)
    func refusesWhatTheRFCRefuses(_ text: String) {
        #expect(throws: JSONTree.Malformed.self) { try JSONTree.parse(Array(text.utf8)) }
    }

    static let projected = [
        #"{"id":"evt_1","type":"a.b","created":1718000000,"data":{"object":{"id":"in_1","amount":-2000,"lines":[{"id":"il_0"},{"id":"il_1"}],"x":null}},"skip":{"deep":[1,{"s":"\u00e9\n"}]}}"#,
        #"{"a\/b":"escaped name","c~d":{"e":true},"list":[10,20,30],"n":9007199254740993,"o":{}}"#,
        #"[{"id":"first"},"second",3]"#,
    ]

    static let pointers = [
        "/id", "/type", "/created", "/data/object/id", "/data/object/amount", "/data/object/lines/1/id", "/data/object/x",
        "/data/object/missing", "/a~1b", "/c~0d/e", "/list/2", "/list/7", "/n", "/o", "/0/id", "/1", "/data", "/skip/deep/1/s",
    ]

    /// A projection's tree answers every pointer it keeps exactly as the whole tree does.
    @Test(arguments: projected)
    func aProjectionKeepsWhatItsPointersNameAndNothingElse(_ text: String) throws {
        let whole = try JSONTree.parse(Array(text.utf8))
        for count in 1...Self.pointers.count {
            let kept = Self.pointers.prefix(count).compactMap(JSONPointer.init)
            let tree = try JSONTree.parse(Array(text.utf8), keeping: JSONProjection(kept))
            for pointer in kept {
                let ours = pointer.resolve(in: tree).map { try? Self.canonical($0) } ?? nil
                let theirs = pointer.resolve(in: whole).map { try? Self.canonical($0) } ?? nil
                // A container on the way holds only what is kept; its scalars must match.
                if let value = pointer.resolve(in: whole), value is [String: Any] || value is [Any] { continue }
                #expect(ours == theirs, "\(pointer) of \(text)")
            }
        }
        if whole is [String: Any] {
            let sparse = try #require(
                try JSONTree.parse(Array(text.utf8), keeping: JSONProjection([JSONPointer("/data/object/id")!])) as? [String: Any]
            )
            #expect(sparse.keys.allSatisfy { $0 == "data" }, "only the way to /data/object/id: \(sparse.keys)")
        }
        let nothing = try JSONTree.parse(Array(text.utf8), keeping: JSONProjection([JSONPointer]()))
        #expect(try Self.canonical(nothing) == (whole is [Any] ? "[null,null,null]" : "{}"))
    }

    /// What a projection skips is checked as strictly as what it builds.
    @Test(arguments: malformed)
    func aProjectionRefusesWhatTheRFCRefuses(_ text: String) {
        let projection = JSONProjection([JSONPointer("/id")!])
        #expect(throws: JSONTree.Malformed.self) { try JSONTree.parse(Array(text.utf8), keeping: projection) }
        let wrapped = #"{"id":"evt_1","skipped":"# + text + "}"
        #expect(throws: JSONTree.Malformed.self) { try JSONTree.parse(Array(wrapped.utf8), keeping: projection) }
    }

    @Test func refusesDocumentsDeeperThanTheLimit() throws {
        let deep = String(repeating: "[", count: JSONTree.maximumDepth + 1) + String(repeating: "]", count: JSONTree.maximumDepth + 1)
        #expect(throws: JSONTree.Malformed.self) { try JSONTree.parse(Array(deep.utf8)) }
        let limit = String(repeating: "[", count: JSONTree.maximumDepth) + String(repeating: "]", count: JSONTree.maximumDepth)
        #expect(try JSONTree.parse(Array(limit.utf8)) is [Any])
    }

    @Test func integersKeepTheirDigitsForIdsAndTypesAreFoundations() throws {
        let tree = try #require(try JSONTree.parse(Array(#"{"n":9007199254740993,"t":true,"s":"x"}"#.utf8)) as? [String: Any])
        #expect((tree["n"] as? NSNumber)?.stringValue == "9007199254740993")
        #expect(tree["t"] as? Bool == true)
        #expect(tree["s"] as? String == "x")
    }

    @Test(arguments: valid)
    func writesBackWhatItRead(_ text: String) throws {
        let tree = try JSONTree.parse(Array(text.utf8))
        let written = try #require(JSONTree.serialize(tree))
        let reread = try JSONSerialization.jsonObject(with: Data(written), options: [.fragmentsAllowed])
        #expect(try Self.canonical(reread) == Self.canonical(tree))
    }

    @Test func writesSortedKeysUnescapedSlashesAndExactNumbers() throws {
        let tree = try JSONTree.parse(Array(#"{"b":[true,false,null],"a":"x/y","n":-12,"d":2.5,"w":3.0}"#.utf8))
        let written = try #require(JSONTree.serialize(tree))
        #expect(String(decoding: written, as: UTF8.self) == #"{"a":"x/y","b":[true,false,null],"d":2.5,"n":-12,"w":3}"#)
        #expect(JSONTree.serialize(["bad": Double.nan]) == nil)
        #expect(JSONTree.serialize(["bad": Date()]) == nil)
    }

    @Test func flatObjectsEscapeWhatJSONRequires() throws {
        var generator = SeededGenerator(seed: 7)
        let alphabet = Array("a\"\\/\n\r\t\u{1}\u{1f} é😀z")
        for _ in 0..<200 {
            var fields: [String: String] = [:]
            for _ in 0..<Int.random(in: 0...4, using: &generator) {
                let key = String((0..<Int.random(in: 0...6, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
                fields[key] = String((0..<Int.random(in: 0...12, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            }
            let text = FlatJSON.object(fields)
            #expect(try JSONDecoder().decode([String: String].self, from: Data(text.utf8)) == fields, "\(text)")
        }
        #expect(FlatJSON.object(["b": "2", "a": "1\n"]) == #"{"a":"1\n","b":"2"}"#)
    }
}
