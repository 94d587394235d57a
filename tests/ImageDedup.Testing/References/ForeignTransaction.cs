using System.Data;
using System.Data.Common;

namespace ImageDedup.Testing.References;

/// <summary>A transaction of no real provider: stores must refuse to enlist in it.</summary>
internal sealed class ForeignTransaction : DbTransaction
{
    public override IsolationLevel IsolationLevel => IsolationLevel.Serializable;

    protected override DbConnection? DbConnection => null;

    public override void Commit() => throw new InvalidOperationException("A foreign transaction cannot commit.");

    public override void Rollback()
    {
    }
}
