/// The syntax tree of a KQL (Kibana Query Language) query: what `KQL("...")` in an ES|QL `WHERE`
/// hands to Elasticsearch, and what a Kibana search bar sends.
///
/// What a compiler of this tree must know (Kibana's `kuery` compiler,
/// `kbn-es-query/src/kuery/functions/*.ts`, and Elasticsearch's own KQL plugin,
/// `x-pack/plugin/kql/.../KqlAstBuilder.java`, which runs ES|QL's `KQL()`, agree on all of it
/// unless said otherwise):
/// - A query runs as an Elasticsearch query on the row's document, so every test is the
///   query's: a multi-valued field matches if any of its values does, `not` is `must_not` (an
///   event without the field matches `not f:x`), and in ES|QL `KQL()` is true or false for a
///   row, never null.
/// - `field:value` on a `keyword` field is a `term` query: the whole value, exactly, and
///   case-sensitively ("When querying keyword, numeric, date, or boolean fields, the value must be
///   an exact match, including punctuation and case", Kibana's KQL reference). ES|QL's `KQL()`
///   was case-insensitive on keywords in Elasticsearch 8.17 to 9.1 (elastic/elasticsearch#135772,
///   fixed by #135776); from 9.3 the `case_insensitive` option asks for it. A `text` field is
///   analyzed instead: unquoted is `match` (any of the analyzed tokens), quoted is `match_phrase`
///   (the tokens in order). A number, `ip` or `boolean` field compares the value as its type; a
///   `date` field runs `range` with `gte` and `lte` both the value (date rounding applies).
/// - Quoted and unquoted differ in three ways: quotes make a phrase (`match_phrase`, same as an
///   exact match on a keyword); inside quotes `*` is a literal asterisk, never a wildcard
///   (`verbs:"*"` is the RBAC verb `*`, not "any verb"); and quotes need no escapes but `\"` and
///   `\\` (plus `\t`, `\n`, `\r`, `\uXXXX`; any other backslash stays a backslash).
/// - An unescaped `*` in an unquoted value is a wildcard for any run of characters (`?` is not a
///   wildcard in KQL): a `wildcard` query on a keyword field, a `query_string` query with the
///   value's other reserved characters escaped on any other field. `field:*` alone is `exists`
///   (true for any indexed value, the empty string included); `*:*` is `match_all`.
/// - A field name may be a pattern (`process.*:x`): the query runs on every mapped field it
///   names, any one matching. Field names are case-sensitive; values in a list (`f:(a or b)`)
///   are the same field's tests joined by the connectives.
/// - Free text (no field) is `multi_match` over the index's default fields (`best_fields`, or
///   `phrase` when quoted, `lenient`), or `query_string` when it holds a wildcard.
/// - `field:{ ... }` is a `nested` query: the inner field names are relative to the path, and
///   all of the inner query must hold in one object of the nested array.
/// - Precedence: `not` binds tightest, then `and`, then `or` (Kibana). Elasticsearch's own KQL
///   grammar gives `and` and `or` equal precedence, grouping to the right between queries and
///   to the left inside a value list; `KQLParser.Dialect.elasticsearch` builds that grouping,
///   the one ES|QL's `KQL()` must use (no bundled rule mixes `and` and `or` unbracketed, so
///   both give the same trees today, as `KQLParserTests` checks).
public indirect enum KQLQuery: Sendable, Hashable {
    /// The empty query, `*` or `*:*`: a `match_all` query (every document).
    case matchAll(at: SourceLocation)
    /// `a and b and c`: a `bool` query whose clauses all must match (Kibana puts them in
    /// `filter`, or `must` with `filtersInMustClause`; Elasticsearch in `must`).
    case and([KQLQuery])
    /// `a or b or c`: a `bool` query of `should` clauses with `minimum_should_match: 1`.
    case or([KQLQuery])
    /// `not q`: a `bool` query with `q` in `must_not`, true for any document `q` does not match,
    /// documents without the field included.
    case not(KQLQuery, at: SourceLocation)
    /// `field:value` (a list `field:(a or b)` is the `or` of one of these per value): per mapped
    /// field the name covers, a `term` query on a `keyword` (exact, case-sensitive), a `wildcard`
    /// query on a keyword when the value has unquoted wildcards (`query_string` on other types),
    /// a `range` with `gte` = `lte` = value on a `date`, else `match` (unquoted) or
    /// `match_phrase` (quoted): on a keyword those are exact too, on `text` they analyze the
    /// value. A value never names a field; `*` inside quotes is a literal asterisk.
    case match(KQLField, KQLValue)
    /// `field:*` (the unquoted lone wildcard): an `exists` query, true when the field has any
    /// indexed value, the empty string included. `field:"*"` is a `match` of the text `*`.
    case exists(KQLField)
    /// `field < v`, `field <= v`, `field > v`, `field >= v`: a `range` query (`lt`, `lte`, `gt`,
    /// `gte`). The value is text that Elasticsearch reads as the field's type: a number, a date
    /// (date math such as `now-1d` too), or, on a keyword, a string compared by its bytes. A `*`
    /// in it is an ordinary character.
    case range(KQLField, KQLRangeOperator, KQLValue)
    /// A value with no field (`foo`, `"a phrase"`, `foo*`): `multi_match` over the index's
    /// default fields (`index.query.default_field`, `*` unless set; in ES|QL the `default_field`
    /// option), type `best_fields` unquoted or `phrase` quoted, `lenient` so a value that does not
    /// fit a field's type skips that field; a value with unquoted wildcards is a `query_string`
    /// query instead.
    case freeText(KQLValue)
    /// `path:{ query }`: a `nested` query on `path` (`score_mode: none`). The field names inside
    /// are relative to the path (`a:{ b:1 }` tests `a.b`), and the whole inner query must hold in
    /// one object of the array. Elasticsearch refuses a path that is not mapped `nested`
    /// ("[path] is not a valid nested field name."); its own KQL also refuses free text inside.
    case nested(KQLField, KQLQuery)

    /// Where the query starts in the text.
    public var location: SourceLocation {
        switch self {
        case .matchAll(let at), .not(_, let at): return at
        case .and(let parts), .or(let parts): return parts.first?.location ?? SourceLocation(line: 1, column: 1)
        case .match(let field, _), .exists(let field), .range(let field, _, _), .nested(let field, _): return field.location
        case .freeText(let value): return value.location
        }
    }

    /// Every field the query names, in order of appearance, nested ones by their full dotted
    /// name (`a:{ b:1 }` names `a.b`); patterns (`process.*`) as written.
    public var fields: [String] {
        var found: [String] = []
        collectFields(prefix: "", into: &found)
        return found
    }

    private func collectFields(prefix: String, into found: inout [String]) {
        func add(_ name: String) { if !found.contains(name) { found.append(name) } }
        switch self {
        case .matchAll, .freeText: break
        case .and(let parts), .or(let parts): for part in parts { part.collectFields(prefix: prefix, into: &found) }
        case .not(let inner, _): inner.collectFields(prefix: prefix, into: &found)
        case .match(let field, _), .exists(let field), .range(let field, _, _): add(prefix + field.name)
        case .nested(let path, let inner): inner.collectFields(prefix: prefix + path.name + ".", into: &found)
        }
    }

    /// Calls `body` on this node and every node below it.
    public func visit(_ body: (KQLQuery) -> Void) {
        body(self)
        switch self {
        case .matchAll, .match, .exists, .range, .freeText: break
        case .and(let parts), .or(let parts): for part in parts { part.visit(body) }
        case .not(let inner, _), .nested(_, let inner): inner.visit(body)
        }
    }
}

