/// A `CASE` written as a long list of `x == "literal"` branches (the remote-management rules name
/// 150 process names): the first branch each literal selects, so a row finds its branch with one
/// lookup instead of 150 comparisons. Branches of any other shape (`x LIKE "ultravnc*.exe"`) are
/// still tested in order, and only those before the branch found.
struct ESQLCaseTable: Sendable, Hashable {
    /// What every equality branch compares: a field or a computed column, cheap to read twice.
    let subject: ValueExpression
    /// For each literal, the first branch whose condition is `subject == literal`.
    let firstBranch: [[UInt8]: Int]
    /// Per branch: whether its condition is one of those equalities.
    let isEquality: [Bool]

    /// Fewer equalities than this are tested one by one, as written.
    static let minimumEqualities = 8

    /// nil unless enough of the branches are equalities on one subject.
    init?(arguments: [ValueExpression]) {
        var subject: ValueExpression?
        var firstBranch: [[UInt8]: Int] = [:]
        var isEquality: [Bool] = []
        for branch in 0..<(arguments.count / 2) {
            guard let (compared, literal) = Self.equality(arguments[2 * branch]),
                  subject == nil || compared == subject else {
                isEquality.append(false)
                continue
            }
            subject = compared
            isEquality.append(true)
            if firstBranch[literal] == nil { firstBranch[literal] = branch }
        }
        guard let subject, isEquality.count(where: { $0 }) >= Self.minimumEqualities else { return nil }
        self.subject = subject
        self.firstBranch = firstBranch
        self.isEquality = isEquality
    }

    /// `x == "literal"` (either way round) where x is a field or a column.
    private static func equality(_ condition: ValueExpression) -> (ValueExpression, [UInt8])? {
        guard case .compare(.equal, let a, let b) = condition else { return nil }
        switch (a, b) {
        case (.field, .constant(.keyword(let bytes))), (.column, .constant(.keyword(let bytes))): return (a, bytes)
        case (.constant(.keyword(let bytes)), .field), (.constant(.keyword(let bytes)), .column): return (b, bytes)
        default: return nil
        }
    }
}

extension ExpressionEvaluator {
    /// `CASE(c1, v1, c2, v2, ..., default)` as Elasticsearch evaluates it row by row: conditions in
    /// order up to the first true one, then only that branch's value. A multi-valued condition
    /// counts as false, with a warning.
    mutating func caseValue(_ call: ESQLCall, _ args: [ValueExpression], _ event: EventView) -> Value {
        let branches = args.count / 2
        var found = branches
        var skipEqualities = false
        let table = call.caseTable
        if let table {
            // A keyword subject equals a keyword literal exactly when their bytes do; a null one
            // equals none. Anything else (a multi-value, which warns) takes every branch as written.
            switch value(table.subject, event) {
            case .keyword(let bytes):
                skipEqualities = true
                found = table.firstBranch[bytes] ?? branches
            case .null:
                skipEqualities = true
            default:
                break
            }
        }
        for branch in 0..<branches {
            if branch == found { return value(args[2 * branch + 1], event) }
            if skipEqualities, table?.isEquality[branch] == true { continue }
            switch value(args[2 * branch], event) {
            case .bool(true): return value(args[2 * branch + 1], event)
            case .multi: warnings.multiValuedArgument += 1
            default: break
            }
        }
        return args.count % 2 == 1 ? value(args[args.count - 1], event) : .null
    }
}
