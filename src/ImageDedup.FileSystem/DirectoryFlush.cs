using System.Runtime.InteropServices;

namespace ImageDedup.FileSystem;

/// <summary>
/// Flushes a directory's entries to disk, so that a file created, renamed or deleted in it stays
/// that way after a power loss. POSIX only: opens the directory read-only and calls <c>fsync</c>.
/// On Windows, NTFS journals directory changes itself and the call does nothing.
/// </summary>
internal static partial class DirectoryFlush
{
    private const int ReadOnly = 0; // O_RDONLY

    // O_CLOEXEC, so a process forked meanwhile does not inherit the descriptor; its value differs per OS.
    private static readonly int CloseOnExec = OperatingSystem.IsLinux() ? 0x80000
        : OperatingSystem.IsMacOS() || OperatingSystem.IsIOS() || OperatingSystem.IsTvOS() || OperatingSystem.IsMacCatalyst() ? 0x1000000
        : OperatingSystem.IsFreeBSD() ? 0x100000
        : 0;
    private const int InvalidArgument = 22; // EINVAL: the file system cannot sync this kind of file.
    private const int Interrupted = 4; // EINTR

    /// <summary>Flushes <paramref name="directory"/>'s entries to disk.</summary>
    /// <exception cref="IOException">The directory could not be opened or flushed.</exception>
    public static void Flush(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        int fd;
        do
        {
            fd = Open(directory, ReadOnly | CloseOnExec);
        }
        while (fd < 0 && Marshal.GetLastPInvokeError() == Interrupted);

        if (fd < 0)
        {
            throw Failure("open", directory, Marshal.GetLastPInvokeError());
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno != InvalidArgument)
                {
                    throw Failure("fsync", directory, errno);
                }
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    private static IOException Failure(string call, string directory, int errno)
        => new($"{call}('{directory}') failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).", errno);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
