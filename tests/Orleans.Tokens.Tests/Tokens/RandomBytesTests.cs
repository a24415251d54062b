using Xunit;

namespace Orleans.Tokens.Tests.Tokens;

/// <summary>The buffered random source of salts and hot-path ids: fresh bytes across refills, version 4 UUIDs.</summary>
public sealed class RandomBytesTests
{
    [Fact]
    public void Ids_are_distinct_version_4_uuids()
    {
        var ids = Enumerable.Range(0, 10_000).Select(_ => RandomBytes.NewGuid()).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids, id =>
        {
            Assert.Equal(4, id.Version);
            Assert.Equal(0b10, id.Variant >> 2); // RFC 9562 section 4.1: variant bits 10
            Assert.Equal('4', id.ToString("D")[14]);
        });
    }

    [Fact]
    public void Values_across_refills_are_fresh()
    {
        // 48-byte values do not divide the 512-byte buffer: each refill comes after a remainder too short for one.
        var values = Enumerable.Range(0, 1_000).Select(_ =>
        {
            var value = new byte[48];
            RandomBytes.Fill(value);
            return Convert.ToHexString(value);
        }).ToList();
        Assert.Equal(values.Count, values.Distinct().Count());
        Assert.DoesNotContain(values, value => value.Contains(new string('0', 32), StringComparison.Ordinal));
    }
}
