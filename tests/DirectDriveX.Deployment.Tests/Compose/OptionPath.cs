using DirectDriveX.Storage;

namespace DirectDriveX.Deployment.Tests.Compose;

/// <summary>A configuration key's path below its section (FileStore__S3__Bucket: S3, then Bucket) as properties of the
/// options class that section binds.</summary>
public static class OptionPath
{
    /// <summary>The property path (FileStore__S3__Bucket: S3, then Bucket; a number is an item of a list) exists on
    /// <paramref name="options"/>.</summary>
    public static void AssertNamesAProperty(Type options, string[] path, string what)
    {
        var type = options;
        foreach (var part in path)
        {
            if (int.TryParse(part, out _))
            {
                // An item of a list or an array (Clients__TrustedProxies__0, Auth__ApiKeys__0__Name).
                var item = type.IsArray ? type.GetElementType() : type.IsGenericType ? type.GetGenericArguments()[^1] : null;
                Assert.True(item is not null, $"{what}: {type.Name} is not a list, it has no item {part}");
                type = item!;
                continue;
            }
            var property = type.GetProperty(part);
            Assert.True(property is not null, $"{what} is not a property of {type.Name}");
            type = property!.PropertyType;
        }
    }
}
