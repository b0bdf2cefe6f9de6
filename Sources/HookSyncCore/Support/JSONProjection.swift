/// The parts of a JSON document that somebody will read, as a tree of the JSON pointers that
/// name them: ``JSONTree/parse(_:keeping:)`` builds only those and checks the rest.
///
/// A webhook body is about a kilobyte of JSON whose id, type, time and a few keys are all that
/// the receiver reads. Building every member as Foundation objects was most of the cost of
/// parsing it; a projection keeps the parse as strict as the full one while allocating only
/// what the provider file's and the routes' pointers designate.
public struct JSONProjection: Sendable {
    /// A member (or an array index, as its decimal text) on the way to a pointer's end.
    struct Member: Sendable {
        var name: String
        /// The name as UTF-8, compared with member names as they stand in the bytes.
        var utf8: [UInt8]
        var projection: JSONProjection
    }

    /// A pointer ends here: the value is built whole.
    private(set) var whole = false
    private(set) var members: [Member] = []

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

    private mutating func add(_ tokens: ArraySlice<String>) {
        guard !whole else { return }
        guard let first = tokens.first else {
            whole = true
            members = []
            return
        }
        if let index = members.firstIndex(where: { $0.name == first }) {
            members[index].projection.add(tokens.dropFirst())
        } else {
            var projection = JSONProjection([JSONPointer]())
            projection.add(tokens.dropFirst())
            members.append(Member(name: first, utf8: Array(first.utf8), projection: projection))
        }
    }

    /// The child a member's name designates.
    func child(named name: String) -> JSONProjection? {
        members.first { $0.name == name }?.projection
    }

    /// The child a member's raw (escape-free) name designates, found without making a String.
    func child(rawName name: UnsafeBufferPointer<UInt8>) -> JSONProjection? {
        members.first { $0.utf8.count == name.count && $0.utf8.elementsEqual(name) }?.projection
    }
}
