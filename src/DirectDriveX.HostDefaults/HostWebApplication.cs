using System.Collections.Frozen;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;

namespace DirectDriveX.HostDefaults;

/// <summary>
/// The builder every DirectDriveX host starts from: ASP.NET Core's defaults, except that configuration files are read once,
/// at start, instead of watched for changes, and that the log levels and format of the hosts' appsettings.json hold
/// wherever a process starts.
/// </summary>
/// <remarks>
/// To reload appsettings.json on change, ASP.NET Core watches the content root with one recursive file-system watcher: an
/// event into the process for every file created, renamed or deleted anywhere below it. A host started from its own folder
/// (a publish folder, the image's /app) keeps the store's default root (<c>FileStore:RootDirectory</c>, "data") below its
/// content root, so every upload's staged bytes, record and state files were reported to, filtered and dropped by that
/// watcher (issue 19, thirteenth round: with the logging below, 11–21% of the embedded default's CPU at 4 KiB uploads).
/// Nothing here reads options through <c>IOptionsMonitor</c> (options are validated once, at start), so a configuration
/// change takes a restart, which a rolling restart makes cheap. <c>--hostBuilder:reloadConfigOnChange=true</c> on the
/// command line turns the watching back on.
/// <para>
/// appsettings.json is read from the content root, the working directory unless <c>--contentRoot</c> says otherwise, so a
/// process started from another folder (a service whose working directory is its data) read none, and logged ASP.NET
/// Core's and Orleans' Information lines, six per request, and a log of little else.
/// <see cref="LoggingDefaults"/>, the Logging section of the hosts' appsettings.json, is the first configuration source,
/// so appsettings.json, environment variables and the command line still override each key.
/// </para>
/// </remarks>
public static class HostWebApplication
{
    private const string ReadConfigurationOnce = "--hostBuilder:reloadConfigOnChange=false";

    /// <summary><see cref="WebApplication.CreateBuilder(string[])"/> with configuration files read once; a later
    /// <c>--hostBuilder:reloadConfigOnChange</c> in <paramref name="args"/> wins.</summary>
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = WebApplication.CreateBuilder([ReadConfigurationOnce, .. args]);
        ((IConfigurationBuilder)builder.Configuration).Sources.Insert(0, new MemoryConfigurationSource { InitialData = LoggingDefaults });
        return builder;
    }

    /// <summary>The hosts' log levels and console format, as their appsettings.json has them: our own Information lines;
    /// ASP.NET Core's, Orleans' and Polly's (two per grain placement) from Warning; scopes shown by either formatter.</summary>
    public static FrozenDictionary<string, string?> LoggingDefaults { get; } = new Dictionary<string, string?>
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:Orleans"] = "Warning",
        ["Logging:LogLevel:Polly"] = "Warning",
        ["Logging:Console:IncludeScopes"] = "True",
        ["Logging:Console:FormatterOptions:IncludeScopes"] = "True",
    }.ToFrozenDictionary();
}
