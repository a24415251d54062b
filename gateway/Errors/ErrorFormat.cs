namespace Orleans.Tokens.Gateway.Errors;

internal enum ErrorFormat
{
    Html,
    Json,
}
