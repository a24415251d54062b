namespace Orleans.Tokens.Tests.Infrastructure;

/// <summary>A customer created through its grain for one test, with the authenticators shown at creation.</summary>
public sealed record TestCustomer(long Id, ICustomerGrain Grain, CustomerCreated Created)
{
    /// <summary><c>customerId,secret</c> of the production environment (the environment the test gateway serves).</summary>
    public string Authenticator => Created.Production.Authenticator;

    /// <summary><c>customerId,secret</c> of the test environment.</summary>
    public string TestAuthenticator => Created.Test.Authenticator;

    public async Task<long> ProductionBalanceAsync() => (await Grain.Show()).ProductionBalance;

    public async Task<long> TestBalanceAsync() => (await Grain.Show()).TestBalance;
}
