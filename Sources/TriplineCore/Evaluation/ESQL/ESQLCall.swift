/// One call site: the function with what could be prepared from its constant arguments at compile time
/// (a date unit, a parsed IP block list, a compiled regex).
public struct ESQLCall: Sendable, Hashable {
    public let function: ESQLFunction
    /// What the constant arguments compiled to; `.none` when nothing needed preparing.
    let prepared: Prepared
    /// `CASE` only: its equality branches as one lookup, when it has many.
    let caseTable: ESQLCaseTable?

    /// `constants[i]` is argument i's value when it is a literal, nil when it is computed per row;
    /// `arguments` are all of them, compiled. Throws QueryError with a precise message for an
    /// invalid constant (a bad date unit, an unparseable CIDR block); the caller checks the arity.
    public init(_ function: ESQLFunction, constants: [Value?], arguments: [ValueExpression] = [],
                at location: SourceLocation) throws(QueryError) {
        self.function = function
        self.prepared = try Prepared(function, constants, at: location)
        self.caseTable = function == .case ? ESQLCaseTable(arguments: arguments) : nil
    }

    /// The result for one row. `now` is NOW() in epoch millis. Multi-valued arguments of a function
    /// that takes single values give null, counted in `warnings` as Elasticsearch warns.
    public func apply(_ args: [Value], now: Int64, warnings: inout ESQLWarnings) -> Value {
        switch function {
        case .case, .coalesce, .greatest, .least, .clamp, .clampMin, .clampMax:
            return conditional(args, &warnings)
        case .toLower, .toUpper, .concat, .replace, .startsWith, .endsWith, .contains, .locate, .split,
             .length, .bitLength, .byteLength, .substring, .left, .right, .trim, .ltrim, .rtrim, .reverse,
             .repeat, .space:
            return string(args, &warnings)
        case .urlDecode, .urlEncode, .urlEncodeComponent, .fromBase64, .toBase64, .md5, .sha1, .sha256, .hash:
            return encoding(args, &warnings)
        case .jsonExtract:
            return jsonExtract(args, &warnings)
        case .toString, .toDouble, .toInteger, .toLong, .toUnsignedLong, .toBoolean, .toIP, .toDatetime, .toVersion:
            return conversion(args, &warnings)
        case .cidrMatch, .ipPrefix:
            return ipFunction(args, &warnings)
        case .toGeopoint, .stDistance:
            return geo(args, &warnings)
        case .dateTrunc, .dateDiff, .dateExtract, .dateFormat, .dateParse, .now:
            return date(args, now: now, &warnings)
        case .abs, .ceil, .floor, .signum, .sqrt, .cbrt, .pow, .log, .log10, .exp, .round, .pi, .e, .hypot,
             .sin, .cos, .tan, .asin, .acos, .atan, .atan2, .sinh, .cosh, .tanh:
            return math(args, &warnings)
        case .mvFirst, .mvLast, .mvMin, .mvMax, .mvCount, .mvConcat, .mvDedupe, .mvSlice, .mvSort, .mvSum,
             .mvAvg, .mvMedian, .mvContains, .mvIntersection, .mvAppend, .mvZip:
            return multiValue(args, &warnings)
        }
    }
}

extension ESQLCall {
    /// Compiled constant arguments, one shape per function that has any.
    enum Prepared: Sendable, Hashable {
        case none
        case rounding(ESQLDateRounding)
        case diffUnit(ESQLDateDiffUnit)
        case dateField(ESQLDateField)
        case datePattern(ESQLDatePattern)
        case networks([IPNetwork])
        case hash(ESQLHashAlgorithm)
        case descending(Bool)
        case regex(CaptureRegex)
        case jsonPath(ESQLJSONPath)

