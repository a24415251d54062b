using Microsoft.Extensions.Logging;

namespace Orleans.Tokens.Hosting;

/// <summary>
/// What a host says once as it starts, under its own category (<see cref="Category"/>, at Information in the hosts'
/// appsettings.json while the rest of Orleans.* logs from Warning): for the embedded default, the absolute path of
/// its data directory, where an operator's backups and permissions start.
/// </summary>
public static partial class StartupLog
{
    public const string Category = "Orleans.Tokens.Hosting.Startup";

    /// <summary>Logs the embedded default's data directory, as an absolute path.</summary>
    public static void DataDirectory(ILoggerFactory loggers, TokensSettings settings) =>
        EmbeddedDataDirectory(loggers.CreateLogger(Category), Path.GetFullPath(settings.DataDirectory));

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedded default: data directory {DataDirectory}")]
    private static partial void EmbeddedDataDirectory(ILogger logger, string dataDirectory);
}
