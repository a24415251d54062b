# syntax=docker/dockerfile:1
# The gateway image. Build from the repository root (BuildKit reads gateway.Dockerfile.dockerignore beside this file):
#   docker build -f deploy/docker/gateway.Dockerfile -t orleans-tokens/gateway:0.1.0 .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props ./
COPY grains/ grains/
COPY gateway/ gateway/
RUN dotnet publish gateway/Orleans.Tokens.Gateway.csproj -c Release -o /app -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0
# The embedded default (no Cluster__Mode=Client) keeps its SQLite file and token key in /data: mount a volume there.
RUN mkdir /data && chown $APP_UID:$APP_UID /data
ENV Tokens__DataDirectory=/data
WORKDIR /app
COPY --from=build /app ./
USER $APP_UID
EXPOSE 8080
# Kestrel listens on every interface of the container (the code's default, 127.0.0.1, is unreachable from outside).
ENTRYPOINT ["dotnet", "Orleans.Tokens.Gateway.dll"]
CMD ["--urls", "http://0.0.0.0:8080"]
