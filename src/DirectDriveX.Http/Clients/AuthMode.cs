namespace DirectDriveX.Http.Clients;

/// <summary><c>Auth:Mode</c>: whether creating an upload needs an API key.</summary>
public enum AuthMode
{
    /// <summary>Anyone may create an upload; a client that presents a valid key is counted by its key and gets its limits.</summary>
    None,
    /// <summary>Creating an upload needs a valid API key (401 without one). Resume tokens keep authorising each upload.</summary>
    ApiKey,
}
