using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http;

namespace ImageDedup.AspNetCore;

/// <summary>What became of an upload: stored, refused with a ProblemDetails response, or abandoned by the client.</summary>
public sealed class UploadOutcome
{
    private UploadOutcome(IngestResult? result, IResult? refusal, bool clientAborted)
    {
        Result = result;
        Refusal = refusal;
        ClientAborted = clientAborted;
    }

    /// <summary>The ingest's result when the upload was stored; otherwise null.</summary>
    public IngestResult? Result { get; }

    /// <summary>
    /// When the upload was not stored, the response to return: a ProblemDetails with one of the
    /// <see cref="ImageDedupProblemTypes"/>, or an empty result when the client went away. Otherwise null.
    /// </summary>
    public IResult? Refusal { get; }

    /// <summary>Whether the upload was stored (<see cref="Result"/> is set).</summary>
    [MemberNotNullWhen(true, nameof(Result))]
    [MemberNotNullWhen(false, nameof(Refusal))]
    public bool Stored => Result is not null;

    /// <summary>Whether the client disconnected mid-upload; the ingest was cancelled and left nothing.</summary>
    public bool ClientAborted { get; }

    internal static UploadOutcome Success(IngestResult result) => new(result, null, false);

    internal static UploadOutcome Refused(IResult problem) => new(null, problem, false);

    internal static UploadOutcome Aborted() => new(null, Results.Empty, true);
}
