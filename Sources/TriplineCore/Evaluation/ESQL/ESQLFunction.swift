/// ES|QL's scalar functions, as Elasticsearch's ES|QL function reference defines them (semantics
/// of Elasticsearch 9.x, the version the copied csv-specs in shared/conformance/esql come from).
///
/// The raw value is the function's name in lower case. `ESQLCall` prepares a call site and
/// computes it; the families live in `ESQLFunction+<Family>.swift`.
public enum ESQLFunction: String, Sendable, Hashable, CaseIterable {
    // Conditional
    case `case`, coalesce, greatest, least, clamp, clampMin = "clamp_min", clampMax = "clamp_max"
    // Strings
    case toLower = "to_lower", toUpper = "to_upper", concat, replace
    case startsWith = "starts_with", endsWith = "ends_with", contains, locate, split
    case length, bitLength = "bit_length", byteLength = "byte_length"
    case substring, left, right, trim, ltrim, rtrim, reverse, `repeat`, space
    // Encodings and digests
    case urlDecode = "url_decode", urlEncode = "url_encode", urlEncodeComponent = "url_encode_component"
    case fromBase64 = "from_base64", toBase64 = "to_base64", md5, sha1, sha256, hash
    case jsonExtract = "json_extract"
    // Conversions
    case toString = "to_string", toDouble = "to_double", toInteger = "to_integer", toLong = "to_long"
    case toUnsignedLong = "to_unsigned_long", toBoolean = "to_boolean", toIP = "to_ip"
    case toDatetime = "to_datetime", toVersion = "to_version"
    // IP addresses
    case cidrMatch = "cidr_match", ipPrefix = "ip_prefix"
    // Geo points (as WKT text, `POINT (lon lat)`)
    case toGeopoint = "to_geopoint", stDistance = "st_distance"
    // Dates
    case dateTrunc = "date_trunc", dateDiff = "date_diff", dateExtract = "date_extract"
    case dateFormat = "date_format", dateParse = "date_parse", now
    // Math
    case abs, ceil, floor, signum, sqrt, cbrt, pow, log, log10, exp, round, pi, e, hypot
    case sin, cos, tan, asin, acos, atan, atan2, sinh, cosh, tanh
    // Multi-values
    case mvFirst = "mv_first", mvLast = "mv_last", mvMin = "mv_min", mvMax = "mv_max", mvCount = "mv_count"
    case mvConcat = "mv_concat", mvDedupe = "mv_dedupe", mvSlice = "mv_slice", mvSort = "mv_sort"
    case mvSum = "mv_sum", mvAvg = "mv_avg", mvMedian = "mv_median", mvContains = "mv_contains"
    case mvIntersection = "mv_intersection", mvAppend = "mv_append", mvZip = "mv_zip"

    /// Looks a name up case-insensitively (ES|QL function names are), with the aliases
    /// Elasticsearch registers (`to_str`, `to_int`, `to_dt`, ...).
    public init?(name: String) {
        let lower = name.lowercased()
        if let function = ESQLFunction(rawValue: lower) {
            self = function
        } else if let function = Self.aliases[lower] {
            self = function
        } else {
            return nil
        }
    }

    private static let aliases: [String: ESQLFunction] = [
        "to_str": .toString, "to_text": .toString, "to_dbl": .toDouble, "to_int": .toInteger, "to_ul": .toUnsignedLong,
        "to_ulong": .toUnsignedLong, "to_bool": .toBoolean, "to_dt": .toDatetime, "to_ver": .toVersion,
    ]

    /// How many arguments a call takes; `Int.max` for variadic functions.
    public var arity: ClosedRange<Int> {
        switch self {
        case .now, .pi, .e:
            return 0...0
        case .toLower, .toUpper, .length, .bitLength, .byteLength, .trim, .ltrim, .rtrim, .reverse, .space,
             .urlDecode, .urlEncode, .urlEncodeComponent, .fromBase64, .toBase64, .md5, .sha1, .sha256,
             .toString, .toDouble, .toInteger, .toLong, .toUnsignedLong, .toBoolean, .toIP, .toDatetime, .toVersion,
             .toGeopoint, .abs, .ceil, .floor, .signum, .sqrt, .cbrt, .log10, .exp,
             .sin, .cos, .tan, .asin, .acos, .atan, .sinh, .cosh, .tanh,
             .mvFirst, .mvLast, .mvMin, .mvMax, .mvCount, .mvDedupe, .mvSum, .mvAvg, .mvMedian:
            return 1...1
        case .startsWith, .endsWith, .contains, .split, .left, .right, .repeat, .hash, .jsonExtract,
             .dateTrunc, .dateExtract, .pow, .atan2, .hypot, .stDistance, .mvConcat, .mvContains, .mvIntersection, .mvAppend:
            return 2...2
        case .replace, .ipPrefix, .dateDiff, .clamp:
            return 3...3
        case .clampMin, .clampMax:
            return 2...2
        case .locate, .substring, .mvSlice, .mvZip:
            return 2...3
        case .dateFormat, .dateParse, .round, .log, .mvSort:
            return 1...2
        case .case:
            return 2...Int.max
        case .concat, .cidrMatch:
            return 2...Int.max
        case .coalesce, .greatest, .least:
            return 1...Int.max
        }
    }
}
