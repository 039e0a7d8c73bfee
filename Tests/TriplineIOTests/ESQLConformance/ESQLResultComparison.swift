import Foundation
@testable import TriplineCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Compares `tripline query --esql` output (NDJSON, one object a row, keys = columns in order) with
/// a csv-spec expected table, by each column's type: numbers numerically (doubles within a small
/// relative tolerance), dates as instants, ips as addresses, strings and booleans exactly;
/// `[a, b]` against a JSON array in order (a one-element array equals its element).
enum ESQLResultComparison {
    /// Relative tolerance for doubles: the last digits of a printed double may differ.
    static let relativeTolerance = 1e-9

    /// nil when the rows match, else a short description of the first difference.
    static func difference(expected: CSVSpecTable, ignoreOrder: Bool, got rows: [JSONValue]) -> String? {
        let names = expected.columns.map(\.name)
        for (number, row) in rows.enumerated() {
            guard case .object(let members) = row else { return "row \(number + 1) is not an object: \(short(row))" }
            let keys = members.map(\.key)
            if keys != names { return "columns \(keys), expected \(names)" }
        }
        if rows.count != expected.rows.count {
            return "\(rows.count) rows, expected \(expected.rows.count)" + firstUnmatched(expected, rows)
        }
        if ignoreOrder {
            var unmatched = Array(rows.indices)
            for (number, cells) in expected.rows.enumerated() {
                guard let found = unmatched.firstIndex(where: { rowMatches(cells, rows[$0], expected.columns) }) else {
                    return "expected row \(number + 1) \(short(cells)) not in the result"
                }
                unmatched.remove(at: found)
            }
            return nil
        }
        for (number, (cells, row)) in zip(expected.rows, rows).enumerated() where !rowMatches(cells, row, expected.columns) {
            return "row \(number + 1): got \(short(row)), expected \(short(cells))"
        }
        return nil
    }

    private static func firstUnmatched(_ expected: CSVSpecTable, _ rows: [JSONValue]) -> String {
        for (cells, row) in zip(expected.rows, rows) where !rowMatches(cells, row, expected.columns) {
            return "; first difference: got \(short(row)), expected \(short(cells))"
        }
        if rows.count > expected.rows.count { return "; extra: \(short(rows[expected.rows.count]))" }
        if rows.count < expected.rows.count { return "; missing: \(short(expected.rows[rows.count]))" }
        return ""
    }

    static func rowMatches(_ cells: [ExpectedCell], _ row: JSONValue, _ columns: [CSVSpecTable.Column]) -> Bool {
        guard case .object(let members) = row, members.count == cells.count else { return false }
        for ((cell, column), member) in zip(zip(cells, columns), members) where !cellMatches(cell, member.value, type: column.type) {
            return false
        }
        return true
    }

    static func cellMatches(_ cell: ExpectedCell, _ got: JSONValue, type: ESQLColumnType) -> Bool {
        switch (cell, got) {
        case (.null, .null): return true
        case (.null, _), (_, .null): return false
        case (.value(let text), .array(let items)) where items.count == 1: return valueMatches(text, items[0], type: type)
        case (.value(let text), _): return valueMatches(text, got, type: type)
        case (.values(let texts), .array(let items)):
            return texts.count == items.count && zip(texts, items).allSatisfy { valueMatches($0, $1, type: type) }
        case (.values, _): return false
        }
    }

    static func valueMatches(_ text: String, _ got: JSONValue, type: ESQLColumnType) -> Bool {
        switch type {
        case .integer, .long, .unsignedLong:
            guard case .number(let number) = got else { return false }
            if let a = Int64(text), let b = Int64(number) { return a == b }
            if let a = UInt64(text), let b = UInt64(number) { return a == b }
            guard let a = Double(text), let b = Double(number) else { return false }
            return a == b
        case .double:
            let b: Double?
            switch got {
            case .number(let number): b = Double(number)
            case .string(let special): b = Double(special)  // NaN, Infinity
            default: b = nil
            }
            guard let a = Double(text), let b else { return false }
            return doublesMatch(a, b)
        case .keyword, .text:
            guard case .string(let string) = got else { return false }
            return string == text
        case .boolean:
            guard case .bool(let value) = got else { return false }
            return text.lowercased() == (value ? "true" : "false")
        case .date:
            guard let a = milliseconds(text) else { return false }
            switch got {
            case .string(let string): return milliseconds(string) == a
            case .number(let number): return Int64(number) == a
            default: return false
            }
        case .ip:
            guard case .string(let string) = got else { return false }
            if let a = address(text), let b = address(string) { return a == b }
            return string == text
        case .null:
            return false
        case .other:
            guard case .string(let string) = got else { return false }
            return string == text
        }
    }

    static func doublesMatch(_ a: Double, _ b: Double) -> Bool {
        if a == b || (a.isNaN && b.isNaN) { return true }
        return abs(a - b) <= relativeTolerance * max(abs(a), abs(b))
    }

    /// Milliseconds since the epoch of an ISO-8601 date or date-time as Elasticsearch's
    /// `strict_date_optional_time` reads it (time, fractions and zone optional; no zone is UTC).
    /// Parsed here rather than by the engine's code, so the oracle stays independent.
    static func milliseconds(_ text: String) -> Int64? {
        let pattern = #/^([+-]?\d{4,})-(\d{2})-(\d{2})(?:[T ](\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/#
        guard let match = text.wholeMatch(of: pattern),
              let year = Int64(match.1), let month = Int64(match.2), let day = Int64(match.3),
              (1...12).contains(month), (1...31).contains(day) else { return nil }
        let hour = match.4.flatMap { Int64($0) } ?? 0, minute = match.5.flatMap { Int64($0) } ?? 0
        let second = match.6.flatMap { Int64($0) } ?? 0
        let millisecond = match.7.map { fraction in Int64(String((fraction + "00").prefix(3))) ?? 0 } ?? 0
        var offsetMinutes: Int64 = 0
        if let zone = match.8, zone != "Z" {
            let digits = zone.dropFirst().filter(\.isNumber)
            let hours = Int64(digits.prefix(2)) ?? 0, minutes = Int64(digits.dropFirst(2)) ?? 0
            offsetMinutes = (zone.hasPrefix("-") ? -1 : 1) * (hours * 60 + minutes)
        }
        // Days from 1970-01-01 in the proleptic Gregorian calendar (Hinnant's days_from_civil).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offsetMinutes * 60
        return seconds * 1_000 + millisecond
    }

    /// An address's 16 bytes (IPv4 as IPv4-mapped IPv6), by the C library's parser.
    static func address(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF] + withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    /// A row, at most about 160 characters.
    static func short(_ row: JSONValue) -> String { clip(row.jsonText) }

    static func short(_ cells: [ExpectedCell]) -> String {
        clip("[" + cells.map { cell in
            switch cell {
            case .null: "null"
            case .value(let text): text
            case .values(let texts): "[" + texts.joined(separator: ", ") + "]"
            }
        }.joined(separator: " | ") + "]")
    }

    static func clip(_ text: String, to length: Int = 160) -> String {
        text.count <= length ? text : String(text.prefix(length - 1)) + "…"
    }
}
