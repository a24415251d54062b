using Orleans.Tokens.Gateway.Minting;

namespace Orleans.Tokens.Tests.Faults;

/// <summary>
/// Contract section 11, "Knowing the outcome", for the failures of the gateway's grain call: 503 -2030 (nothing
/// debited) only where the call cannot have reached a grain that debits, 503 -9001 wherever it can have.
/// </summary>
public sealed class CallFailureOutcomeTests
{
    public static TheoryData<string, Exception, ErrorCode> Failures => new()
    {
        { "the grain could not reach storage", new StorageUnavailableException("down"), ErrorCode.AdministrationError },
        { "the grain could not settle its write", new OutcomeUnknownException("unsettled"), ErrorCode.OutcomeUnknown },
        { "the call timed out", new TimeoutException("no response"), ErrorCode.OutcomeUnknown },
        // Orleans breaks every call held by a silo it declares dead with this, delivered or not.
        { "the silo holding the call died", new SiloUnavailableException("target silo became unavailable"), ErrorCode.OutcomeUnknown },
        { "the silo died, wrapped", new AggregateException(new SiloUnavailableException("gone")), ErrorCode.OutcomeUnknown },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void A_failed_call_is_2030_only_where_nothing_can_have_been_debited(string because, Exception failure, ErrorCode expected) =>
        Assert.True(TokenEndpoint.Outcome(failure).Code == expected, $"{because}: expected {expected}, got {TokenEndpoint.Outcome(failure).Code}");
}
