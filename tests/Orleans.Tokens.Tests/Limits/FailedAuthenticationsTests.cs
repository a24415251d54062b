using System.Net;
using Microsoft.Extensions.Options;
using Orleans.Tokens.Gateway.Minting;
using Xunit;

namespace Orleans.Tokens.Tests.Limits;

/// <summary>The per-address bucket of failed authentications alone (section 11), without a gateway around it.</summary>
public sealed class FailedAuthenticationsTests
{
    [Fact]
    public void An_address_is_blocked_after_its_burst_of_failures_and_another_is_not()
    {
        using var limits = new FailedAuthentications(Options.Create(new FailedAuthenticationLimits
        {
            FailedAuthenticationBurst = 3,
            FailedAuthenticationsPerSecond = 1,
        }));
        var flooding = IPAddress.Parse("192.0.2.1");
        var other = IPAddress.Parse("192.0.2.2");
        for (var i = 0; i < 3; i++)
        {
            Assert.False(limits.Blocked(flooding, out _), $"blocked after {i} failures");
            limits.Failed(flooding);
        }
        Assert.True(limits.Blocked(flooding, out var retryAfter));
        Assert.InRange(retryAfter, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(1));
        Assert.False(limits.Blocked(other, out _));
    }
}
