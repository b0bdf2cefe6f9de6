package import HTTPTypes
package import NIOHTTP1

extension HTTPHeaders {
    /// Adds every field, with the name as written: signatures and tests read them back.
    package mutating func add(fields: HTTPFields) {
        for field in fields { add(name: field.name.rawName, value: field.value) }
    }
}
