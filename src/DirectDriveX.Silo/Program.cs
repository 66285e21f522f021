using DirectDriveX.Silo;

SiloApplication.Build(SiloApplication.CreateBuilder(args)).Run();
