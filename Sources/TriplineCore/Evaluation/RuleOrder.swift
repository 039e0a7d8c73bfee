extension Array where Element == Int {
    /// Sorts an event's rule numbers (a few dozen, often mostly in order) by insertion, in place:
    /// the standard sort allocated a merge buffer per event past 20 elements. Longer lists, which
    /// insertion would make quadratic, take the standard sort.
    mutating func sortRuleNumbers() {
        guard count > 1 else { return }
        guard count <= 128 else { sort(); return }
        withUnsafeMutableBufferPointer { rules in
            for index in 1..<rules.count {
                let rule = rules[index]
                var place = index
                while place > 0, rules[place - 1] > rule {
                    rules[place] = rules[place - 1]
                    place -= 1
                }
                rules[place] = rule
            }
        }
    }
}
