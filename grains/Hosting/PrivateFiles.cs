namespace Orleans.Tokens.Hosting;

/// <summary>
/// The embedded default's data directory is readable by its owner alone (contract section 11; issue 9): the
/// directory 0700, the SQLite database and its WAL and shared-memory files and the token-key file 0600. Creates
/// them so and tightens what an earlier version left wider. No-ops on Windows, whose ACLs follow the directory.
/// </summary>
public static class PrivateFiles
{
    private const UnixFileMode Directory0700 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode File0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates <paramref name="path"/> (and its parents, as the OS makes them) 0700, or sets it 0700.</summary>
    public static void Directory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            System.IO.Directory.CreateDirectory(path);
            return;
        }
        System.IO.Directory.CreateDirectory(path, Directory0700);
        File.SetUnixFileMode(path, Directory0700);
    }

    /// <summary>
    /// Makes the SQLite database at <paramref name="path"/> 0600 before SQLite opens it: creates it empty when missing
    /// (SQLite gives its WAL and shared-memory files the database's mode) and sets it and those files 0600 when
    /// they exist.
    /// </summary>
    public static void Database(string path)
    {
        Directory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        if (OperatingSystem.IsWindows()) return;
        if (!File.Exists(path))
        {
            using var created = new FileStream(path, Create(FileMode.CreateNew));
        }
        foreach (var file in (string[])[path, path + "-wal", path + "-shm"])
        {
            if (File.Exists(file)) Tighten(file);
        }
    }

    /// <summary>Sets the existing file <paramref name="path"/> 0600.</summary>
    public static void Tighten(string path)
    {
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, File0600);
    }

    /// <summary>Options that create a file 0600 (where the OS has such modes).</summary>
    public static FileStreamOptions Create(FileMode mode) => OperatingSystem.IsWindows()
        ? new FileStreamOptions { Mode = mode, Access = FileAccess.Write }
        : new FileStreamOptions { Mode = mode, Access = FileAccess.Write, UnixCreateMode = File0600 };
}
