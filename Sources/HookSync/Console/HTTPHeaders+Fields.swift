import HTTPTypes
import NIOHTTP1

extension HTTPHeaders {
    /// Adds every field, with the name as written: signatures and tests read them back.
    mutating func add(fields: HTTPFields) {
        for field in fields { add(name: field.name.rawName, value: field.value) }
    }
}