        init(_ function: ESQLFunction, _ constants: [Value?], at location: SourceLocation) throws(QueryError) {
            func constant(_ i: Int) -> Value? { i < constants.count ? constants[i] : nil }
            /// A constant text argument, or nil (computed per row, or null: that gives null per row).
            func text(_ i: Int, _ what: String) throws(QueryError) -> String? {
                switch constant(i) {
                case nil, .null?: return nil
                case .keyword(let bytes)?: return String(decoding: bytes, as: UTF8.self)
                case let other?:
                    throw QueryError(.type, "\(what) of \(function.rawValue.uppercased()) must be a string, found \(other)", at: location)
                }
            }
            let name = function.rawValue.uppercased()
            switch function {
            case .dateTrunc:
                guard let span = try text(0, "the interval") else { self = .none; return }
                do { self = .rounding(try ESQLDateRounding(span)) } catch {
                    throw QueryError(.syntax, "invalid interval [\(span)] for \(name): \(error.message)", at: location)
                }
            case .dateDiff:
                guard let unit = try text(0, "the unit") else { self = .none; return }
                guard let parsed = ESQLDateDiffUnit(name: unit) else {
                    throw QueryError(.syntax, "invalid unit [\(unit)] for \(name); expected one of \(ESQLDateDiffUnit.allNames)", at: location)
                }
                self = .diffUnit(parsed)
            case .dateExtract:
                guard let field = try text(0, "the date part") else { self = .none; return }
                guard let parsed = ESQLDateField(name: field) else {
                    throw QueryError(.syntax, "invalid date part [\(field)] for \(name); expected a java.time ChronoField such as YEAR or DAY_OF_WEEK", at: location)
                }
                self = .dateField(parsed)
            case .dateFormat, .dateParse:
                guard constants.count == 2, let pattern = try text(0, "the pattern") else { self = .none; return }
                do { self = .datePattern(try ESQLDatePattern(pattern)) } catch {
                    throw QueryError(.syntax, "invalid date pattern [\(pattern)] for \(name): \(error.message)", at: location)
                }
            case .cidrMatch:
                var networks: [IPNetwork] = []
                for i in 1..<max(constants.count, 2) {
                    // A computed, null or multi-valued block is decided per row (null, or a warning).
                    guard let value = constant(i), case .keyword(let bytes) = value else {
                        if let value = constant(i), !value.isNull, !value.isMultiValued {
                            throw QueryError(.type, "CIDR_MATCH blocks must be strings, found \(value)", at: location)
                        }
                        self = .none
                        return
                    }
                    let block = String(decoding: bytes, as: UTF8.self)
                    guard let network = IPNetwork(block) else {
                        throw QueryError(.syntax, "invalid CIDR block [\(block)] in CIDR_MATCH", at: location)
                    }
                    networks.append(network)
                }
                self = .networks(networks)
            case .hash:
                guard let algorithm = try text(0, "the algorithm") else { self = .none; return }
                guard let parsed = ESQLHashAlgorithm(name: algorithm) else {
                    throw QueryError(.syntax, "invalid algorithm [\(algorithm)] for HASH; expected one of \(ESQLHashAlgorithm.allNames)", at: location)
                }
                self = .hash(parsed)
            case .mvSort:
                guard let order = try text(1, "the order") else { self = .none; return }
                switch order.lowercased() {
                case "asc": self = .descending(false)
                case "desc": self = .descending(true)
                default: throw QueryError(.syntax, "invalid order [\(order)] for MV_SORT; expected one of [ASC, DESC]", at: location)
                }
            case .replace:
                guard let pattern = try text(1, "the regex") else { self = .none; return }
                do { self = .regex(try CaptureRegex(java: pattern)) } catch {
                    throw QueryError(.syntax, "invalid regex [\(pattern)] for REPLACE: \(error)", at: location)
                }
            case .split:
                if let delimiter = try text(1, "the delimiter"), delimiter.utf8.count != 1 {
                    throw QueryError(.syntax, "delimiter of SPLIT must be a single byte, found [\(delimiter)]", at: location)
                }
                self = .none
            case .jsonExtract:
                guard let path = try text(1, "the path") else { self = .none; return }
                do { self = .jsonPath(try ESQLJSONPath(path)) } catch {
                    throw QueryError(.syntax, "invalid JSON path [\(path)] for JSON_EXTRACT: \(error.message)", at: location)
                }
            default:
                self = .none
            }
        }
    }
}

/// Why a constant argument could not be prepared; ESQLCall turns it into a QueryError.
struct ESQLArgumentError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
