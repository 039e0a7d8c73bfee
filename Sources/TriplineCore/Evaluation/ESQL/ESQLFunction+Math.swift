#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// ES|QL's math functions on single values. Functions that keep their input type (ABS, CEIL,
/// FLOOR, ROUND) work exactly on longs; the others compute in double. A result that is not a
/// finite number is null with a warning, as Elasticsearch's evaluators throw for it.
extension ESQLCall {
    func math(_ args: [Value], _ warnings: inout ESQLWarnings) -> Value {
        switch function {
        case .pi: return .double(Double.pi)
        case .e: return .double(M_E)
        default: break
        }
        guard let args = Self.singles(args, &warnings) else { return .null }
        switch function {
        case .abs:
            switch args[0] {
            case .long(let n):
                guard n != .min else { warnings.overflow += 1; return .null }
                return .long(Swift.abs(n))
            case .double(let d): return .double(Swift.abs(d))
            case .unsignedLong: return args[0]
            default: return .null
            }
        case .ceil, .floor:
            switch args[0] {
            case .long, .unsignedLong: return args[0]
            case .double(let d): return .double(function == .ceil ? d.rounded(.up) : d.rounded(.down))
            default: return .null
            }
        case .round:
            var decimals: Int64 = 0
            if args.count == 2 {
                guard let n = args[1].integerArgument else { return .null }
                decimals = n
            }
            return Self.round(args[0], decimals: decimals, &warnings)
        case .signum:
            switch args[0] {
            case .long(let n): return .double(Double(n.signum()))
            case .unsignedLong(let n): return .double(n == 0 ? 0 : 1)
            case .double(let d): return .double(d == 0 || d.isNaN ? d : (d > 0 ? 1 : -1))
            default: return .null
            }
        default:
            break
        }
        let numbers = args.compactMap(\.numeric)
        guard numbers.count == args.count else { return .null }
        let x = numbers[0]
        let result: Double
        switch function {
        case .sqrt:
            guard x >= 0 else { warnings.invalidArgument += 1; return .null }
            result = x.squareRoot()
        case .cbrt: result = cbrt(x)
        case .exp: result = exp(x)
        case .log10:
            guard x > 0 else { warnings.invalidArgument += 1; return .null }
            result = log10(x)
        case .log:
            if numbers.count == 1 {
                guard x > 0 else { warnings.invalidArgument += 1; return .null }
                result = log(x)
            } else {
                // LOG(base, number).
                let value = numbers[1]
                guard x > 0, x != 1, value > 0 else { warnings.invalidArgument += 1; return .null }
                result = log(value) / log(x)
            }
        case .pow: result = pow(x, numbers[1])
        case .hypot: result = hypot(x, numbers[1])
        case .atan2: result = atan2(x, numbers[1])
        case .sin: result = sin(x)
        case .cos: result = cos(x)
        case .tan: result = tan(x)
        case .asin, .acos:
            guard x >= -1 && x <= 1 else { warnings.invalidArgument += 1; return .null }
            result = function == .asin ? asin(x) : acos(x)
        case .atan: result = atan(x)
        case .sinh: result = sinh(x)
        case .cosh: result = cosh(x)
        case .tanh: result = tanh(x)
        default: return .null
        }
        guard result.isFinite else { warnings.overflow += 1; return .null }
        return .double(result)
    }

    /// ROUND(number, decimals): half away from zero. Doubles as Elasticsearch's `Maths.round`
    /// (scale, round the magnitude, scale back); longs exactly, a negative `decimals` rounding
    /// to tens, hundreds...; a long result that overflows is null with a warning.
    static func round(_ value: Value, decimals: Int64, _ warnings: inout ESQLWarnings) -> Value {
        switch value {
        case .double(let d):
            let scale = pow(10.0, Double(decimals))
            let middle = d * scale
            // Past 2^52 every double is whole at this scale: nothing to round.
            guard middle.isFinite, scale != 0, Swift.abs(middle) < 4.503599627370496e15 else { return value }
            let rounded = (Swift.abs(middle) + 0.5).rounded(.down) / scale
            return .double(middle < 0 ? -rounded : rounded)
        case .long(let n):
            guard decimals < 0 else { return value }
            if decimals < -18 { return .long(0) }
            let factor = Self.powerOfTen(Int(-decimals))
            var quotient = n / factor
            let remainder = n % factor
            if Swift.abs(remainder) * 2 >= factor { quotient += n < 0 ? -1 : 1 }
            let (result, overflow) = quotient.multipliedReportingOverflow(by: factor)
            guard !overflow else { warnings.overflow += 1; return .null }
            return .long(result)
        case .unsignedLong(let n):
            guard decimals < 0 else { return value }
            if decimals < -19 { return .unsignedLong(0) }
            let factor = UInt64(10).power(Int(-decimals))
            var quotient = n / factor
            let remainder = n % factor
            if remainder >= factor - remainder { quotient += 1 }
            let (result, overflow) = quotient.multipliedReportingOverflow(by: factor)
            guard !overflow else { warnings.overflow += 1; return .null }
            return .unsignedLong(result)
        default:
            return .null
        }
    }

    static func powerOfTen(_ exponent: Int) -> Int64 {
        var result: Int64 = 1
        for _ in 0..<exponent { result *= 10 }
        return result
    }
}

extension UInt64 {
    fileprivate func power(_ exponent: Int) -> UInt64 {
        var result: UInt64 = 1
        for _ in 0..<exponent { result &*= self }
        return result
    }
}
