# syntax=docker/dockerfile:1
# The silo image. Build from the repository root (BuildKit reads silo.Dockerfile.dockerignore beside this file):
#   docker build -f deploy/docker/silo.Dockerfile -t orleans-tokens/silo:0.1.0 .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props ./
COPY grains/ grains/
COPY silo/ silo/
RUN dotnet publish silo/Orleans.Tokens.Silo.csproj -c Release -o /app -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0
# aspnet, not runtime: the silo serves /metrics, /healthz and /readyz over HTTP (ASP.NET Core).
# Without Cluster__Storage=PostgreSql the silo keeps its SQLite file in /data: mount a volume there.
RUN mkdir /data && chown $APP_UID:$APP_UID /data
ENV Tokens__DataDirectory=/data
WORKDIR /app
COPY --from=build /app ./
USER $APP_UID
# 8080: /metrics, /healthz, /readyz; 11111: silo to silo (Cluster__SiloPort); 30000: Orleans clients (Cluster__GatewayPort).
EXPOSE 8080 11111 30000
ENTRYPOINT ["dotnet", "Orleans.Tokens.Silo.dll"]
CMD ["--urls", "http://0.0.0.0:8080"]
