using Xunit;

namespace Orleans.Tokens.Tests.ProcessLevel;

/// <summary>
/// Every process-level test runs in this one collection, never in parallel with itself: each test starts a real
/// gateway (an ASP.NET Core host with a co-hosted Orleans silo) and admin processes, and the machine has two cores.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessCollection
{
    public const string Name = "Process-level tests";
}
