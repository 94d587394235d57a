namespace ImageDedup.Abstractions.Tests;

/// <summary>Results print what they hold, as a log line or a debugger shows them.</summary>
public class ResultPrintingTests
{
    [Fact]
    public void A_reconcile_result_prints_its_counts()
    {
        var result = new ReconcileResult { DryRun = false, PendingRemoved = 2, DeletionsFinished = 1, IncompleteWritesDeleted = 0 };

        Assert.Equal("ReconcileResult { DryRun = False, PendingRemoved = 2, DeletionsFinished = 1, IncompleteWritesDeleted = 0 }", result.ToString());
    }

    [Fact]
    public void An_audit_result_prints_its_counts_and_the_first_missing_originals()
    {
        var missing = Enumerable.Range(1, 7).Select(i => new Guid(i, 0, 0, new byte[8])).ToList();
        var result = new AuditResult
        {
            DryRun = false,
            BlobsListed = 9,
            OriginalsChecked = 8,
            RowlessBlobsDeleted = 3,
            MissingBlobs = missing,
            Requests = 20,
            NextCursor = "rows/x",
        };

        var text = result.ToString();

        Assert.StartsWith("AuditResult { DryRun = False, BlobsListed = 9, OriginalsChecked = 8, RowlessBlobsDeleted = 3, Requests = 20, NextCursor = rows/x, MissingBlobs = 7 [", text, StringComparison.Ordinal);
        Assert.Contains(missing[0].ToString(), text, StringComparison.Ordinal);
        Assert.Contains(missing[4].ToString(), text, StringComparison.Ordinal);
        Assert.DoesNotContain(missing[5].ToString(), text, StringComparison.Ordinal);
        Assert.DoesNotContain("System.Collections", text, StringComparison.Ordinal);
        Assert.EndsWith(", …] }", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_verify_result_prints_its_lists()
    {
        var corrupt = Guid.CreateVersion7();
        var text = new VerifyResult(10, [], [corrupt], [], "cursor-1").ToString();

        Assert.Equal($"VerifyResult {{ Checked = 10, Missing = 0 [], Corrupt = 1 [{corrupt}], Unreadable = 0 [], NextCursor = cursor-1 }}", text);
    }
}
