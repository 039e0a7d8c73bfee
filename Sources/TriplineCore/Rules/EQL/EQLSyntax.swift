/// The syntax tree of an EQL query.
public struct EQLQuery: Sendable, Hashable {
    public enum Body: Sendable, Hashable {
        case event(EQLEventQuery)
        case sequence(EQLSequence)
        case sample(EQLSample)
    }

    public var body: Body
    public var pipes: [EQLPipe]
}

/// `category where condition`; `any where` has no category.
public struct EQLEventQuery: Sendable, Hashable {
    public var category: String?
    public var condition: Expression
    public var location: SourceLocation
}

/// A time span such as `maxspan=5m`, in milliseconds.
public struct EQLTimeSpan: Sendable, Hashable {
    public var milliseconds: Int64
}

public struct EQLSequenceStep: Sendable, Hashable {
    public var query: EQLEventQuery
    public var by: [Expression]
    public var runs: Int?
    /// `![...]`: the sequence holds only if no such event comes where this step stands.
    public var missing: Bool = false
}

public struct EQLSequence: Sendable, Hashable {
    public var by: [Expression]
    public var maxspan: EQLTimeSpan?
    public var steps: [EQLSequenceStep]
    public var until: EQLSequenceStep?
    public var location: SourceLocation
}

public struct EQLSample: Sendable, Hashable {
    public var by: [Expression]
    public var steps: [EQLSequenceStep]
    public var location: SourceLocation
}

public struct EQLPipe: Sendable, Hashable {
    public var name: String
    public var arguments: [Expression]
    public var location: SourceLocation
}
