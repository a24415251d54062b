namespace Orleans.Tokens.Gateway.Minting;

/// <summary>
/// References to customer grains. <see cref="IGrainFactory.GetGrain{TGrainInterface}(long, string)"/> resolves the
/// interface's grain types by reflection on every call; on the mint path they are resolved once, on first use.
/// </summary>
internal sealed class CustomerGrains(IGrainFactory grains)
{
    // A reference, so that threads racing on first use read it whole: a (GrainType, GrainInterfaceType)? struct field
    // written by one thread could be read half-written by another (a default interface type: an untyped reference).
    private GrainReference? _prototype;

    public ICustomerGrain Get(long customerId)
    {
        var prototype = _prototype ??= (GrainReference)grains.GetGrain<ICustomerGrain>(0);
        return (ICustomerGrain)grains.GetGrain(
            GrainId.Create(prototype.GrainId.Type, GrainIdKeyExtensions.CreateIntegerKey(customerId)), prototype.InterfaceType);
    }
}
