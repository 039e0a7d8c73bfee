import TOMLKit

/// `[rule.alert_suppression]` of a detection rule: alerts whose `group_by` values are equal are
/// folded into one alert for `duration` (or, without one, for one rule execution: here, one
/// `interval` bucket of event time), counted in `kibana.alert.suppression.docs_count`.
public struct AlertSuppression: Sendable, Hashable {
    public enum MissingFields: String, Sendable, Hashable {
        /// Events lacking a group_by field are grouped together (the value is null).
        case suppress
        /// Events lacking any group_by field become ordinary alerts, without suppression fields.
        case doNotSuppress
    }

    public var groupBy: [String]
    /// As written (`value`, `unit`), for the alert's rule parameters; nil means per execution.
    public var duration: (value: Int, unit: String)?
    public var missingFields: MissingFields

    public var durationMilliseconds: Int64? {
        duration.flatMap { Timestamp.milliseconds(interval: "\($0.value)\($0.unit)") }
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.groupBy == b.groupBy && a.duration?.value == b.duration?.value && a.duration?.unit == b.duration?.unit && a.missingFields == b.missingFields
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(groupBy)
        hasher.combine(duration?.value)
        hasher.combine(duration?.unit)
        hasher.combine(missingFields)
    }

    /// Kibana's limits: 1 to 3 fields, a duration in s, m or h, one of the two strategies.
    static func parse(_ value: any TOMLValueConvertible, file: String, text: String, ruleID: String) throws(RuleError) -> AlertSuppression {
        func fail(_ key: String, _ message: String) -> RuleError {
            RuleError(file: file, location: RuleDefinition.keyLocation(key, in: text), message: message, ruleID: ruleID)
        }
        guard let table = value.table else { throw fail("alert_suppression", "[rule.alert_suppression] must be a table") }
        let groupBy = table["group_by"]?.array?.compactMap { $0.string } ?? []
        guard (1...3).contains(groupBy.count), groupBy.count == table["group_by"]?.array?.count else {
            throw fail("group_by", "[rule.alert_suppression] group_by takes 1 to 3 field names")
        }
        var duration: (Int, String)?
        if let durationValue = table["duration"] {
            guard let durationTable = durationValue.table, let amount = durationTable["value"]?.int, amount > 0,
                  let unit = durationTable["unit"]?.string, ["s", "m", "h"].contains(unit) else {
                throw fail("unit", "[rule.alert_suppression.duration] takes a positive value and a unit of s, m or h")
            }
            duration = (amount, unit)
        }
        let strategyName = table["missing_fields_strategy"]?.string ?? "suppress"
        guard let strategy = MissingFields(rawValue: strategyName) else {
            throw fail("missing_fields_strategy", "missing_fields_strategy '\(strategyName)' is not one of suppress, doNotSuppress")
        }
        return AlertSuppression(groupBy: groupBy, duration: duration, missingFields: strategy)
    }
}
