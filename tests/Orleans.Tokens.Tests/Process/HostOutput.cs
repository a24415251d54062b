using System.Text.RegularExpressions;

namespace Orleans.Tokens.Tests.ProcessLevel;

/// <summary>
/// Lines the hosts (gateway and silo) write to the console at their default log levels (their appsettings.json), which
/// the harnesses wait for instead of sleeping.
/// </summary>
internal static partial class HostOutput
{
    /// <summary>
    /// Kestrel's <c>Now listening on: http://127.0.0.1:NNNNN</c> (Microsoft.Hosting.Lifetime, Information), once the
    /// web server has bound: with <c>--urls http://127.0.0.1:0</c>, the port the system gave it.
    /// </summary>
    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    public static partial Regex Listening { get; }

    /// <summary>The gateway's management listener (section 11) has bound: with port 0, the port it was given.</summary>
    [GeneratedRegex(@"Management listener on (http://[0-9.]+:\d+)")]
    public static partial Regex ManagementListening { get; }

    /// <summary>Every hosted service has started: the Orleans silo or client, then the web server.</summary>
    [GeneratedRegex(@"Application started\.")]
    public static partial Regex Started { get; }

    /// <summary>SIGTERM has reached the host: ApplicationStopping has fired, so <c>/readyz</c> answers 503.</summary>
    [GeneratedRegex(@"Application is shutting down\.\.\.")]
    public static partial Regex ShuttingDown { get; }

    /// <summary>The drain delay (Shutdown:DrainDelay, when above 0) is over: the web server stops accepting next.</summary>
    [GeneratedRegex(@"Drain delay over")]
    public static partial Regex Drained { get; }

    /// <summary>
    /// The gateway has read the headers of a Widevine mint POST and handed it to the application
    /// (Microsoft.AspNetCore.Hosting's "Request starting", logged with <see cref="HostSettings.RequestLogging"/>).
    /// </summary>
    [GeneratedRegex(@"Request starting HTTP/1\.1 POST http://\S+/hms/wv/token ")]
    public static partial Regex WidevinePostStarted { get; }

    /// <summary>The first address the host's web server listens on, once it does.</summary>
    public static async Task<Uri> ListeningUrlAsync(this ChildProcess process, TimeSpan timeout) =>
        new((await process.WaitForOutputAsync(Listening, timeout)).Groups[1].Value);
}
