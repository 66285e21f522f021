using DirectDriveX.Storage.FileSystem;

namespace DirectDriveX.Grains.Tests.Storage;

/// <summary>The store's renames: a move that never replaces a file (a stored file's bytes), and one that replaces atomically
/// (a record or a state file over its last version).</summary>
public sealed class FileRenameTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("ddx-rename-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string PathOf(string name) => Path.Combine(_root, name);

    [Fact]
    public void A_move_to_a_free_name_moves()
    {
        File.WriteAllText(PathOf("from"), "bytes");

        Assert.True(FileRename.MoveUnlessPresent(PathOf("from"), PathOf("to")));

        Assert.False(File.Exists(PathOf("from")));
        Assert.Equal("bytes", File.ReadAllText(PathOf("to")));
    }

    [Fact]
    public void A_move_to_a_name_taken_leaves_both_files_as_they_were()
    {
        File.WriteAllText(PathOf("from"), "new");
        File.WriteAllText(PathOf("to"), "stored");

        Assert.False(FileRename.MoveUnlessPresent(PathOf("from"), PathOf("to")));

        Assert.Equal("new", File.ReadAllText(PathOf("from")));
        Assert.Equal("stored", File.ReadAllText(PathOf("to")));
    }

    [Fact]
    public void A_move_done_before_finds_its_file_at_the_target()
    {
        File.WriteAllText(PathOf("to"), "stored");

        Assert.False(FileRename.MoveUnlessPresent(PathOf("from"), PathOf("to")));
        Assert.Equal("stored", File.ReadAllText(PathOf("to")));
    }

    [Fact]
    public void A_move_of_nothing_to_nothing_is_refused()
    {
        var error = Assert.Throws<FileNotFoundException>(() => FileRename.MoveUnlessPresent(PathOf("from"), PathOf("to")));
        Assert.Equal(PathOf("from"), error.FileName);
        Assert.False(File.Exists(PathOf("to")));
    }

    [Fact]
    public void A_replace_puts_the_new_file_in_place_of_the_old()
    {
        File.WriteAllText(PathOf("record.tmp"), "second");
        File.WriteAllText(PathOf("record"), "first");

        FileRename.Replace(PathOf("record.tmp"), PathOf("record"));

        Assert.False(File.Exists(PathOf("record.tmp")));
        Assert.Equal("second", File.ReadAllText(PathOf("record")));
    }

    [Fact]
    public void A_replace_to_a_free_name_moves()
    {
        File.WriteAllText(PathOf("record.tmp"), "first");

        FileRename.Replace(PathOf("record.tmp"), PathOf("record"));

        Assert.Equal("first", File.ReadAllText(PathOf("record")));
    }

    [Fact]
    public void A_replace_of_nothing_is_refused_and_keeps_the_old_file()
    {
        File.WriteAllText(PathOf("record"), "first");

        var error = Assert.Throws<FileNotFoundException>(() => FileRename.Replace(PathOf("record.tmp"), PathOf("record")));
        Assert.Equal(PathOf("record.tmp"), error.FileName);
        Assert.Equal("first", File.ReadAllText(PathOf("record")));
    }
}
