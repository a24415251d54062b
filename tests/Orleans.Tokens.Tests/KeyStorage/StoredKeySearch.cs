using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Orleans.Tokens.Tests.KeyStorage;

/// <summary>
/// Issue 11's "no stored content key is readable": keys stored through the key-storage API, then looked for in what
/// the database keeps (its files, or a dump as a backup holds it) as raw bytes and as hex in either case.
/// </summary>
internal static class StoredKeySearch
{
    /// <summary>Stores <paramref name="count"/> random keys for the customer through <paramref name="http"/>; answers them in hex.</summary>
    public static async Task<IReadOnlyList<string>> StoreKeysAsync(HttpClient http, string authenticator, int count)
    {
        var keys = Enumerable.Range(0, count).Select(_ => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))).ToList();
        using var gate = new SemaphoreSlim(16);
        await Task.WhenAll(keys.Select(async key =>
        {
            await gate.WaitAsync();
            try
            {
                using var body = new StringContent($$"""{"k":"{{key}}"}""", Encoding.UTF8, "application/json");
                using var created = await http.PostAsync($"/keystore/keys?customerAuthenticator={authenticator}", body);
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            }
            finally
            {
                gate.Release();
            }
        }));
        return keys;
    }

    /// <summary>The keys of <paramref name="keys"/> (hex) found in <paramref name="stored"/>: raw, lower-case or upper-case hex.</summary>
    public static List<string> Found(byte[] stored, IEnumerable<string> keys) =>
        [.. keys.Where(key =>
            stored.AsSpan().IndexOf(Convert.FromHexString(key)) >= 0
            || stored.AsSpan().IndexOf(Encoding.ASCII.GetBytes(key.ToLowerInvariant())) >= 0
            || stored.AsSpan().IndexOf(Encoding.ASCII.GetBytes(key.ToUpperInvariant())) >= 0)];
}