/// A range operator and the `range` query parameter it becomes.
public enum KQLRangeOperator: String, Sendable, Hashable {
    case less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="

    /// The `range` query's parameter: `lt`, `lte`, `gt`, `gte`.
    public var rangeParameter: String {
        switch self {
        case .less: "lt"
        case .lessOrEqual: "lte"
        case .greater: "gt"
        case .greaterOrEqual: "gte"
        }
    }
}

/// A field name as written before `:`, `<`, `>` or `:{`.
public struct KQLField: Sendable, Hashable {
    /// The dotted name with escapes decoded (`process.name`, `@timestamp`). In a pattern, every
    /// `*` is a wildcard.
    public var name: String
    /// An unquoted name with an unescaped `*` (`process.*`, `*`): it names every mapped field it
    /// matches. Quoted names are never patterns (Elasticsearch's KQL then matches no field).
    public var isPattern: Bool
    public var quoted: Bool
    public var location: SourceLocation

    public init(_ name: String, isPattern: Bool = false, quoted: Bool = false, at location: SourceLocation) {
        self.name = name
        self.isPattern = isPattern
        self.quoted = quoted
        self.location = location
    }
}

/// A value as written: quoted or not, escapes decoded, and where its wildcards are.
public struct KQLValue: Sendable, Hashable {
    public enum Piece: Sendable, Hashable {
        /// Characters taken as they are (an escaped `\*`, or any `*` inside quotes, among them).
        case text(String)
        /// An unescaped `*` of an unquoted value: any run of characters.
        case wildcard
    }

    /// The value in order; adjacent text is one piece, and a quoted value is one text piece (or
    /// none when empty).
    public var pieces: [Piece]
    public var quoted: Bool
    public var location: SourceLocation

    public init(_ pieces: [Piece], quoted: Bool, at location: SourceLocation) {
        self.pieces = pieces
        self.quoted = quoted
        self.location = location
    }

    /// A quoted value: one literal text, wildcards and all.
    public static func quoted(_ text: String, at location: SourceLocation) -> KQLValue {
        KQLValue(text.isEmpty ? [] : [.text(text)], quoted: true, at: location)
    }

    /// An unquoted value without wildcards.
    public static func unquoted(_ text: String, at location: SourceLocation) -> KQLValue {
        KQLValue(text.isEmpty ? [] : [.text(text)], quoted: false, at: location)
    }

    /// The value's characters, each wildcard written `*` (so `a\*b*` and `a*b*` read alike here:
    /// `wildcardOffsets` tells them apart).
    public var text: String {
        var out = ""
        for piece in pieces {
            switch piece {
            case .text(let s): out += s
            case .wildcard: out += "*"
            }
        }
        return out
    }

    public var hasWildcards: Bool { pieces.contains(.wildcard) }

    /// The unquoted `*` alone: `field:*` is an exists query, `*` alone (or `*:*`) matches all.
    public var isLoneWildcard: Bool { !quoted && pieces == [.wildcard] }

    /// UTF-8 offsets in `text` of the `*`s that are wildcards.
    public var wildcardOffsets: [Int] {
        var offsets: [Int] = []
        var at = 0
        for piece in pieces {
            switch piece {
            case .text(let s): at += s.utf8.count
            case .wildcard: offsets.append(at); at += 1
            }
        }
        return offsets
    }
}
