namespace Orleans.Tokens.Gateway.Errors;

/// <summary>One refusal: a code of section 6, its details, and the HTTP status it is sent with.</summary>
internal sealed record TokenError(ErrorCode Code, string? Details = null, int? StatusOverride = null)
{
    /// <summary>The DRM of the request, for a code whose text differs by DRM; null for the common text.</summary>
    public Drm? Drm { get; init; }

    public int Status => StatusOverride ?? ErrorTexts.Status(Code);

    public string Text => ErrorTexts.For(Code, Details, Drm);

    /// <summary>The cluster or its storage could not take the request; nothing was debited (section 11).</summary>
    public static TokenError Unavailable { get; } =
        new(ErrorCode.AdministrationError, "service temporarily unavailable", StatusCodes.Status503ServiceUnavailable);

    /// <summary>The request was handed over and whether it was debited cannot be known (section 11).</summary>
    public static TokenError OutcomeUnknown { get; } = new(ErrorCode.OutcomeUnknown);

    /// <summary>An unexpected fault in the gateway.</summary>
    public static TokenError Unexpected { get; } = new(ErrorCode.LicenseGenerationFailed);
}
