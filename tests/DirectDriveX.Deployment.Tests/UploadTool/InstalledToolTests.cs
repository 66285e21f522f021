using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;

namespace DirectDriveX.Deployment.Tests.UploadTool;

/// <summary>
/// The upload tool as a user installs it: <c>dotnet pack</c> of tools/DirectDriveX.Upload, <c>dotnet tool install</c>
/// from that package into a temporary tool path, and the installed <c>ddx-upload</c> uploading to a real gateway.
/// </summary>
public sealed class InstalledToolTests(GatewayUnderTest gateway) : IClassFixture<GatewayUnderTest>, IDisposable
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private static readonly TimeSpan PackDeadline = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan InstallDeadline = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan UploadDeadline = TimeSpan.FromMinutes(2);

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("ddx-tool-install-");

    [Fact]
    public async Task The_packed_tool_installs_as_ddx_upload_and_uploads_a_file()
    {
        var packages = Path.Combine(_work.FullName, "packages");
        var toolPath = Path.Combine(_work.FullName, "tools");

        // The README's commands, into temporary directories: dotnet pack ... -o DIR, dotnet tool install --add-source DIR.
        var pack = await DotnetProcess.DotnetAsync(
            ["pack", RepositoryRoot.File("tools", "DirectDriveX.Upload", "DirectDriveX.Upload.csproj"), "-c", Configuration, "-o", packages,
             "-nodeReuse:false", "-p:UseSharedCompilation=false"],
            RepositoryRoot.Path, PackDeadline);
        Assert.True(pack.ExitCode == 0, pack.ToString());
        var package = Assert.Single(Directory.GetFiles(packages, "*.nupkg"));
        Assert.StartsWith("DirectDriveX.Upload.", Path.GetFileName(package));

        // Only the packed package as source: the test needs no registry, and nothing else can answer to the name.
        var config = Path.Combine(_work.FullName, "nuget.config");
        File.WriteAllText(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="packed" value="{packages}" />
              </packageSources>
            </configuration>
            """);
        var install = await DotnetProcess.DotnetAsync(
            ["tool", "install", "--tool-path", toolPath, "--configfile", config, "--add-source", packages, "DirectDriveX.Upload"],
            _work.FullName, InstallDeadline);
        Assert.True(install.ExitCode == 0, install.ToString());
        var command = Path.Combine(toolPath, OperatingSystem.IsWindows() ? "ddx-upload.exe" : "ddx-upload");
        Assert.True(File.Exists(command), $"{command} is missing after: {install}");

        var file = gateway.CreateFile("installed-tool.bin", 5_000_000, seed: 11);
        var upload = await DotnetProcess.RunAsync(command, ["upload", file, "--gateway", gateway.BaseAddress.ToString(), "--api-key", GatewayUnderTest.ApiKey], _work.FullName, UploadDeadline);
        Assert.True(upload.ExitCode == 0, upload.ToString());

        using var result = JsonDocument.Parse(upload.StandardOutput.Trim().Split('\n')[^1]);
        var root = result.RootElement;
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));
        var fileId = root.GetProperty("fileId").GetString();
        Assert.False(string.IsNullOrEmpty(fileId), upload.ToString());
        Assert.Equal(sha256, root.GetProperty("sha256").GetString());
        Assert.Equal(5_000_000, root.GetProperty("bytes").GetInt64());
        Assert.Equal("websocket", root.GetProperty("mode").GetString());
        Assert.True(root.GetProperty("transferSeconds").GetDouble() > 0, upload.ToString());
        Assert.Contains("MB/s average", upload.StandardError);

        // The gateway has it, under that id, with that hash.
        using var http = new HttpClient { BaseAddress = gateway.BaseAddress, Timeout = TimeSpan.FromMinutes(1) };
        var meta = await http.GetFromJsonAsync<JsonElement>($"api/v1/files/{fileId}/meta");
        Assert.Equal(sha256, meta.GetProperty("sha256").GetString());
    }

    public void Dispose() => _work.Delete(recursive: true);
}
