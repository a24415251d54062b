# syntax=docker/dockerfile:1
# The admin image. Build from the repository root (BuildKit reads admin.Dockerfile.dockerignore beside this file):
#   docker build -f deploy/docker/admin.Dockerfile -t orleans-tokens/admin:0.1.0 .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props ./
COPY grains/ grains/
COPY admin/ admin/
RUN dotnet publish admin/Orleans.Tokens.Admin.csproj -c Release -o /app -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/runtime:10.0
# The admin tool reads its settings from environment variables (Cluster__Storage, ConnectionStrings__Tokens, ...).
WORKDIR /app
COPY --from=build /app ./
USER $APP_UID
# docker run --rm -e Cluster__Storage=PostgreSql -e ConnectionStrings__Tokens=... orleans-tokens/admin:0.1.0 customer show 201722
ENTRYPOINT ["dotnet", "Orleans.Tokens.Admin.dll"]
