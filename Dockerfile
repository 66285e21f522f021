# One multi-stage build for both processes of compose.yaml: `--target silo` and `--target gateway`.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/DirectDriveX.Silo/DirectDriveX.Silo.csproj -c Release -o /app/silo \
 && dotnet publish src/DirectDriveX.Gateway/DirectDriveX.Gateway.csproj -c Release -o /app/gateway

# The healthchecks call /healthz with curl, which the runtime image does not ship.
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app

FROM runtime AS silo
COPY --from=build /app/silo .
EXPOSE 8081 11111 30000
ENTRYPOINT ["dotnet", "DirectDriveX.Silo.dll"]

FROM runtime AS gateway
COPY --from=build /app/gateway .
EXPOSE 8080
ENTRYPOINT ["dotnet", "DirectDriveX.Gateway.dll"]
