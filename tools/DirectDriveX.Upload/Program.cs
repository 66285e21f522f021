using DirectDriveX.Upload;

return await UploadCommandLine.Build().Parse(args).InvokeAsync();
