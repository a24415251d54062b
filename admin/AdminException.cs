namespace Orleans.Tokens.Admin;

/// <summary>A refusal by the tool itself; its message is the error the user sees.</summary>
internal sealed class AdminException(string message) : Exception(message);
