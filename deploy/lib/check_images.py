"""The images: deploy/docker/<name>.Dockerfile, each publishing a project of this repository and running its dll,
with settings the code reads and .NET 10 base images."""
import glob, os, re


def check_images(setting_ok, problems, notes):
    """The Dockerfiles by image name (orleans-tokens/<name>)."""
    dockerfiles = {}
    for f in glob.glob("deploy/docker/*.Dockerfile"):
        name = os.path.basename(f)[:-len(".Dockerfile")]
        text = open(f).read()
        publish = re.search(r"dotnet publish (\S+\.csproj)", text)
        entry = re.search(r'ENTRYPOINT \["dotnet", "([^"]+)"\]', text)
        if not publish or not os.path.isfile(publish.group(1)):
            problems.append(f"{f}: publishes {publish and publish.group(1)!r}, not a project of this repository")
        elif not entry or entry.group(1) != os.path.basename(publish.group(1))[:-len(".csproj")] + ".dll":
            problems.append(f"{f}: ENTRYPOINT {entry and entry.group(1)!r} is not the dll of {publish.group(1)}")
        for m in re.finditer(r"^ENV (\w+)=", text, re.M):
            if not setting_ok(m.group(1)):
                problems.append(f"{f}: ENV {m.group(1)} is not a setting the code reads")
        for m in re.finditer(r'"--(\w[\w:]*)"', text):
            if not setting_ok(m.group(1)):
                problems.append(f"{f}: argument --{m.group(1)} is not a setting the code reads")
        for m in re.finditer(r"^FROM (\S+)", text, re.M):
            if not re.fullmatch(r"mcr\.microsoft\.com/dotnet/(sdk|aspnet|runtime):10\.0", m.group(1)):
                problems.append(f"{f}: base image {m.group(1)}")
        dockerfiles[f"orleans-tokens/{name}"] = f
    notes.append("images: " + ", ".join(f"{i} ({f})" for i, f in sorted(dockerfiles.items())))
    return dockerfiles
