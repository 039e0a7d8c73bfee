#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// TO_GEOPOINT and ST_DISTANCE. A geo point is carried as ES|QL prints one, WKT text
/// `POINT (lon lat)`; ST_DISTANCE is the great-circle distance in meters (Elasticsearch's
/// haversine on its mean Earth radius).
extension ESQLCall {
    func geo(_ args: [Value], _ warnings: inout ESQLWarnings) -> Value {
        switch function {
        case .toGeopoint:
            return Self.eachValue(args[0], &warnings) { value in
                guard let text = value.keywordBytes, let point = Self.point(text) else { return nil }
                return .keyword("POINT (\(ESQLNumberText.javaDouble(point.lon)) \(ESQLNumberText.javaDouble(point.lat)))")
            }
        case .stDistance:
            guard let args = Self.singles(args, &warnings) else { return .null }
            guard let a = args[0].keywordBytes.flatMap(Self.point), let b = args[1].keywordBytes.flatMap(Self.point) else {
                warnings.invalidArgument += 1
                return .null
            }
            return .double(Self.haversine(a, b))
        default:
            return .null
        }
    }

    /// `POINT(lon lat)` (any case, spaces as WKT allows), with longitude and latitude in range.
    static func point(_ text: [UInt8]) -> (lon: Double, lat: Double)? {
        let string = String(decoding: text, as: UTF8.self).trimmingCharacters(in: .whitespaces)
        guard string.uppercased().hasPrefix("POINT"), let open = string.firstIndex(of: "("), string.hasSuffix(")") else { return nil }
        let inner = string[string.index(after: open)..<string.index(before: string.endIndex)]
        let parts = inner.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard parts.count == 2, let lon = Double(parts[0]), let lat = Double(parts[1]),
              (-180...180).contains(lon), (-90...90).contains(lat) else { return nil }
        return (lon, lat)
    }

    /// Elasticsearch's `GeoUtils.arcDistance`: haversine on a sphere of radius 6,371,008.7714 m.
    static func haversine(_ a: (lon: Double, lat: Double), _ b: (lon: Double, lat: Double)) -> Double {
        let radians = Double.pi / 180
        let dLat = (b.lat - a.lat) * radians, dLon = (b.lon - a.lon) * radians
        let h = sin(dLat / 2) * sin(dLat / 2) + cos(a.lat * radians) * cos(b.lat * radians) * sin(dLon / 2) * sin(dLon / 2)
        return 2 * 6_371_008.7714 * asin(min(1, sqrt(h)))
    }
}
