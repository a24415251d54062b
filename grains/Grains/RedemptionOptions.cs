namespace Orleans.Tokens.Grains;

/// <summary>
/// Redemption's settings (contract section 8): how long records are kept (<c>Redemption:RecordDays</c>, default 90),
/// and how long a single-use token stays held for a redemption that started and has not ended
/// (<c>Redemption:HoldSeconds</c>, default 60: longer than a gateway waits for its license issuer, so a hold outlives
/// its redemption only when that gateway died).
/// </summary>
public sealed record RedemptionOptions(int RecordDays = RedemptionOptions.DefaultRecordDays, int HoldSeconds = RedemptionOptions.DefaultHoldSeconds)
{
    public const int DefaultRecordDays = 90;
    public const int DefaultHoldSeconds = 60;

    public TimeSpan RecordLife => TimeSpan.FromDays(RecordDays);

    public TimeSpan Hold => TimeSpan.FromSeconds(HoldSeconds);
}
