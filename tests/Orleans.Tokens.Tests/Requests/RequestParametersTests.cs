using System.Text;
using Microsoft.AspNetCore.Http;
using Orleans.Tokens.Gateway.Requests;

namespace Orleans.Tokens.Tests.Requests;

/// <summary>
/// A request's parameters as contract section 1 reads them: the query string, then a form body; names
/// case-sensitive; an empty value absent; a repeated name's values in the order given. Read from a
/// <see cref="DefaultHttpContext"/>, ASP.NET Core's own request object (no server needed for a query and a body).
/// </summary>
public sealed class RequestParametersTests
{
    [Fact]
    public async Task A_names_values_come_in_the_order_given_query_first_then_the_body()
    {
        var parameters = await ReadAsync("?b=1&a=x&b=2&B=3&c=", "b=4&a=&d.1=y&d.0=z&d.1=w");

        Assert.Equal(["1", "2", "4"], parameters.All("b").ToArray());
        Assert.Equal(["x"], parameters.All("a").ToArray());
        Assert.Equal(["3"], parameters.All("B").ToArray());
        Assert.True(parameters.All("c").IsEmpty);
        Assert.False(parameters.Has("c"));
        Assert.False(parameters.Has("e"));
        Assert.True(parameters.Has("a"));
    }

    [Fact]
    public async Task Suffixes_name_each_indexed_name_once()
    {
        var parameters = await ReadAsync("?kid.1=a&kid=b&kid.0=c&kid.1=d&kidx.2=e&contentKey.3=f");

        Assert.Equal(["0", "1"], parameters.Suffixes("kid"));
        Assert.Equal(["3"], parameters.Suffixes("contentKey"));
        Assert.Empty(parameters.Suffixes("ek"));
        Assert.Empty((await ReadAsync("?kid=b")).Suffixes("kid"));
    }

    [Fact]
    public async Task Ordered_groups_each_names_values_in_ordinal_order_without_those_set_aside()
    {
        var parameters = await ReadAsync("?z=1&a=2&errorFormat=json&Z=3&a=4&m=5");

        var ordered = parameters.Ordered(new HashSet<string>(StringComparer.Ordinal) { "errorFormat" })
            .Select(pair => $"{pair.Name}={string.Join(",", pair.Values.ToArray())}");

        Assert.Equal(["Z=3", "a=2,4", "m=5", "z=1"], ordered);
    }

    [Fact]
    public async Task Many_parameters_keep_their_order()
    {
        var query = "?" + string.Join("&", Enumerable.Range(0, 1_000).Select(i => $"p{i % 7}={i}"));

        var parameters = await ReadAsync(query);

        for (var name = 0; name < 7; name++)
            Assert.Equal(Enumerable.Range(0, 1_000).Where(i => i % 7 == name).Select(i => $"{i}"), parameters.All($"p{name}").ToArray());
    }

    private static Task<RequestParameters> ReadAsync(string query, string? form = null)
    {
        var context = new DefaultHttpContext();
        context.Request.QueryString = new QueryString(query);
        if (form is not null)
        {
            context.Request.Method = HttpMethods.Post;
            context.Request.ContentType = "application/x-www-form-urlencoded; charset=utf-8";
            context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(form));
        }
        return RequestParameters.Read(context.Request, CancellationToken.None);
    }
}
