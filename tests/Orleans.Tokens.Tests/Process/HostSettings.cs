namespace Orleans.Tokens.Tests.ProcessLevel;

/// <summary>Command-line settings the harnesses give the hosts they start.</summary>
internal static class HostSettings
{
    /// <summary>
    /// The web server's address: port 0, so the host binds a port of its own and reports it
    /// (<see cref="HostOutput.Listening"/>); no port is picked, freed and handed over.
    /// </summary>
    public const string OwnPort = "--urls=http://127.0.0.1:0";

    /// <summary>
    /// For the tests that are not about limits: every request comes from 127.0.0.1, so the failed-authentication
    /// limit per address (section 11) would refuse the many -2018 cases of the contract tests with 429.
    /// </summary>
    public const string NoFailedAuthenticationLimit = "--Limits:FailedAuthenticationBurst=1000000000";

    /// <summary>The gateway's management listener (section 11) on a port of its own, reported in its output.</summary>
    public const string OwnManagementPort = "--Management:Urls=http://127.0.0.1:0";

    /// <summary>For a host whose shutdown the test does not look at: a short drain delay, so that stops stay fast.</summary>
    public const string ShortDrain = "--Shutdown:DrainDelay=00:00:00.1";

    /// <summary>
    /// A drain delay for the tests of shutdown: long enough to probe, and shorter than the 5 s grace Kestrel gives a
    /// request body before its minimum data rate applies, so that the half-sent mint is still a request in flight
    /// when it is finished (past the grace, Kestrel ends it as too slow: 400).
    /// </summary>
    public const string TestedDrain = "--Shutdown:DrainDelay=00:00:02";

    /// <summary>Makes a host log <see cref="HostOutput.WidevinePostStarted"/> (and the start of every other request).</summary>
    public const string RequestLogging = "--Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics=Information";
}
