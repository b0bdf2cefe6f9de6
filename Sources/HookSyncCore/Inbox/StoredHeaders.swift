/// What every backend needs to know of the headers it keeps with an event (a JSON object of
/// lower-cased names), so that a claimed delivery is forwarded with the content type it came
/// with, whichever backend stored it.
package enum StoredHeaders {
    /// The content type kept with an event.
    package static func contentType(inJSON json: String) -> String? {
        ((try? JSONTree.parse(json.utf8)) as? [String: Any])?["content-type"] as? String
    }
}
