namespace Orleans.Tokens.Gateway.KeyStorage;

/// <summary>A key-storage request refused with <paramref name="status"/> and the message of contract section 12's <c>{"message":…}</c>.</summary>
internal sealed class KeyStoreRefusal(int status, string message) : Exception(message)
{
    public int Status => status;

    public static readonly KeyStoreRefusal Unauthorized = new(StatusCodes.Status401Unauthorized, "Unauthorized");
    public static readonly KeyStoreRefusal NotFound = new(StatusCodes.Status404NotFound, "Not Found");
    public static readonly KeyStoreRefusal WrongKek = new(StatusCodes.Status400BadRequest, "Wrong KEK");

    public static KeyStoreRefusal BadRequest(string message) => new(StatusCodes.Status400BadRequest, message);
}
