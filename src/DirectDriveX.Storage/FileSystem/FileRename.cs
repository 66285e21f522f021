using System.Runtime.InteropServices;

namespace DirectDriveX.Storage.FileSystem;

/// <summary>
/// Renames as one system call each on Linux. <see cref="File.Move(string, string, bool)"/> stats its source (and, not
/// replacing, its target) before it renames, and a move that must not replace a file was an existence check and then that
/// move: four stats and a window in which another file could appear. Per stored small file those stats were most of the
/// embedded process's 10.5 <c>lstat</c>s (issue 19, eleventh round). Elsewhere, and on a file system without
/// <c>RENAME_NOREPLACE</c> (NFS answers EINVAL), the same outcome through <see cref="File"/>.
/// </summary>
public static class FileRename
{
    /// <summary>Moves <paramref name="from"/> to <paramref name="to"/> unless <paramref name="to"/> exists; true when it moved,
    /// false when <paramref name="to"/> was there already (<paramref name="from"/> is then left as it was, or absent).</summary>
    /// <exception cref="FileNotFoundException">Neither is there.</exception>
    public static bool MoveUnlessPresent(string from, string to)
    {
        if (OperatingSystem.IsLinux())
        {
            if (RenameAt2(AtCurrentDirectory, from, AtCurrentDirectory, to, RenameNoReplace) == 0) return true;
            var errno = Marshal.GetLastPInvokeError();
            switch (errno)
            {
                case EEXIST:
                    return false;
                case ENOENT when File.Exists(to):
                    return false;
                case ENOENT:
                    throw new FileNotFoundException($"Could not move {from}: it is not there.", from);
                case not (EINVAL or ENOSYS or EOPNOTSUPP):
                    throw new IOException($"rename of {from} to {to} failed: errno {errno}");
            }
        }
        if (File.Exists(to)) return false;
        File.Move(from, to, overwrite: false);
        return true;
    }

    /// <summary>Moves <paramref name="from"/> over <paramref name="to"/>, replacing it atomically if it exists.</summary>
    /// <exception cref="FileNotFoundException"><paramref name="from"/> is not there.</exception>
    public static void Replace(string from, string to)
    {
        if (!OperatingSystem.IsLinux())
        {
            File.Move(from, to, overwrite: true);
            return;
        }
        if (Rename(from, to) == 0) return;
        var errno = Marshal.GetLastPInvokeError();
        throw errno == ENOENT
            ? new FileNotFoundException($"Could not move {from}: it is not there.", from)
            : new IOException($"rename of {from} to {to} failed: errno {errno}");
    }

    private const int AtCurrentDirectory = -100; // AT_FDCWD
    private const uint RenameNoReplace = 1; // RENAME_NOREPLACE
    private const int ENOENT = 2, EEXIST = 17, EINVAL = 22, ENOSYS = 38, EOPNOTSUPP = 95;

    [DllImport("libc", EntryPoint = "renameat2", SetLastError = true)]
    private static extern int RenameAt2(int fromDirectory, [MarshalAs(UnmanagedType.LPUTF8Str)] string from, int toDirectory,
        [MarshalAs(UnmanagedType.LPUTF8Str)] string to, uint flags);

    [DllImport("libc", EntryPoint = "rename", SetLastError = true)]
    private static extern int Rename([MarshalAs(UnmanagedType.LPUTF8Str)] string from, [MarshalAs(UnmanagedType.LPUTF8Str)] string to);
}
