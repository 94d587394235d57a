using System.Runtime.InteropServices;

namespace ImageDedup.Ingest;

/// <summary>
/// Bytes of one small image kept outside the managed heap while it waits for its batch group: a
/// thousand of them in flight would otherwise be a thousand young arrays the garbage collector
/// copies from generation to generation (measured: most of a group's time at 64 KiB). Freed when
/// the content is disposed, or by the finalizer of the handle if it never is.
/// </summary>
internal sealed class NativeBytes : SafeBuffer
{
    /// <summary>Copies the first <paramref name="length"/> bytes of <paramref name="source"/>.</summary>
    public NativeBytes(byte[] source, int length)
        : base(ownsHandle: true)
    {
        SetHandle(Marshal.AllocHGlobal(Math.Max(length, 1)));
        Initialize((ulong)length);

        // One memcpy; SafeBuffer.WriteSpan copies element by element.
        Marshal.Copy(source, 0, handle, length);
        Length = length;
    }

    public int Length { get; }

    /// <summary>A read-only stream over the bytes; disposing it leaves them.</summary>
    public Stream OpenRead() => new UnmanagedMemoryStream(this, 0, Length, FileAccess.Read);

    protected override bool ReleaseHandle()
    {
        Marshal.FreeHGlobal(handle);
        return true;
    }
}
