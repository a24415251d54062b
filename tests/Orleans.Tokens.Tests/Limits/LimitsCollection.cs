using Xunit;

namespace Orleans.Tokens.Tests.Limits;

/// <summary>
/// The tests of rates run alone, never beside other tests: a measured rate depends on the machine's two cores
/// being the gateway's, and a rate limiter does not bank an allowance its customer could not use while the machine
/// stalled (a CI run once measured 42.7 mints a second for a limit of 50 with every other test running beside it).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LimitsCollection
{
    public const string Name = "Rate limits";
}
