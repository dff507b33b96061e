import Engine

/// Where a trainer reads what shapes training and the class quotas, at each use, and where adaptive balance
/// writes the quotas. A session binds its trainer to its own settings and balance, so the trainer holds no
/// copy that could go stale; a trainer that no session owns (a quick model of `check labels`, `mtmc predict`,
/// a test) reads values held by a source of its own.
public struct SettingsSource {
    public var settings: () -> TrainingSettings
    public var setSettings: (TrainingSettings) -> Void
    public var balance: () -> Balance
    public var setBalance: (Balance) -> Void

    public init(settings: @escaping () -> TrainingSettings, setSettings: @escaping (TrainingSettings) -> Void,
                balance: @escaping () -> Balance, setBalance: @escaping (Balance) -> Void) {
        self.settings = settings
        self.setSettings = setSettings
        self.balance = balance
        self.setBalance = setBalance
    }

    /// Values of its own, for a trainer that no session owns.
    public static func own(_ settings: TrainingSettings, balance: Balance = Balance()) -> SettingsSource {
        let held = HeldSettings(settings: settings, balance: balance)
        return SettingsSource(settings: { held.settings }, setSettings: { held.settings = $0 },
                              balance: { held.balance }, setBalance: { held.balance = $0 })
    }
}

/// The storage of a source of its own.
private final class HeldSettings {
    var settings: TrainingSettings
    var balance: Balance

    init(settings: TrainingSettings, balance: Balance) {
        self.settings = settings
        self.balance = balance
    }
}

extension TrainingSettings {
    /// The optimizer's hyper-parameters for one step at `rate` (the schedule's rate at that step), derived
    /// from these settings at each step.
    public func sgdHyperparameters(rate: Float) -> SGDHyperparameters {
        SGDHyperparameters(learningRate: rate, momentum: momentum, nesterov: nesterov, weightDecay: weightDecay,
                           exemptBiasAndNormFromDecay: noBiasDecay)
    }
}
