namespace Orleans.Tokens.Gateway.Minting;

/// <summary>
/// References to customer grains. <see cref="IGrainFactory.GetGrain{TGrainInterface}(long, string)"/> resolves the
/// interface's grain types by reflection on every call; on the mint path they are resolved once.
/// </summary>
internal sealed class CustomerGrains(IGrainFactory grains)
{
    private (GrainType Type, GrainInterfaceType Interface)? _types;

    public ICustomerGrain Get(long customerId)
    {
        var (type, interfaceType) = _types ??= Resolve();
        return (ICustomerGrain)grains.GetGrain(GrainId.Create(type, GrainIdKeyExtensions.CreateIntegerKey(customerId)), interfaceType);
    }

    private (GrainType, GrainInterfaceType) Resolve()
    {
        var prototype = (GrainReference)grains.GetGrain<ICustomerGrain>(0);
        return (prototype.GrainId.Type, prototype.InterfaceType);
    }
}
