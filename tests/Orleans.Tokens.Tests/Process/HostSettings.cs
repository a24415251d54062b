namespace Orleans.Tokens.Tests.ProcessLevel;

/// <summary>Command-line settings the harnesses give the hosts they start.</summary>
internal static class HostSettings
{
    /// <summary>
    /// The web server's address: port 0, so the host binds a port of its own and reports it
    /// (<see cref="HostOutput.Listening"/>); no port is picked, freed and handed over.
    /// </summary>
    public const string OwnPort = "--urls=http://127.0.0.1:0";

    /// <summary>For a host whose shutdown the test does not look at: a short drain delay, so that stops stay fast.</summary>
    public const string ShortDrain = "--Shutdown:DrainDelay=00:00:00.1";

    /// <summary>The README's default drain delay, for the tests of shutdown.</summary>
    public const string DefaultDrain = "--Shutdown:DrainDelay=00:00:05";

    /// <summary>Makes a host log <see cref="HostOutput.WidevinePostStarted"/> (and the start of every other request).</summary>
    public const string RequestLogging = "--Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics=Information";
}
