using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace DirectDriveX.Storage.FileSystem;

/// <summary>The Linux page cache of one open file: <c>posix_fadvise(POSIX_FADV_DONTNEED)</c> over the whole file drops its
/// clean pages (dirty ones stay, which is why it follows an fsync). Advice only: a failure changes nothing but the cache.</summary>
internal static class PageCache
{
    private const int PosixFadvDontNeed = 4;

    public static void Drop(SafeFileHandle handle)
    {
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            _ = PosixFadvise((int)handle.DangerousGetHandle(), 0, 0, PosixFadvDontNeed);
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    [DllImport("libc", EntryPoint = "posix_fadvise")]
    private static extern int PosixFadvise(int fd, long offset, long length, int advice);
}
