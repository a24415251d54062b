using System.Diagnostics;
using System.Text;

namespace Orleans.Tokens.Tests.Infrastructure;

/// <summary>
/// A TLS client that is not an Orleans client: <c>openssl s_client</c> connecting to 127.0.0.1:<c>port</c>, with or
/// without a certificate, its standard input held open so that it stays connected until the server closes.
/// <para>
/// Every Orleans listener speaks TLS 1.3 only, where the client ends its handshake before the server has checked
/// the client's certificate: a refused client learns it when the server closes the connection, and s_client then
/// exits with an error (unexpected EOF or an alert). An accepted one stays connected, waiting for Orleans' preamble.
/// A port without TLS 1.3 fails the handshake itself, which is not a refusal.
/// </para>
/// </summary>
internal static class TlsProbe
{
    /// <summary>
    /// Connects and waits up to <paramref name="deadline"/> for the server to close the connection; returns whether
    /// it did after a TLS 1.3 handshake (s_client printed CONNECTION ESTABLISHED, then exited with an error), with
    /// s_client's output for the assertion message.
    /// </summary>
    public static async Task<(bool Refused, string Output)> ConnectAsync(int port, string? certificate, string? key, TimeSpan deadline)
    {
        var start = new ProcessStartInfo("openssl")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in (string[])["s_client", "-connect", $"127.0.0.1:{port}", "-tls1_3", "-brief"]) start.ArgumentList.Add(argument);
        if (certificate is not null)
        {
            foreach (var argument in (string[])["-cert", certificate, "-key", key!]) start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, line) => { lock (output) output.AppendLine(line.Data); };
        process.ErrorDataReceived += (_, line) => { lock (output) output.AppendLine(line.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(deadline);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            await process.WaitForExitAsync();
            lock (output) return (false, output.ToString());
        }
        lock (output)
        {
            var text = output.ToString();
            return (process.ExitCode != 0 && text.Contains("CONNECTION ESTABLISHED", StringComparison.Ordinal), text);
        }
    }
}
