/// The parts of a JSON document that somebody will read, as a tree of the JSON pointers that
/// name them: ``JSONTree/parse(_:keeping:)`` builds only those and checks the rest.
///
/// A webhook body is about a kilobyte of JSON whose id, type, time and a few keys are all that
/// the receiver reads. Building every member as Foundation objects was most of the cost of
/// parsing it; a projection keeps the parse as strict as the full one while allocating only
/// what the provider file's and the routes' pointers designate.
public struct JSONProjection: Sendable, Hashable {
    /// A pointer ends here: the value is built whole.
    var whole = false
    /// The members (or array indices, as their decimal text) on the way to a pointer's end.
    var children: [String: JSONProjection] = [:]
    /// The same children with their names as UTF-8, compared to member names without decoding.
    var keys: [[UInt8]] = []

    /// Keeps everything: what the empty pointer designates.
    public static let everything: JSONProjection = {
        var projection = JSONProjection([JSONPointer]())
        projection.whole = true
        return projection
    }()

    /// The values that `pointers` designate, and the containers on their way.
    public init(_ pointers: some Sequence<JSONPointer>) {
        for pointer in pointers { add(pointer.tokens[...]) }
    }

    /// True when nothing is kept: the document is only checked.
    public var isEmpty: Bool { !whole && children.isEmpty }

    private mutating func add(_ tokens: ArraySlice<String>) {
        guard !whole else { return }
        guard let first = tokens.first else {
            whole = true
            children = [:]
            keys = []
            return
        }
        if children[first] == nil { keys.append(Array(first.utf8)) }
        children[first, default: JSONProjection([JSONPointer]())].add(tokens.dropFirst())
    }

    /// The child a member's raw (unescaped) name designates, found without making a String.
    func child(rawName name: UnsafeBufferPointer<UInt8>) -> JSONProjection? {
        for key in keys where key.count == name.count && key.elementsEqual(name) {
            return children[String(decoding: key, as: UTF8.self)]
        }
        return nil
    }
}
