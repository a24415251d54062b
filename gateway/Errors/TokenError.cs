namespace Orleans.Tokens.Gateway.Errors;

/// <summary>One refusal: a code of section 6, its details, and the HTTP status it is sent with.</summary>
internal sealed record TokenError(ErrorCode Code, string? Details = null, int? StatusOverride = null)
{
    public int Status => StatusOverride ?? ErrorTexts.Status(Code);

    public string Text => ErrorTexts.For(Code, Details);

    /// <summary>The cluster or its storage could not take the request; nothing was debited (section 11).</summary>
    public static TokenError Unavailable { get; } =
        new(ErrorCode.AdministrationError, "service temporarily unavailable", StatusCodes.Status503ServiceUnavailable);

    /// <summary>The request was handed over and whether it was debited cannot be known (section 11).</summary>
    public static TokenError OutcomeUnknown { get; } = new(ErrorCode.OutcomeUnknown);

    /// <summary>An unexpected fault in the gateway.</summary>
    public static TokenError Unexpected { get; } = new(ErrorCode.LicenseGenerationFailed);
}
