using Microsoft.AspNetCore.Builder;

namespace DirectDriveX.HostDefaults;

/// <summary>
/// The builder every DirectDriveX host starts from: ASP.NET Core's defaults, except that configuration files are read once,
/// at start, instead of watched for changes.
/// </summary>
/// <remarks>
/// To reload appsettings.json on change, ASP.NET Core watches the content root with one recursive file-system watcher: an
/// event into the process for every file created, renamed or deleted anywhere below it. A host started from its own folder
/// (a publish folder, the image's /app) keeps the store's default root (<c>FileStore:RootDirectory</c>, "data") below its
/// content root, so every upload's staged bytes, record and state files were reported to, filtered and dropped by that
/// watcher: 11% of the embedded default's CPU at 4 KiB uploads (issue 19, thirteenth round). Nothing here reads options
/// through <c>IOptionsMonitor</c> (options are validated once, at start), so a configuration change takes a restart, which
/// a rolling restart makes cheap. <c>--hostBuilder:reloadConfigOnChange=true</c> on the command line turns the watching
/// back on.
/// </remarks>
public static class HostWebApplication
{
    private const string ReadConfigurationOnce = "--hostBuilder:reloadConfigOnChange=false";

    /// <summary><see cref="WebApplication.CreateBuilder(string[])"/> with configuration files read once; a later
    /// <c>--hostBuilder:reloadConfigOnChange</c> in <paramref name="args"/> wins.</summary>
    public static WebApplicationBuilder CreateBuilder(string[] args) => WebApplication.CreateBuilder([ReadConfigurationOnce, .. args]);
}
